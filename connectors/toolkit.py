"""The connector toolkit: from an agency's own records to validated, signable envelopes.

A connector is two functions: ``read(path)`` yields ``(row_number, record)`` pairs from the
agency's export, and ``map(record, ctx)`` turns one record into an :class:`Envelope` or raises
:class:`MappingError` naming the source field and the reason. :func:`map_records` runs both,
validates each envelope against the hub's schema *locally* (``domain.contract.schemas``) and
yields either an envelope or a :class:`Reject` the agency can act on. Match keys are computed
here, with the partnership key, so raw identifiers are never needed for matching.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from domain.contract import matchkeys, schemas
from domain.contract.envelope import Envelope, EnvelopeError, new_envelope

NSIR_CATEGORIES = (
    "verbal_abuse_harassment", "hate_related", "domestic_abuse", "physical_violence", "noise",
    "drugs", "alcohol", "prostitution_kerb_crawling", "vehicle_nuisance", "pets_animals",
    "misuse_of_communal_areas", "vandalism", "litter_fly_tipping", "garden_nuisance",
    "criminal_behaviour",
)
TRUE_WORDS = frozenset({"y", "yes", "true", "1"})


class MappingError(ValueError):
    """A source record that cannot be mapped: ``field`` is the agency's own column name."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Reject:
    """One record the connector did not send, with what the agency must fix."""

    row: int
    field: str
    reason: str
    ref: str = ""
    source: str = ""


@dataclass(frozen=True)
class Context:
    agency: str
    partnership_key: bytes
    source: str  # the envelope ``source`` URN for this connector


Reader = Callable[[Path], Iterator[tuple[int, dict[str, Any]]]]
Mapper = Callable[[dict[str, Any], Context], Envelope]


@dataclass(frozen=True)
class ConnectorSpec:
    name: str
    read: Reader
    map: Mapper
    description: str = ""
    ref_field: str = ""  # the source column holding the record's own id, for rejects
    extra: dict[str, Any] = field(default_factory=dict)

    def source_urn(self, agency: str) -> str:
        return f"urn:csp-hub:agency:{agency}:{self.name}"


# -- helpers for mappers ------------------------------------------------------------------------

def required(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None or str(value).strip() == "":
        raise MappingError(name, "required value is missing")
    return str(value).strip()


def optional(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    return "" if value is None else str(value).strip()


def flag(record: dict[str, Any], name: str) -> bool:
    return optional(record, name).lower() in TRUE_WORDS


def version_of(record: dict[str, Any], name: str = "version") -> int:
    text = optional(record, name) or "1"
    try:
        version = int(text)
    except ValueError:
        raise MappingError(name, f"version must be a whole number, got {text!r}") from None
    if version < 1:
        raise MappingError(name, f"version must be 1 or more, got {version}")
    return version


_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")


def timestamp(record: dict[str, Any], name: str, *, default: str | None = None) -> str:
    """An RFC 3339 UTC timestamp from ISO 8601 or the UK ``dd/mm/yyyy hh:mm`` form.

    Times without an offset are taken as UTC (document the agency's convention in its mapping).
    """
    text = optional(record, name) or (default or "")
    if not text:
        raise MappingError(name, "required date and time is missing")
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _NAIVE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise MappingError(name, f"not a date and time: {text!r} (use ISO 8601 or "
                                 "dd/mm/yyyy hh:mm)")
    if parsed.tzinfo is None:
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return parsed.isoformat().replace("+00:00", "Z")


def birth_date(record: dict[str, Any], name: str) -> str:
    text = optional(record, name)
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
        try:
            return parse(text).isoformat()
        except ValueError:
            continue
    raise MappingError(name, f"not a date of birth: {text!r} (use yyyy-mm-dd or dd/mm/yyyy)")


def party(ctx: Context, record: dict[str, Any], role: str, name_field: str, dob_field: str,
          **extra: Any) -> dict[str, Any] | None:
    """A party with its match key, or None when the record names nobody in that role.

    A name without a date of birth (or the reverse) cannot be matched and is rejected, so
    the agency learns of it rather than the hub silently holding an unlinkable person.
    """
    name, dob = optional(record, name_field), optional(record, dob_field)
    if not name and not dob:
        return None
    if not name:
        raise MappingError(name_field, f"{dob_field} is given but the name is missing")
    if not dob:
        raise MappingError(dob_field, f"{name_field} is given but the date of birth is missing")
    dob = birth_date(record, dob_field)
    key = ctx.partnership_key
    found = {"role": role, "match_key": matchkeys.person_key(key, name, dob),
             "name_key": matchkeys.name_key(key, name), "dob_key": matchkeys.dob_key(key, dob),
             "name": name, "date_of_birth": dob}
    found.update({k: v for k, v in extra.items() if v not in (None, "", [])})
    return found


def location(ctx: Context, record: dict[str, Any], *, address: str = "address",
             postcode: str = "postcode", ward: str = "ward", uprn: str = "uprn",
             estate: str | None = None) -> dict[str, Any] | None:
    addr, pc, up = optional(record, address), optional(record, postcode), optional(record, uprn)
    if not (addr or pc or up):
        return None
    found = {"match_key": matchkeys.location_key(ctx.partnership_key, uprn=up or None,
                                                 address=addr, postcode=pc),
             "address": addr, "postcode": pc, "ward": optional(record, ward)}
    if estate and optional(record, estate):
        found["estate"] = optional(record, estate)
    return found


def envelope_for(ctx: Context, event_type: str, ref: str, version: int, subject: str,
                 data: dict[str, Any], schemaversion: str = "1") -> Envelope:
    """Event id ``{agency}:{type}:{ref}:v{version}``: a re-export is never a duplicate."""
    return new_envelope(event_id=f"{ctx.agency}:{event_type}:{ref}:v{version}",
                        source=ctx.source, event_type=event_type, subject=subject,
                        agency=ctx.agency, data=data, schemaversion=schemaversion)


ROLE_PRIORITY = ("victim", "complainant", "witness", "alleged_perpetrator")


def subject_for(ctx: Context, parties: list[dict[str, Any]], loc: dict[str, Any] | None,
                ref: str) -> str:
    """The Kafka key: the person most at risk, else the place, else the record itself.

    Every event about one subject goes to one partition, so arrives in order.
    """
    if parties:
        ranked = sorted(parties, key=lambda p: ROLE_PRIORITY.index(p["role"]))
        return str(ranked[0]["match_key"])
    if loc:
        return str(loc["match_key"])
    return f"{ctx.agency}:{ref}"


def read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered as a spreadsheet shows them: the header is row 1, the first record row 2."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def read_json_records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """A JSON array of records, or JSON Lines; records numbered from 1."""
    text = path.read_text(encoding="utf-8")
    if text.lstrip().startswith("["):
        items = json.loads(text)
    else:
        items = [json.loads(line) for line in text.splitlines() if line.strip()]
    for index, item in enumerate(items, start=1):
        yield index, item if isinstance(item, dict) else {"_not_an_object": item}


def lookup(table: dict[str, str], record: dict[str, Any], name: str, what: str) -> str:
    """Map an agency's code to the hub's vocabulary, or reject naming the code."""
    code = required(record, name)
    found = table.get(normalise_code(code))
    if found is None:
        raise MappingError(name, f"unknown {what} {code!r}; known: {', '.join(sorted(table))}")
    return found


def normalise_code(code: str) -> str:
    return " ".join(re.sub(r"\s*/\s*", "/", code.strip().lower()).split())


# -- running a connector --------------------------------------------------------------------------

_FIELD = re.compile(r"data field '([^']*)'")


def check(envelope: Envelope) -> None:
    """Validate against the hub's own schema here, before anything is published."""
    schemas.validate(envelope)


def map_records(spec: ConnectorSpec, path: Path, *, agency: str, partnership_key: bytes
                ) -> Iterator[Envelope | Reject]:
    ctx = Context(agency, partnership_key, spec.source_urn(agency))
    for row, record in spec.read(path):
        yield map_one(spec, ctx, row, record, source=str(path))


def map_one(spec: ConnectorSpec, ctx: Context, row: int, record: dict[str, Any],
            source: str = "") -> Envelope | Reject:
    ref = optional(record, spec.ref_field) if spec.ref_field else ""
    try:
        envelope = spec.map(record, ctx)
        check(envelope)
    except MappingError as exc:
        return Reject(row, exc.field, exc.reason, ref, source)
    except EnvelopeError as exc:
        match = _FIELD.search(str(exc))
        path = match.group(1) if match else "(event)"
        column = path.rsplit("/", 1)[-1]
        # Name the agency's own column when the schema path ends in one it sent.
        return Reject(row, column if column in record else path, str(exc), ref, source)
    return envelope
