"""The ASB case lifecycle after opening: updates, parties, risk, actions, interventions,
linked incidents and closure. Each is one agency event applied to the Case aggregate.

Bad input is refused before anything is stored: an unknown case, a version out of order, or a
change that contradicts the case (closing a closed case, lowering a risk level by judgement).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import Case, DomainRefused, Person, ids
from hub.recorders.base import Loader, Recorder, RecordRefused, when

Change = Callable[[Case, dict[str, Any], Loader, Envelope], list[Aggregate]]


def load_case(load: Loader, envelope: Envelope) -> Case:
    record = envelope.data["record"]
    opener = record.get("agency", envelope.agency)
    case = load(ids.case_id(opener, record["ref"]))
    if case is None:
        raise RecordRefused("unknown-case",
                            f"no case {opener}/{record['ref']} is held; send case.opened first")
    return case


def lifecycle(change: Change) -> Recorder:
    """Load the case, check order and state, apply; DomainRefused becomes RecordRefused."""

    def record(load: Loader, envelope: Envelope) -> list[Aggregate]:
        case = load_case(load, envelope)
        data = envelope.data
        try:
            if not case.check_change(envelope.agency, data["record"]["version"], envelope.id):
                return []  # this exact event was applied before
            common = {"version": data["record"]["version"], "source_event_id": envelope.id,
                      "at": when(data["at"])}
            return [case, *change(case, common, load, envelope)]
        except DomainRefused as refused:
            raise RecordRefused(refused.reason, str(refused)) from refused

    return record


def _updated(case: Case, common: dict[str, Any], load: Loader, e: Envelope) -> list[Aggregate]:
    case.update(**common, changes=e.data["changes"])
    return []


def _party_added(case: Case, common: dict[str, Any], load: Loader,
                 e: Envelope) -> list[Aggregate]:
    party = e.data["party"]
    case.add_party(**common, party=party)
    person = load(ids.person_id(party["match_key"])) or Person(match_key=party["match_key"])
    person.link("case", case.agency, case.ref, party["role"])
    return [person]


def _risk_assessed(case: Case, common: dict[str, Any], load: Loader,
                   e: Envelope) -> list[Aggregate]:
    case.assess_risk(**common, dash_score=e.data.get("dash_score"),
                     judged_level=e.data.get("judged_level"),
                     dash_answers=e.data.get("dash_answers"),
                     risk_summary=e.data.get("risk_summary"))
    return []


def _action_assigned(case: Case, common: dict[str, Any], load: Loader,
                     e: Envelope) -> list[Aggregate]:
    action = e.data["action"]
    case.assign_action(**common, action_id=action["id"], agency=action["agency"],
                       description=action["description"],
                       due=when(action["due"]) if action.get("due") else None)
    return []


def _intervention(case: Case, common: dict[str, Any], load: Loader,
                  e: Envelope) -> list[Aggregate]:
    case.record_intervention(**common, intervention=e.data["intervention"],
                             against=e.data.get("against"),
                             scheduled_for=e.data.get("scheduled_for"))
    return []


def _incident_linked(case: Case, common: dict[str, Any], load: Loader,
                     e: Envelope) -> list[Aggregate]:
    incident = e.data["incident"]
    if load(ids.incident_id(incident["agency"], incident["ref"])) is None:
        raise RecordRefused("unknown-incident",
                            f"no incident {incident['agency']}/{incident['ref']} is held; "
                            "the reporting agency must publish it first")
    case.link_incident(**common, agency=incident["agency"], ref=incident["ref"])
    return []


def _closed(case: Case, common: dict[str, Any], load: Loader, e: Envelope) -> list[Aggregate]:
    case.close(**common, reason=e.data["reason"])
    return []


RECORDERS: dict[str, Recorder] = {
    "case.updated": lifecycle(_updated),
    "case.party.added": lifecycle(_party_added),
    "case.risk.assessed": lifecycle(_risk_assessed),
    "case.action.assigned": lifecycle(_action_assigned),
    "case.intervention.recorded": lifecycle(_intervention),
    "case.incident.linked": lifecycle(_incident_linked),
    "case.closed": lifecycle(_closed),
}
