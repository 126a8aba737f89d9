"""What every recorder shares: refusals, the loader type, and linking people to records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import Person, ids

Loader = Callable[[UUID], Any]
Recorder = Callable[[Loader, Envelope], list[Aggregate]]


class RecordRefused(ValueError):
    """An agency event that is well formed but cannot be applied to what the hub holds."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def is_new(existing: Any, envelope: Envelope) -> bool:
    """True if the record is new; False if this exact event was already applied."""
    if existing is None:
        return True
    if envelope.id in existing.source_event_ids:
        return False
    raise RecordRefused(
        "already-recorded",
        f"{envelope.agency} record {envelope.data['record']['ref']} is already held at "
        f"version {existing.version}; this event ({envelope.id}) would replace it, and "
        "amendments are not accepted for this event type: send a new record reference",
    )


def linked_people(load: Loader, envelope: Envelope, kind: str) -> list[Aggregate]:
    """Every party's Person, created on first sight, linked to this record."""
    people: dict[UUID, Person] = {}
    for party in envelope.data.get("parties", []):
        person_id = ids.person_id(party["match_key"])
        person = people.get(person_id) or load(person_id)
        if person is None:
            person = Person(match_key=party["match_key"])
        person.link(kind, envelope.agency, envelope.data["record"]["ref"], party["role"])
        people[person_id] = person
    return list(people.values())
