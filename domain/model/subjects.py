"""Locations and possible matches: the subjects the partnership links records about.

Like Person, a Location holds only its match key (HMAC of UPRN or address) plus the ward and
estate it is in, which are not personal data and make hotspot views possible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model import ids
from domain.model.errors import DomainRefused
from domain.model.person import LinkIndex, RecordLink


@ids.remembered
def location_id(match_key: str) -> UUID:
    return uuid5(ids.NAMESPACE, f"location:{match_key}")


@ids.remembered
def name_index_id(name_key: str) -> UUID:
    return uuid5(ids.NAMESPACE, f"name-index:{name_key}")


def proposal_id(a: str, b: str) -> UUID:
    first, second = sorted((a, b))
    return uuid5(ids.NAMESPACE, f"match-proposal:{first}:{second}")


class Location(LinkIndex, Aggregate):
    """Every agency record at one address or place (repeat addresses: 000:L241)."""

    @staticmethod
    def create_id(match_key: str, **_: Any) -> UUID:
        return location_id(match_key)

    @event("Registered")
    def __init__(self, *, match_key: str, ward: str | None, estate: str | None) -> None:
        self.match_key = match_key
        self.ward = ward
        self.estate = estate
        self.links: list[RecordLink] = []

    def link(self, kind: str, agency: str, ref: str) -> None:
        if not self._has_link(RecordLink(kind, agency, ref, "location")):
            self._linked(kind=kind, agency=agency, ref=ref)

    @event("LinkedToRecord")
    def _linked(self, *, kind: str, agency: str, ref: str) -> None:
        self._add_link(RecordLink(kind, agency, ref, "location"))


class NameIndex(Aggregate):
    """The person keys seen with one name key, and their date-of-birth keys."""

    @staticmethod
    def create_id(name_key: str, **_: Any) -> UUID:
        return name_index_id(name_key)

    @event("Started")
    def __init__(self, *, name_key: str) -> None:
        self.name_key = name_key
        self.people: dict[str, str | None] = {}

    @event("Noted")
    def note(self, *, match_key: str, dob_key: str | None) -> None:
        self.people[match_key] = dob_key


PROPOSED, CONFIRMED, REJECTED, UNMERGED = "proposed", "confirmed", "rejected", "unmerged"


class MatchProposal(Aggregate):
    """Two person keys that may be one person; a person decides (domain/rules/matching.py)."""

    @staticmethod
    def create_id(a: str, b: str, **_: Any) -> UUID:
        return proposal_id(a, b)

    @event("Proposed")
    def __init__(self, *, a: str, b: str, rule: str, proposed_at: datetime) -> None:
        self.a, self.b = sorted((a, b))
        self.rule = rule
        self.proposed_at = proposed_at
        self.status = PROPOSED
        self.decisions: list[str] = []

    def decide(self, decision: str, by: str, at: datetime, source_event_id: str) -> None:
        allowed = {"confirm": {PROPOSED, UNMERGED}, "reject": {PROPOSED},
                   "unmerge": {CONFIRMED}}
        if decision not in allowed:
            raise DomainRefused("unknown-decision", f"decision must be one of {sorted(allowed)}")
        if source_event_id in self.decisions:
            return
        if self.status not in allowed[decision]:
            raise DomainRefused("match-decision-contradicts",
                                f"cannot {decision} a match that is {self.status}")
        self._decided(decision=decision, by=by, at=at, source_event_id=source_event_id)

    # -- probabilistic matches (hub/matching): the score a person sees, field by field ----------

    weight: float | None = None  # class defaults: proposals made before scores existed
    outcome: str | None = None
    fields: Sequence[dict[str, Any]] = ()
    reasons: Sequence[str] = ()

    @event("Scored")
    def score(self, *, weight: float, outcome: str, fields: list[dict[str, Any]],
              reasons: list[str]) -> None:
        """Why the hub linked or proposed these two: each field's level and match weight."""
        self.weight, self.outcome = weight, outcome
        self.fields, self.reasons = fields, reasons

    @event("Decided")
    def _decided(self, *, decision: str, by: str, at: datetime, source_event_id: str) -> None:
        self.status = {"confirm": CONFIRMED, "reject": REJECTED, "unmerge": UNMERGED}[decision]
        self.decisions.append(source_event_id)
