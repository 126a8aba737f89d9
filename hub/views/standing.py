"""A person's standing: the most protected role any record gives them and whether they asked
for anonymity in any record. Protection is the person's, not one record's (docs/policies.md
"Identity protection by person"; seeds/002 L1208, L261, L316; seeds/000 L433), so every field
about a person carries their standing across the view and every record the hub holds on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from hub.matching.people import linked_people
from hub.views.fields import ViewField

# Most protected first: a protected role anywhere wins (fail closed).
ROLE_PRECEDENCE = ("complainant", "witness", "victim", "alleged_perpetrator")


def rank(role: str | None) -> int:
    """A role's place in ``ROLE_PRECEDENCE``; no role (or one unknown) ranks after all."""
    return ROLE_PRECEDENCE.index(role) if role in ROLE_PRECEDENCE else len(ROLE_PRECEDENCE)


@dataclass(frozen=True)
class Standing:
    role: str | None = None
    anonymity_requested: bool = False

    def __or__(self, other: Standing) -> Standing:
        """The more protected of both: the better role, anonymity if either asked."""
        role = self.role if rank(self.role) <= rank(other.role) else other.role
        return Standing(role, self.anonymity_requested or other.anonymity_requested)


def of_party(party: dict[str, Any]) -> Standing:
    return Standing(party.get("role"), bool(party.get("anonymity_requested")))


def of_parties(parties: Iterable[dict[str, Any]]) -> dict[str, Standing]:
    """Each person's standing across the given parties (from any number of records)."""
    found: dict[str, Standing] = {}
    for party in parties:
        key = party.get("match_key")
        if key:
            found[key] = found.get(key, Standing()) | of_party(party)
    return found


def combined(*standings: dict[str, Standing]) -> dict[str, Standing]:
    found: dict[str, Standing] = {}
    for standing in standings:
        for key, held in standing.items():
            found[key] = found.get(key, Standing()) | held
    return found


def most_protected(standings: Iterable[Standing]) -> Standing:
    found = Standing()
    for held in standings:
        found = found | held
    return found


def by_person(fields: list[ViewField], standing: dict[str, Standing]) -> list[ViewField]:
    """Every field about a person gets their standing: the more protected of the role the
    field's record gives them and their most protected role anywhere, and
    ``anonymity_requested`` if they asked for it in any record."""
    found = []
    for f in fields:
        held = standing.get(f.subject) if f.subject else None
        if held is not None:
            role = (Standing(f.subject_role) | held).role
            flags = {**f.flags, "anonymity_requested": True} \
                if held.anonymity_requested else f.flags
            if role != f.subject_role or flags is not f.flags:
                f = replace(f, subject_role=role, flags=flags)
        found.append(f)
    return found


def standing_elsewhere(app: Any, keys: set[str]) -> dict[str, Standing]:
    """Each person's standing in every record naming them or anyone a confirmed match links
    with them: the most protected role and any request for anonymity, read from the
    party_standing view (hub/views/party_standing.py) in one query for all of them."""
    from hub.views.party_standing import PartyStanding

    groups = {key: {key, *(p.match_key for p in linked_people(app, key))}
              for key in sorted(keys)}
    held = PartyStanding.of(app).standing(set().union(*groups.values()))
    return {key: most_protected(held[k] for k in group if k in held)
            for key, group in groups.items()}
