"""Noise service complaints: the council's 24/7 noise team's CSV export (high volume).

Every complaint maps to ``incident.reported`` with category ``noise`` and channel
``noise_service``. Complaints are keyed by the place (UPRN, else address), so the many repeat
complaints about one address share a partition and arrive in order; the hub links them by the
location match key. Mapping document: docs/connectors/noise-csv.md.
"""

from __future__ import annotations

from typing import Any

from connectors.toolkit import (
    ConnectorSpec,
    Context,
    MappingError,
    envelope_for,
    location,
    optional,
    party,
    read_csv,
    required,
    timestamp,
    version_of,
)
from domain.contract.envelope import Envelope

NAME = "noise-csv"
EVENT_TYPE = "incident.reported"
SOURCES = {"phone", "online", "app", "out of hours line", "email"}


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    ref = required(record, "complaint_ref")
    version = version_of(record, "version")
    received = timestamp(record, "received_at")
    source = optional(record, "source").lower()
    if source and source not in SOURCES:
        raise MappingError("source", f"unknown complaint source {source!r}; known: "
                                     f"{', '.join(sorted(SOURCES))}")
    loc = location(ctx, record)
    if loc is None:
        raise MappingError("address", "a noise complaint needs an address, postcode or UPRN")
    # The noise service records the complaint at the caller's home.
    complainant = party(ctx, record, "complainant", "complainant_name", "complainant_dob",
                        lives_at_location=True,
                        anonymity_requested=optional(record, "anonymous").lower() in {"y", "yes"}
                        or None)
    noise_type = optional(record, "noise_type") or "unspecified"
    outcome = optional(record, "visit_outcome") or "no visit"
    notes = optional(record, "notes")
    data: dict[str, Any] = {
        "record": {"ref": ref, "version": version},
        "occurred_at": timestamp(record, "occurred_at", default=received),
        "reported_at": received,
        "category": "noise",
        "channel": "noise_service",
        "summary": f"Noise ({noise_type}); visit: {outcome}." + (f" {notes}" if notes else ""),
        "parties": [complainant] if complainant else [],
        "location": loc,
        "confidentiality": "standard",
    }
    return envelope_for(ctx, EVENT_TYPE, ref, version, str(loc["match_key"]), data)


SPEC = ConnectorSpec(NAME, read_csv, to_envelope, "noise service complaints (CSV export)",
                     ref_field="complaint_ref")
