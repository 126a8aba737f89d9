"""An incident as one agency recorded it."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.model import ids


class Incident(Aggregate):
    """One agency's record of an ASB or crime incident (seeds/002 L80-95 for categories)."""

    @staticmethod
    def create_id(agency: str, ref: str, **_: Any) -> UUID:
        return ids.incident_id(agency, ref)

    @event("Reported")
    def __init__(self, *, agency: str, ref: str, version: int, source_event_id: str,
                 occurred_at: datetime, reported_at: datetime, category: str, summary: str,
                 channel: str | None, location: dict[str, Any] | None,
                 parties: list[dict[str, Any]], flags: dict[str, bool],
                 confidentiality: str) -> None:
        self.agency = agency
        self.ref = ref
        self.version = version
        self.source_event_ids = [source_event_id]
        self.occurred_at = occurred_at
        self.reported_at = reported_at
        self.category = category
        self.summary = summary
        self.channel = channel
        self.location = location
        self.parties = parties
        self.flags = flags
        self.confidentiality = confidentiality

    # What a hate incident was motivated by (seeds/002 L81; docs/domain.md "Sensitive facts"):
    # its own event, so incidents recorded before it existed, and callers that create an
    # incident without it, are unchanged.
    hate_motivation: tuple[str, ...] = ()

    @event("HateMotivationRecorded")
    def record_hate_motivation(self, *, motivations: list[str]) -> None:
        self.hate_motivation = tuple(motivations)
