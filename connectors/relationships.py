"""Family and household relationships: an agency's CSV export of the people it knows to be
related (a police nominal's family from the gangs unit, a child's family from Children's
Services).

Each row says the related person is the subject's <relationship> ("Kai is Jordan's
brother") and maps to ``person.relationship.recorded`` with the related person as ``person``
and the subject as ``relative``. Relationship words map to the hub's fixed list (parent,
child, sibling, partner, former partner, carer, cared for); an ``until`` date ends the tie
(a later version of the same reference replaces the earlier one). Names and dates of birth
are sent so that a panel entitled to the family (GMAP, seeds/002 L890) can be told who the
relatives are; match keys are computed here, as for every party.
Mapping document: docs/connectors/relationships-csv.md.
"""

from __future__ import annotations

from typing import Any

from connectors.toolkit import (
    ConnectorSpec,
    Context,
    MappingError,
    birth_date,
    envelope_for,
    flag,
    lookup,
    optional,
    party,
    read_csv,
    required,
    timestamp,
    version_of,
)
from domain.contract.envelope import Envelope

NAME = "relationships-csv"
EVENT_TYPE = "person.relationship.recorded"

RELATIONSHIPS = {
    "mother": "parent", "father": "parent", "parent": "parent", "step-parent": "parent",
    "stepmother": "parent", "stepfather": "parent", "guardian": "parent",
    "son": "child", "daughter": "child", "child": "child", "stepchild": "child",
    "brother": "sibling", "sister": "sibling", "sibling": "sibling",
    "half-brother": "sibling", "half-sister": "sibling", "step-sibling": "sibling",
    "partner": "partner", "wife": "partner", "husband": "partner", "spouse": "partner",
    "girlfriend": "partner", "boyfriend": "partner",
    "ex-partner": "former_partner", "former partner": "former_partner",
    "ex-wife": "former_partner", "ex-husband": "former_partner",
    "carer": "carer", "cared for": "cared_for",
}


def _person(ctx: Context, record: dict[str, Any], name: str, dob: str) -> dict[str, Any]:
    found = party(ctx, record, "relative", name, dob)
    if found is None:
        raise MappingError(name, "a relationship needs both people's names and dates of birth")
    found.pop("role")
    return found


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    ref = required(record, "relationship_ref")
    version = version_of(record, "version")
    subject = _person(ctx, record, "subject_name", "subject_dob")
    related = _person(ctx, record, "related_name", "related_dob")
    if subject["match_key"] == related["match_key"]:
        raise MappingError("related_name", "the related person is the subject themselves")
    data: dict[str, Any] = {
        "record": {"ref": ref, "version": version},
        "recorded_at": timestamp(record, "recorded_at"),
        "person": related,
        "relationship": lookup(RELATIONSHIPS, record, "relationship", "relationship"),
        "relative": subject,
    }
    for name in ("since", "until"):
        if optional(record, name):
            data[name] = birth_date(record, name)
    if optional(record, "lives_together"):
        data["lives_together"] = flag(record, "lives_together")
    return envelope_for(ctx, EVENT_TYPE, ref, version, str(subject["match_key"]), data)


SPEC = ConnectorSpec(NAME, read_csv, to_envelope,
                     "family and household relationships (CSV export)",
                     ref_field="relationship_ref")
