"""A person as the partnership knows them: only a match key, and the records that mention it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.model import ids


@dataclass(frozen=True)
class RecordLink:
    kind: str  # "incident" or "case"
    agency: str
    ref: str
    role: str


class Person(Aggregate):
    """Links every agency record that carries this person's match key.

    The aggregate holds no name or date of birth: those stay in the agencies' records, so the
    link itself reveals nothing about who the person is.
    """

    @staticmethod
    def create_id(match_key: str, **_: Any) -> UUID:
        return ids.person_id(match_key)

    @event("Registered")
    def __init__(self, *, match_key: str) -> None:
        self.match_key = match_key
        self.links: list[RecordLink] = []

    def link(self, kind: str, agency: str, ref: str, role: str) -> None:
        if RecordLink(kind, agency, ref, role) not in self.links:
            self._linked(kind=kind, agency=agency, ref=ref, role=role)

    @event("LinkedToRecord")
    def _linked(self, *, kind: str, agency: str, ref: str, role: str) -> None:
        self.links.append(RecordLink(kind, agency, ref, role))

    # -- merges: confirmed matches are events and can be undone --------------------------------

    merged_into: str | None = None  # class default: people registered before merges existed

    @event("MergedInto")
    def merge_into(self, *, into: str, proposal: str, by: str) -> None:
        """A person confirmed this record is the same person as ``into``."""
        self.merged_into = into

    @event("Unmerged")
    def unmerge(self, *, proposal: str, by: str) -> None:
        self.merged_into = None

    # The survivor's side of a merge, so a reader starting from it finds every record merged
    # into it (views, triggers and panel facts: hub/matching/people.py). Class default: merges
    # confirmed before this existed are found by the person view only.
    absorbed: Sequence[str] = ()

    @event("Absorbed")
    def absorb(self, *, key: str, proposal: str) -> None:
        self.absorbed = (*self.absorbed, key)

    @event("Released")
    def release(self, *, key: str, proposal: str) -> None:
        self.absorbed = tuple(k for k in self.absorbed if k != key)

