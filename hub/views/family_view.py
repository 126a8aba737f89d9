"""A nominal's family: the relatives the agencies recorded for one party of a case.

The requester names the nominal as a case party (case agency and reference, the party's index
in the case view and its role), never by match key, so asking reveals nothing the case view
does not. Every field is in the ``family`` data category, supplied by the agency that recorded
the tie, and labelled so the sharing policy can protect people:

* ``youth`` when the relative or the nominal is under 18 (seeds/002 L1038-1042);
* the most protected role of the two, in the case or any record the hub holds on either (a
  complainant's or witness's family identifies them: seeds/002 L1208, L261, L316), and
  ``anonymity_requested`` if either asked for it in any of those records (seeds/000 L433;
  docs/policies.md "Identity protection by person").

Only current ties are listed: one with an ``until`` date on or before today has ended. Ties
recorded under any key confirmed as the same person as the nominal (hub/matching) count too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.model import Case
from domain.model.family import Relationship, family_id, held_relationship_id
from hub.application import PartnershipHub
from hub.matching.people import linked_people
from hub.views.fields import ViewField
from hub.views.standing import Standing, standing_elsewhere

CATEGORY = "family"  # policies/hub/config/categories/data.json
# Case roles from most to least protected (as hub/views/case_view.py ranks a record's parties).
PROTECTION_ORDER = ("complainant", "witness", "victim", "alleged_perpetrator")


@dataclass(frozen=True)
class Tie:
    relationship: Relationship
    relation: str  # what the relative is to the nominal
    relative: dict[str, Any]


@dataclass(frozen=True)
class FamilyView:
    case: Case
    nominal: dict[str, Any]
    ties: list[Tie]
    # The nominal's and each relative's standing in every record the hub holds on them.
    elsewhere: dict[str, Standing] = field(default_factory=dict)

    @property
    def subjects(self) -> list[str]:
        return sorted({self.nominal["match_key"], *(t.relative["match_key"] for t in self.ties)})

    def fields(self, today: date) -> list[ViewField]:
        parties: dict[str, list[dict[str, Any]]] = {}
        for party in self.case.parties:
            parties.setdefault(party["match_key"], []).append(party)
        found: list[ViewField] = []
        for n, tie in enumerate(self.ties):
            relative = tie.relative
            people = [self.nominal, *parties.get(relative["match_key"], [])]
            flags = {"domestic_abuse": False,
                     "youth": any(is_minor(p.get("date_of_birth"), today)
                                  for p in (relative, self.nominal)),
                     "anonymity_requested": any(bool(p.get("anonymity_requested"))
                                                for p in people)}
            role = min((p["role"] for p in people if p.get("role") in PROTECTION_ORDER),
                       key=PROTECTION_ORDER.index, default=None)
            held = (Standing(role) | self.elsewhere.get(relative["match_key"], Standing())
                    | self.elsewhere.get(self.nominal["match_key"], Standing()))
            role = held.role
            flags["anonymity_requested"] = flags["anonymity_requested"] \
                or held.anonymity_requested
            rel = tie.relationship
            values = {"relationship": tie.relation, "name": relative.get("name"),
                      "date_of_birth": relative.get("date_of_birth"), "since": rel.since,
                      "lives_together": rel.lives_together, "recorded_by": rel.agency}
            found += [ViewField(f"family.{n}.{name}", value, CATEGORY, rel.agency,
                                relative["match_key"], role, dict(flags))
                      for name, value in values.items() if value is not None]
        return found


def is_minor(dob: str | None, today: date) -> bool:
    if not dob:
        return False
    born = date.fromisoformat(dob)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)) < 18


def build_family_view(app: PartnershipHub, agency: str, ref: str, party_index: int,
                      party_role: str, today: date) -> FamilyView | None:
    """None when there is no such case or party (the caller records a refusal either way)."""
    case = app.case(agency, ref)
    if case is None or not 0 <= party_index < len(case.parties):
        return None
    nominal = case.parties[party_index]
    if nominal.get("role") != party_role:
        return None
    # Every key the nominal stands for once confirmed links are followed (hub/matching).
    keys = {nominal["match_key"], *(p.match_key for p in linked_people(app,
                                                                       nominal["match_key"]))}
    ties: dict[str, Tie] = {}
    for key in sorted(keys):
        family = app.get_or_none(family_id(key))
        for held in family.relationships if family is not None else []:
            tie: Relationship | None = app.get_or_none(held_relationship_id(held))
            seen = tie.seen_from(key) if tie is not None else None
            if tie is None or seen is None or not tie.is_current(today) \
                    or seen[1]["match_key"] in keys:  # a tie of the nominal to themselves
                continue
            ties.setdefault(held, Tie(tie, *seen))
    found = sorted(ties.values(), key=lambda t: (t.relationship.agency, t.relationship.ref))
    elsewhere = standing_elsewhere(app, {nominal["match_key"],
                                         *(t.relative["match_key"] for t in found)})
    return FamilyView(case, nominal, found, elsewhere)
