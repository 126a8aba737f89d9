"""A person as the partnership knows them: only a match key, and the records that mention it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event
from eventsourcing.domain import Snapshot as AggregateSnapshot

from domain.model import ids


@dataclass(frozen=True)
class RecordLink:
    kind: str  # "incident" or "case"
    agency: str
    ref: str
    role: str


class LinkIndex:
    """``links`` in the order they were made (readers list them), with a set beside them so
    that checking for a link stays constant time however many records name a person or place.
    The set is rebuilt on first use and never stored (see ``Snapshot``)."""

    links: list[RecordLink]

    def _has_link(self, link: RecordLink) -> bool:
        index: set[RecordLink] | None = self.__dict__.get("_link_set")
        if index is None:
            index = self.__dict__["_link_set"] = set(self.links)
        return link in index

    def _add_link(self, link: RecordLink) -> None:
        self.links.append(link)
        index: set[RecordLink] | None = self.__dict__.get("_link_set")
        if index is not None:
            index.add(link)

    class Snapshot(AggregateSnapshot):
        """The state without the derived set."""

        @classmethod
        def take(cls, aggregate: Any) -> Any:
            snapshot = super().take(aggregate)
            snapshot.state.pop("_link_set", None)
            return snapshot


class Person(LinkIndex, Aggregate):
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
        if not self._has_link(RecordLink(kind, agency, ref, role)):
            self._linked(kind=kind, agency=agency, ref=ref, role=role)

    @event("LinkedToRecord")
    def _linked(self, *, kind: str, agency: str, ref: str, role: str) -> None:
        self._add_link(RecordLink(kind, agency, ref, role))

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

