"""The one envelope every agency event travels in.

Attribute names follow CloudEvents 1.0 (specversion, id, source, type, time, subject,
datacontenttype, dataschema, data) with three hub extensions: ``agency`` (who supplied it),
``schemaversion`` (of the ``data`` payload) and ``signature`` (Ed25519 over the canonical
form of everything else). Connectors build and sign; the hub verifies and validates. Both
sides use this module, so there is exactly one definition of "canonical" and "valid".

Canonical form (documented for non-Python publishers in docs/envelope.md): the envelope
without ``signature``, serialised as JSON with keys sorted, no insignificant whitespace
and UTF-8 text (``jq -cS 'del(.signature)'`` produces the same bytes).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
REQUIRED_ATTRIBUTES = ("specversion", "id", "source", "type", "time", "subject", "agency",
                       "schemaversion", "datacontenttype", "data", "signature")


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
    datacontenttype: str = CONTENT_TYPE
    specversion: str = SPEC_VERSION

    @property
    def dataschema(self) -> str:
        return f"urn:csp-hub:schema:{self.type}:{self.schemaversion}"

    def unsigned(self) -> dict[str, Any]:
        return {
            "specversion": self.specversion,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "time": self.time,
            "subject": self.subject,
            "agency": self.agency,
            "schemaversion": self.schemaversion,
            "datacontenttype": self.datacontenttype,
            "dataschema": self.dataschema,
            "data": self.data,
        }

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
                    agency=agency, schemaversion=schemaversion, data=data)


def sign(envelope: Envelope, key: Ed25519PrivateKey) -> Envelope:
    signature = key.sign(canonical_bytes(envelope.unsigned()))
    return Envelope(**{**envelope.__dict__, "signature": base64.b64encode(signature).decode()})


def parse(raw: bytes) -> Envelope:
    """Parse bytes from the wire into an Envelope, or say exactly what is wrong."""
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise EnvelopeError("malformed-json",
                            f"message is not UTF-8 JSON ({exc}); publish one JSON object "
                            "per message") from exc
    if not isinstance(doc, dict):
        raise EnvelopeError("malformed-envelope", "message must be a JSON object")
    missing = [name for name in REQUIRED_ATTRIBUTES if name not in doc]
    if missing:
        raise EnvelopeError("malformed-envelope",
                            f"envelope lacks required attribute(s) {', '.join(missing)}")
    if doc["specversion"] != SPEC_VERSION:
        raise EnvelopeError("malformed-envelope",
                            f"specversion must be {SPEC_VERSION!r}, got {doc['specversion']!r}")
    if doc["datacontenttype"] != CONTENT_TYPE:
        raise EnvelopeError("malformed-envelope",
                            f"datacontenttype must be {CONTENT_TYPE!r}")
    if not isinstance(doc["data"], dict):
        raise EnvelopeError("malformed-envelope", "data must be a JSON object")
    for name in REQUIRED_ATTRIBUTES:
        if name != "data" and not isinstance(doc[name], str):
            raise EnvelopeError("malformed-envelope", f"attribute {name!r} must be a string")
    envelope = Envelope(**{k: doc[k] for k in REQUIRED_ATTRIBUTES})
    if doc.get("dataschema", envelope.dataschema) != envelope.dataschema:
        raise EnvelopeError("malformed-envelope",
                            f"dataschema {doc['dataschema']!r} does not match type and "
                            f"schemaversion (expected {envelope.dataschema!r})")
    return envelope


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
