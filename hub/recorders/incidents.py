"""``incident.reported``: an agency recorded an incident."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import Incident, ids
from hub.recorders.base import Loader, Recorder, is_new, linked_people, when


def incident_reported(load: Loader, envelope: Envelope) -> list[Aggregate]:
    data = envelope.data
    if not is_new(load(ids.incident_id(envelope.agency, data["record"]["ref"])), envelope):
        return []
    incident = Incident(
        agency=envelope.agency, ref=data["record"]["ref"], version=data["record"]["version"],
        source_event_id=envelope.id, occurred_at=when(data["occurred_at"]),
        reported_at=when(data["reported_at"]), category=data["category"],
        summary=data["summary"], channel=data.get("channel"), location=data.get("location"),
        parties=data["parties"], flags=data.get("flags", {}),
        confidentiality=data.get("confidentiality", "standard"))
    if data.get("hate_motivation"):
        incident.record_hate_motivation(motivations=data["hate_motivation"])
    return [incident, *linked_people(load, envelope, "incident")]


RECORDERS: dict[str, Recorder] = {"incident.reported": incident_reported}
