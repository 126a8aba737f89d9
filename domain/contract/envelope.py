"""The one envelope every agency event travels in: a CloudEvents 1.0 event.

Attributes are CloudEvents' (specversion, id, source, type, time, subject, and the optional
datacontenttype and dataschema) with three hub extensions: ``agency`` (who supplied it),
``schemaversion`` (of the ``data`` payload) and ``signature`` (Ed25519 over the canonical form
of everything else). Any other extension attribute (``partitionkey``, a tracing id...) is kept
and signed like the rest. Connectors build and sign; the hub verifies and validates. Both sides
use this module, so there is exactly one definition of "canonical" and "valid".

On Kafka the event travels in either content mode of the CloudEvents Kafka binding: structured
(the value is the JSON event, header ``content-type: application/cloudevents+json``; a message
without headers is read this way too) or binary (attributes in ``ce_`` headers, the value is
``data``). Canonical form (docs/envelope.md): every attribute but ``signature``, with ``data``,
as one JSON object with keys sorted, no insignificant whitespace and UTF-8 text
(``jq -cS 'del(.signature)'`` produces the same bytes from a structured event).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
# The Kafka binding's structured mode: the header a spec-following consumer reads the mode from.
STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8"
KAFKA_HEADERS = [("content-type", STRUCTURED_CONTENT_TYPE.encode())]
# Required by the hub: CloudEvents' own required four, plus time and subject (per-subject
# ordering and the time a consent was received depend on them) and the hub's extensions.
REQUIRED_ATTRIBUTES = ("specversion", "id", "source", "type", "time", "subject", "agency",
                       "schemaversion", "data", "signature")
OPTIONAL_ATTRIBUTES = ("datacontenttype", "dataschema")
# CloudEvents 1.0: extension names are lower-case letters and digits, at most 20 characters.
EXTENSION_NAME = re.compile(r"[a-z0-9]{1,20}")
MAX_EXTENSIONS = 16
# datacontenttype values that mean JSON data (application/json, application/*+json, text/json).
JSON_CONTENT_TYPE = re.compile(r"(application/(?:[\w.-]+\+)?json|text/json)\s*(;.*)?",
                               re.IGNORECASE)
# Limits that keep hostile input cheap to refuse. Kafka's default maximum message is 1 MiB and a
# real event is a few KiB (summary <= 4000 characters, <= 50 parties), so nothing lawful is cut.
MAX_ENVELOPE_BYTES = 1024 * 1024
MAX_NESTING = 32            # an envelope nests about 5 deep; json.loads recurses per level
MAX_ATTRIBUTE_CHARS = 512   # every attribute but data; ids are <agency>:<type>:<ref>:v<n>
MATCH_KEY = re.compile(r"mk1:[0-9a-f]{64}")

# The tokens that decide nesting: an escape (two characters, so an escaped quote is never a
# quote), a quote, a bracket. One left-to-right pass, no backtracking: linear in any input.
_NESTING_TOKEN = re.compile(r'\\.|["\[\]{}]', re.DOTALL)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class EnvelopeError(ValueError):
    """An envelope the hub cannot accept. ``reason`` is a short code, the message says why
    and what the publisher should change."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Envelope:
    """A parsed, not yet trusted, agency event."""

    id: str
    source: str
    type: str
    time: str
    subject: str
    agency: str
    schemaversion: str
    data: dict[str, Any]
    signature: str = ""
    datacontenttype: str | None = None
    dataschema: str | None = None
    specversion: str = SPEC_VERSION
    extensions: dict[str, Any] = field(default_factory=dict)

    @property
    def schema_urn(self) -> str:
        """The JSON Schema of ``data``, named by type and schemaversion."""
        return f"urn:csp-hub:schema:{self.type}:{self.schemaversion}"

    def unsigned(self) -> dict[str, Any]:
        """Every attribute present, with data, but the signature: what is signed."""
        found = {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "subject": self.subject,
            "agency": self.agency,
            "schemaversion": self.schemaversion,
            "data": self.data,
            **self.extensions,
        }
        if self.datacontenttype is not None:
            found["datacontenttype"] = self.datacontenttype
        if self.dataschema is not None:
            found["dataschema"] = self.dataschema
        return found

    def to_dict(self) -> dict[str, Any]:
        return {**self.unsigned(), "signature": self.signature}

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()


def canonical_bytes(unsigned: dict[str, Any]) -> bytes:
    """The exact bytes that are signed: sorted keys, compact, UTF-8."""
    return json.dumps(unsigned, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def new_envelope(*, event_id: str, source: str, event_type: str, subject: str, agency: str,
                 data: dict[str, Any], schemaversion: str = "1",
                 time: datetime | None = None) -> Envelope:
    stamp = (time or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")
    return Envelope(id=event_id, source=source, type=event_type, time=stamp, subject=subject,
                    agency=agency, schemaversion=schemaversion, data=data,
                    datacontenttype=CONTENT_TYPE,
                    dataschema=f"urn:csp-hub:schema:{event_type}:{schemaversion}")


def sign(envelope: Envelope, key: Ed25519PrivateKey) -> Envelope:
    signature = key.sign(canonical_bytes(envelope.unsigned()))
    return Envelope(**{**envelope.__dict__, "signature": base64.b64encode(signature).decode()})


def nests_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in JSON ``text`` nest more than ``limit`` deep, found by
    counting brackets outside strings (no recursion, so any depth is safe to ask about)."""
    if text.count("[") + text.count("{") <= limit:  # most messages: too few to nest deeper
        return False
    depth, in_string = 0, False
    for match in _NESTING_TOKEN.finditer(text):
        token = match.group()
        if token == '"':
            in_string = not in_string
        elif in_string or token[0] == "\\":
            continue
        elif token in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _not_json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _load(raw: bytes) -> Any:
    """JSON from the wire within the limits above; EnvelopeError for anything else."""
    if len(raw) > MAX_ENVELOPE_BYTES:
        raise EnvelopeError("too-large",
                            f"message is {len(raw):,} bytes; an envelope may be at most "
                            f"{MAX_ENVELOPE_BYTES:,} bytes: send large documents by reference")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EnvelopeError("malformed-json", f"message is not UTF-8 ({exc}); publish one JSON "
                            "object per message, UTF-8 encoded") from exc
    if nests_deeper_than(text, MAX_NESTING):
        raise EnvelopeError("too-deep", f"message nests arrays or objects more than "
                            f"{MAX_NESTING} deep; an envelope nests about 5 deep")
    try:
        doc = json.loads(text, parse_constant=_not_json_constant)
        if _SURROGATE_ESCAPE.search(text):  # a lone surrogate cannot be written back as UTF-8
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
    except ValueError as exc:  # JSONDecodeError, over-long integers, NaN, lone surrogates
        raise EnvelopeError("malformed-json",
                            f"message is not valid JSON ({str(exc)[:200]}); publish one JSON "
                            "object per message") from exc
    return doc


Headers = Iterable[tuple[str, bytes | None]]


def parse(raw: bytes, headers: Headers = ()) -> Envelope:
    """Parse a Kafka message (value and headers) into an Envelope, or say exactly what is wrong.

    Structured mode unless the headers carry ``ce_specversion`` (binary mode). Any bytes are
    safe to pass: size and nesting are checked before the JSON parser runs.
    """
    named = _header_map(headers)
    content_type = named.get("content-type")
    structured = content_type is not None and content_type.lower().startswith(
        "application/cloudevents")
    if "ce_specversion" in named and not structured:  # the content type decides (the binding)
        return _from_attributes(_binary_attributes(raw, named))
    if content_type is not None and not content_type.lower().startswith(
            ("application/cloudevents+json", "application/json")):
        raise EnvelopeError("malformed-envelope",
                            f"content-type {content_type[:100]!r} is not a CloudEvents JSON "
                            "event: publish structured mode (application/cloudevents+json) or "
                            "binary mode (ce_ headers)")
    doc = _load(raw)
    if not isinstance(doc, dict):
        raise EnvelopeError("malformed-envelope", "message must be a JSON object")
    return _from_attributes(doc)


def _header_map(headers: Headers) -> dict[str, str]:
    """Kafka headers by lower-case name; a header that is not UTF-8 is refused by name."""
    found: dict[str, str] = {}
    for count, (name, value) in enumerate(headers or ()):
        if count >= 64:
            raise EnvelopeError("malformed-envelope", "message has more than 64 headers")
        try:
            found[str(name).lower()] = (value or b"").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise EnvelopeError("malformed-envelope",
                                f"header {str(name)[:40]!r} is not UTF-8") from exc
    return found


def _binary_attributes(raw: bytes, named: dict[str, str]) -> dict[str, Any]:
    """Binary mode: each ``ce_<name>`` header is an attribute, ``content-type`` is
    datacontenttype, and the value is the data (JSON, whatever content-type says it is)."""
    doc: dict[str, Any] = {name.removeprefix("ce_"): value for name, value in named.items()
                           if name.startswith("ce_")}
    if "content-type" in named:
        doc["datacontenttype"] = named["content-type"]
        _check_json_content_type(named["content-type"])
    doc["data"] = _load(raw)
    return doc


def _from_attributes(doc: dict[str, Any]) -> Envelope:
    missing = [name for name in REQUIRED_ATTRIBUTES if name not in doc]
    if missing:
        raise EnvelopeError("malformed-envelope",
                            f"envelope lacks required attribute(s) {', '.join(missing)}")
    known = set(REQUIRED_ATTRIBUTES) | set(OPTIONAL_ATTRIBUTES)
    extensions = {name: value for name, value in doc.items() if name not in known}
    for name in (*REQUIRED_ATTRIBUTES, *OPTIONAL_ATTRIBUTES):
        if name in doc and name != "data":
            _check_string(name, doc[name])
    if len(extensions) > MAX_EXTENSIONS:
        raise EnvelopeError("malformed-envelope",
                            f"envelope has {len(extensions)} extension attributes; at most "
                            f"{MAX_EXTENSIONS} are allowed")
    for name, value in extensions.items():
        if not EXTENSION_NAME.fullmatch(name):
            raise EnvelopeError("malformed-envelope",
                                f"extension attribute name {name[:40]!r} must be 1 to 20 "
                                "lower-case letters or digits (CloudEvents 1.0)")
        if isinstance(value, str):
            _check_string(name, value)
        elif type(value) is not bool and not (type(value) is int and abs(value) < 2**31):
            raise EnvelopeError("malformed-envelope",
                                f"extension attribute {name!r} must be a string, a boolean "
                                "or a 32-bit integer (CloudEvents 1.0 types)")
    if doc["specversion"] != SPEC_VERSION:
        raise EnvelopeError("malformed-envelope",
                            f"specversion must be {SPEC_VERSION!r}, got {doc['specversion']!r}")
    if doc.get("datacontenttype") is not None:
        _check_json_content_type(doc["datacontenttype"])
    if not isinstance(doc["data"], dict):
        raise EnvelopeError("malformed-envelope", "data must be a JSON object")
    envelope = Envelope(**{k: doc[k] for k in (*REQUIRED_ATTRIBUTES, *OPTIONAL_ATTRIBUTES)
                           if k in doc}, extensions=extensions)
    if envelope.dataschema is not None and envelope.dataschema != envelope.schema_urn:
        raise EnvelopeError("malformed-envelope",
                            f"dataschema {envelope.dataschema[:200]!r} does not match type "
                            f"and schemaversion (expected {envelope.schema_urn!r})")
    return envelope


def _check_json_content_type(content_type: str) -> None:
    if not JSON_CONTENT_TYPE.fullmatch(content_type):
        raise EnvelopeError("malformed-envelope",
                            f"datacontenttype {content_type[:100]!r} is not JSON; the hub takes "
                            f"{CONTENT_TYPE!r} data (the default when it is left out)")


def _check_string(name: str, value: Any) -> None:
    if not isinstance(value, str):
        raise EnvelopeError("malformed-envelope", f"attribute {name!r} must be a string")
    if len(value) > MAX_ATTRIBUTE_CHARS:
        raise EnvelopeError("malformed-envelope",
                            f"attribute {name!r} is {len(value):,} characters; at most "
                            f"{MAX_ATTRIBUTE_CHARS} are allowed")


def verify(envelope: Envelope, key: Ed25519PublicKey) -> None:
    """Raise EnvelopeError unless the signature was made by ``key`` over this envelope."""
    try:
        signature = base64.b64decode(envelope.signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EnvelopeError("bad-signature", "signature is not base64") from exc
    try:
        key.verify(signature, canonical_bytes(envelope.unsigned()))
    except InvalidSignature as exc:
        raise EnvelopeError(
            "bad-signature",
            f"signature does not verify against the key registered for agency "
            f"{envelope.agency!r}; sign the canonical form with that agency's current key",
        ) from exc


def named_match_keys(data: dict[str, Any]) -> set[str]:
    """The person and place match keys a payload names (parties, party, location, proposal,
    and the subject of a consent record)."""
    found: list[Any] = []
    parties = data.get("parties")
    for party in parties if isinstance(parties, list) else []:
        found.append(party.get("match_key") if isinstance(party, dict) else None)
    for name in ("party", "location", "subject"):
        if isinstance(data.get(name), dict):
            found.append(data[name].get("match_key"))
    if isinstance(data.get("proposal"), dict):
        found += [data["proposal"].get("a"), data["proposal"].get("b")]
    return {key for key in found if isinstance(key, str)}


def check_identity(envelope: Envelope) -> None:
    """Refuse an event whose ``id`` or ``subject`` names another record or person than its
    payload: the hub keeps each id once, so a wrong id would stand in for (and later silently
    suppress) another record's event, and a wrong subject breaks per-subject ordering.

    The id is ``<agency>:<type>:<record ref>:v<record version>`` (``<agency>:<type>:...`` for a
    payload without a record); the subject is one of the match keys the payload names, else
    ``<agency>:<record ref>`` (a case change, which names nobody, may use any match key).
    Call it on a schema-valid envelope; docs/envelope.md gives the rules to publishers.
    """
    prefix = f"{envelope.agency}:{envelope.type}:"
    record = envelope.data.get("record")
    if isinstance(record, dict):
        ref, version = record.get("ref"), record.get("version")
        expected = f"{prefix}{ref}:v{version}"
        if envelope.id != expected:
            raise EnvelopeError(
                "id-mismatch",
                f"event id {envelope.id!r} does not name the record in its payload ({ref!r} "
                f"version {version!r}); the id must be {expected!r}")
        own = {f"{envelope.agency}:{ref}", f"{record.get('agency') or envelope.agency}:{ref}"}
    elif not envelope.id.startswith(prefix) or envelope.id == prefix:
        raise EnvelopeError("id-mismatch", f"event id {envelope.id!r} must begin "
                            f"{prefix!r} and go on to name the event")
    else:
        own = set()
    named = named_match_keys(envelope.data)
    if envelope.subject in named | own:
        return
    if not named and MATCH_KEY.fullmatch(envelope.subject):
        return
    allowed = sorted(named | own)
    raise EnvelopeError(
        "subject-mismatch",
        f"event {envelope.id!r} has subject {envelope.subject!r}, which names nobody in its "
        f"payload; use one of: {', '.join(allowed) or 'a person or place match key'}")
