"""Police incidents and calls: a force's CSV export (CAD calls and recorded incidents).

Maps to ``incident.reported``. Police ASB types and incident classifications map to the 15
Housemark/NSIR categories; the ``markers`` column's confidentiality markers make the event
``confidentiality: strict`` (police information given in strict confidence, seeds/002 L1357).
Mapping document: docs/connectors/police-csv.md.
"""

from __future__ import annotations

from typing import Any

from connectors import sensitive
from connectors.toolkit import (
    ConnectorSpec,
    Context,
    MappingError,
    envelope_for,
    location,
    lookup,
    optional,
    party,
    read_csv,
    required,
    subject_for,
    timestamp,
    version_of,
)
from domain.contract.envelope import Envelope

NAME = "police-csv"
EVENT_TYPE = "incident.reported"

CATEGORIES = {
    # Home Office / NSIR police ASB types
    "abandoned vehicle": "vehicle_nuisance",
    "vehicle nuisance/inappropriate use": "vehicle_nuisance",
    "animal problems": "pets_animals",
    "begging/vagrancy": "misuse_of_communal_areas",
    "combustion/fireworks": "noise",
    "littering/drugs paraphernalia": "litter_fly_tipping",
    "malicious/nuisance communications": "verbal_abuse_harassment",
    "noise": "noise",
    "prostitution related activity": "prostitution_kerb_crawling",
    "rowdy/inconsiderate behaviour": "verbal_abuse_harassment",
    "rowdy/nuisance neighbours": "noise",
    "street drinking": "alcohol",
    "trespass": "misuse_of_communal_areas",
    # incident classifications that reach the partnership
    "drugs": "drugs",
    "hate incident": "hate_related",
    "domestic incident": "domestic_abuse",
    "assault": "physical_violence",
    "criminal damage": "vandalism",
    "harassment": "verbal_abuse_harassment",
    "other crime": "criminal_behaviour",
}
CHANNELS = {"999": "phone", "101": "phone", "online": "online", "officer": "officer",
            "third party": "on_behalf", "anonymous": "anonymous", "front counter": "in_person"}
STRICT_MARKERS = {"CONFIDENTIAL", "RESTRICTED", "OFFICIAL-SENSITIVE", "STRICT"}
FLAG_MARKERS = {"DA": "domestic_abuse", "HATE": "hate", "CHILD": "youth", "YOUTH": "youth",
                "VULNERABLE": "safeguarding", "SAFEGUARDING": "safeguarding"}
RECORD_TYPES = {"CALL", "INCIDENT"}


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    record_type = required(record, "record_type").upper()
    if record_type not in RECORD_TYPES:
        raise MappingError("record_type", f"must be CALL or INCIDENT, got {record_type!r}")
    ref = required(record, "reference")
    version = version_of(record, "version")
    occurred = timestamp(record, "occurred")
    category = lookup(CATEGORIES, record, "police_category", "police category")
    markers = {m.strip().upper() for m in optional(record, "markers").split("|") if m.strip()}
    flags = {"domestic_abuse": category == "domestic_abuse", "hate": category == "hate_related"}
    for marker, flag_name in FLAG_MARKERS.items():
        if marker in markers:
            flags[flag_name] = True
    parties = [p for p in (
        party(ctx, record, "victim", "victim_name", "victim_dob",
              ethnicity=optional(record, "victim_ethnicity")),
        party(ctx, record, "alleged_perpetrator", "suspect_name", "suspect_dob",
              previous_offences=sensitive.previous_offences(record, "suspect_previous")),
    ) if p]
    loc = location(ctx, record)
    data: dict[str, Any] = {
        "record": {"ref": ref, "version": version},
        "occurred_at": occurred,
        "reported_at": timestamp(record, "reported", default=occurred),
        "category": category,
        "summary": f"{record_type.title()}: {optional(record, 'summary')}".strip(),
        "parties": parties,
        "flags": flags,
        "confidentiality": "strict" if markers & STRICT_MARKERS else "standard",
    }
    motivation = sensitive.hate_motivation(record, "hate_motivation")
    if motivation:
        data["hate_motivation"] = motivation
    if optional(record, "call_source"):
        data["channel"] = lookup(CHANNELS, record, "call_source", "call source")
    if loc:
        data["location"] = loc
    return envelope_for(ctx, EVENT_TYPE, ref, version, subject_for(ctx, parties, loc, ref), data)


SPEC = ConnectorSpec(NAME, read_csv, to_envelope, "police incidents and calls (CSV export)",
                     ref_field="reference")
