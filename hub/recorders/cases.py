"""``case.opened``: a lead agency opened an ASB case."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import Case, ids
from hub.recorders.base import Loader, Recorder, is_new, linked_people, when


def case_opened(load: Loader, envelope: Envelope) -> list[Aggregate]:
    data = envelope.data
    if not is_new(load(ids.case_id(envelope.agency, data["record"]["ref"])), envelope):
        return []
    case = Case(
        agency=envelope.agency, ref=data["record"]["ref"], version=data["record"]["version"],
        source_event_id=envelope.id, opened_at=when(data["opened_at"]),
        category=data["category"], summary=data["summary"],
        lead_officer=data.get("lead_officer"), triage_tier=data.get("triage_tier"),
        location=data.get("location"), parties=data["parties"],
        incident_refs=data.get("incident_refs", []), flags=data.get("flags", {}))
    return [case, *linked_people(load, envelope, "case")]


RECORDERS: dict[str, Recorder] = {"case.opened": case_opened}
