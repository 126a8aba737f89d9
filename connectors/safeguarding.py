"""Children's and adults' safeguarding referrals (MASH style): the MASH's CSV export.

Only referrals whose concern is ASB or crime the partnership works on are shared; welfare-only
concerns (neglect, self-neglect) stay in the MASH and are reported as rejects. Each shared
referral maps to ``incident.reported`` with ``flags.safeguarding`` (special category data),
``flags.youth`` for children's referrals or anyone under 18, ``confidentiality: strict`` and a
summary built from coded fields only: the referral's free text never leaves the MASH.
Mapping document: docs/connectors/mash-csv.md.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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

NAME = "mash-csv"
EVENT_TYPE = "incident.reported"

CONCERNS = {
    "child criminal exploitation": "criminal_behaviour",
    "child sexual exploitation": "criminal_behaviour",
    "gang association": "criminal_behaviour",
    "cuckooing": "drugs",
    "county lines": "drugs",
    "domestic abuse": "domestic_abuse",
    "modern slavery": "criminal_behaviour",
    "hate crime": "hate_related",
    "physical abuse": "physical_violence",
    "financial abuse": "criminal_behaviour",
    "harassment": "verbal_abuse_harassment",
}
NOT_SHARED = {"neglect", "self-neglect", "emotional abuse"}
SERVICES = {"children", "adults"}


def _age(dob: str, on: str) -> int:
    born, day = date.fromisoformat(dob), date.fromisoformat(on[:10])
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    ref = required(record, "referral_ref")
    version = version_of(record, "version")
    service = required(record, "service").lower()
    if service not in SERVICES:
        raise MappingError("service", f"must be children or adults, got {service!r}")
    concern = required(record, "concern")
    if concern.lower() in NOT_SHARED:
        raise MappingError("concern", f"{concern!r} is a welfare concern, not ASB or crime: "
                                      "it is not shared with the partnership hub")
    category = lookup(CONCERNS, record, "concern", "safeguarding concern")
    received = timestamp(record, "received_at")
    subject = party(ctx, record, "victim", "subject_name", "subject_dob")
    if subject is None:
        raise MappingError("subject_name", "a referral must name the person at risk")
    alleged = party(ctx, record, "alleged_perpetrator", "alleged_name", "alleged_dob")
    parties = [p for p in (subject, alleged) if p]
    youth = service == "children" or _age(subject["date_of_birth"], received) < 18
    rag = optional(record, "rag").upper() or "UNRATED"
    referrer = optional(record, "referrer_agency") or "unknown referrer"
    loc = location(ctx, record)
    data: dict[str, Any] = {
        "record": {"ref": ref, "version": version},
        "occurred_at": timestamp(record, "concern_date", default=received),
        "reported_at": received,
        "category": category,
        "channel": "on_behalf",
        "summary": f"MASH referral ({service}) from {referrer}: {concern}; RAG {rag}.",
        "parties": parties,
        "flags": {"safeguarding": True, "youth": youth,
                  "domestic_abuse": category == "domestic_abuse",
                  "hate": category == "hate_related"},
        "confidentiality": "strict",
    }
    if loc:
        data["location"] = loc
    return envelope_for(ctx, EVENT_TYPE, ref, version, subject_for(ctx, parties, loc, ref), data)


SPEC = ConnectorSpec(NAME, read_csv, to_envelope,
                     "children's and adults' safeguarding referrals (MASH CSV export)",
                     ref_field="referral_ref")
