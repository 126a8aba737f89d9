"""Housing provider ASB cases: a housing management system's CSV export.

One row per case version (tenancy, estate, case, actions to date) maps to ``case.opened`` with
``location.estate``. The tenancy reference stays at the landlord: the place is matched by its
UPRN (else address) match key. Actions taken are summarised in ``summary`` (case.opened v1 has
no actions field). Mapping document: docs/connectors/housing-csv.md.
"""

from __future__ import annotations

from typing import Any

from connectors import sensitive
from connectors.toolkit import (
    ConnectorSpec,
    Context,
    envelope_for,
    flag,
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

NAME = "housing-csv"
EVENT_TYPE = "case.opened"

CASE_TYPES = {
    "asb-harass": "verbal_abuse_harassment", "asb-hate": "hate_related",
    "asb-dv": "domestic_abuse", "asb-viol": "physical_violence", "asb-noise": "noise",
    "asb-drugs": "drugs", "asb-alcohol": "alcohol", "asb-prost": "prostitution_kerb_crawling",
    "asb-vehicle": "vehicle_nuisance", "asb-pets": "pets_animals",
    "asb-communal": "misuse_of_communal_areas", "asb-vandal": "vandalism",
    "asb-litter": "litter_fly_tipping", "asb-garden": "garden_nuisance",
    "asb-crime": "criminal_behaviour",
}
PRIORITIES = {"p1": "tier1_immediate", "p2": "tier2_priority", "p3": "tier2_priority",
              "nfa": "excluded"}


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    ref = required(record, "case_ref")
    version = version_of(record, "case_version")
    category = lookup(CASE_TYPES, record, "case_type", "case type")
    parties = [p for p in (
        # The complainant is the tenant at the block address the case is recorded against.
        party(ctx, record, "complainant", "complainant_name", "complainant_dob",
              lives_at_location=True, health=sensitive.health(record, "complainant_health")),
        party(ctx, record, "alleged_perpetrator", "perpetrator_name", "perpetrator_dob"),
    ) if p]
    # Children living at the address: in a domestic abuse household they are victims of it
    # (Domestic Abuse Act 2021 s3), otherwise witnesses.
    parties += sensitive.household_children(
        ctx, record, "household_children",
        "victim" if category == "domestic_abuse" else "witness")
    loc = location(ctx, record, address="block_address", estate="estate")
    actions = [a.strip() for a in optional(record, "actions").split(";") if a.strip()]
    summary = optional(record, "description")
    if actions:
        summary = f"{summary} Actions to date: {'; '.join(actions)}.".strip()
    data: dict[str, Any] = {
        "record": {"ref": ref, "version": version},
        "opened_at": timestamp(record, "opened_date"),
        "category": category,
        "summary": summary,
        "parties": parties,
        "flags": {"domestic_abuse": category == "domestic_abuse",
                  "hate": category == "hate_related",
                  "safeguarding": flag(record, "vulnerable")},
    }
    if optional(record, "officer"):
        data["lead_officer"] = optional(record, "officer")
    if optional(record, "priority"):
        data["triage_tier"] = lookup(PRIORITIES, record, "priority", "priority")
    if loc:
        data["location"] = loc
    return envelope_for(ctx, EVENT_TYPE, ref, version, subject_for(ctx, parties, loc, ref), data)


SPEC = ConnectorSpec(NAME, read_csv, to_envelope, "housing provider ASB cases (CSV export)",
                     ref_field="case_ref")
