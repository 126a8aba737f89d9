"""The case lifecycle as events, and bad input refused with nothing stored changing."""

from __future__ import annotations

from typing import Any

import pytest

from domain.model import ids
from hub.application import PartnershipHub
from hub.recorders import RecordRefused
from tests.domain.conftest import T0, Send, change, opened, person


def stored(hub: PartnershipHub) -> tuple[int, Any]:
    case = hub.case("wcc-housing", "C1")
    return hub.recorder.max_notification_id() or 0, case and case.version


def test_a_case_runs_from_report_to_closure(hub: PartnershipHub, send: Send) -> None:
    send("incident.reported", {
        "record": {"ref": "CAD-1", "version": 1}, "occurred_at": T0.isoformat(),
        "reported_at": T0.isoformat(), "category": "noise", "summary": "Party",
        "parties": [person("Ada Ashcombe", "1980-01-02", "victim")]}, agency="met-police")
    send("case.opened", opened())
    send("case.updated", change(2, changes={
        "category_after_investigation": "verbal_abuse_harassment",
        "triage_tier": "tier1_immediate", "lead_officer": "Officer 3",
        "report": {"channel": "on_behalf", "on_behalf_of": "councillor", "anonymous": False},
        "flags": {"hate": True}}))
    # the victim is also alleged to be a perpetrator (004:L147)
    send("case.party.added", change(3, party=person("Ada Ashcombe", "1980-01-02",
                                                    "alleged_perpetrator")))
    send("case.party.added", change(4, party={**person("Bram Corrowby", "1990-05-05",
                                                       "witness"), "witness_type": "hearsay"}))
    send("case.risk.assessed", change(5, dash_score=15))
    send("case.action.assigned", change(6, action={"id": "A1", "agency": "met-police",
                                                   "description": "Patrol",
                                                   "due": "2025-04-20T09:00:00Z"}))
    send("case.intervention.recorded", change(7, intervention="civil_injunction"))
    send("case.incident.linked", change(8, incident={"agency": "met-police", "ref": "CAD-1"}))
    send("case.closed", change(9, day=20, reason="asb_stopped"))

    case = hub.case("wcc-housing", "C1")
    assert case.version == 9 and not case.is_open
    assert case.category == "noise" and case.category_after_investigation \
        == "verbal_abuse_harassment"
    assert case.risk_level == "high" and case.legal_action
    assert case.flags["hate"] and case.closure_reason == "asb_stopped"
    assert [p["role"] for p in case.parties] == ["victim", "alleged_perpetrator", "witness"]
    ada = hub.person(person("Ada Ashcombe", "1980-01-02", "victim")["match_key"])
    assert {link.role for link in ada.links} == {"victim", "alleged_perpetrator"}


REFUSALS = [
    ("unknown-case", "case.updated", lambda: change(2, ref="NOPE", changes={"legal_action": True})),
    ("out-of-order", "case.updated", lambda: change(5, changes={"legal_action": True})),
    ("stale-version", "case.closed", lambda: change(2, reason="asb_stopped")),
    ("case-closed", "case.closed", lambda: change(4, reason="not_asb")),
    ("unknown-incident", "case.incident.linked",
     lambda: change(4, incident={"agency": "met-police", "ref": "CAD-404"})),
]


@pytest.mark.parametrize(("reason", "event_type", "data"), REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_bad_input_is_refused_and_changes_nothing(hub: PartnershipHub, send: Send,
                                                  reason: str, event_type: str,
                                                  data: Any) -> None:
    send("case.opened", opened())
    send("case.updated", change(2, changes={"triage_tier": "tier2_priority"}))
    if reason in {"case-closed"}:
        send("case.closed", change(3, reason="asb_stopped"))
    else:
        send("case.updated", change(3, changes={"victim_contacted": True}))
    before = stored(hub)
    with pytest.raises(RecordRefused) as refused:
        send(event_type, data())
    assert refused.value.reason == reason
    assert str(refused.value)  # a message that says what to change
    assert stored(hub) == before


def test_lowering_risk_by_judgement_is_refused_with_a_reason(hub: PartnershipHub,
                                                             send: Send) -> None:
    send("case.opened", opened())
    send("case.risk.assessed", change(2, dash_score=16))
    before = stored(hub)
    with pytest.raises(RecordRefused) as refused:
        send("case.risk.assessed", change(3, judged_level="medium"))
    assert refused.value.reason == "judgement-lowers-risk"
    assert "never lower" in str(refused.value)
    assert stored(hub) == before
    send("case.risk.assessed", change(3, dash_score=9))  # a later low DASH keeps "high"
    assert hub.case("wcc-housing", "C1").risk_level == "high"


def test_only_the_lead_agency_changes_a_case(hub: PartnershipHub, send: Send) -> None:
    send("case.opened", opened())
    with pytest.raises(RecordRefused) as refused:
        send("case.updated", {**change(2, changes={"legal_action": True}),
                              "record": {"ref": "C1", "agency": "wcc-housing", "version": 2}},
             agency="met-police")
    assert refused.value.reason == "not-lead-agency"
    send("case.updated", change(2, changes={"lead_agency": "met-police"}))
    send("case.updated", {**change(3, changes={"legal_action": True}),
                          "record": {"ref": "C1", "agency": "wcc-housing", "version": 3}},
         agency="met-police")
    assert hub.case("wcc-housing", "C1").legal_action


def test_a_redelivered_change_is_a_no_op(hub: PartnershipHub) -> None:
    from eventsourcing.persistence import Tracking

    from domain.contract.envelope import new_envelope

    def envelope(event_type: str, data: dict[str, Any], event_id: str) -> Any:
        return new_envelope(event_id=event_id, source="s", event_type=event_type,
                            subject="x", agency="wcc-housing", data=data)

    hub.record_agency_event(envelope("case.opened", opened(), "e1"), Tracking("t:0", 1))
    closing = envelope("case.closed", change(2, reason="not_asb"), "e2")
    assert hub.record_agency_event(closing, Tracking("t:0", 2)) == 1
    assert hub.record_agency_event(closing, Tracking("t:0", 3)) == 0
    assert hub.get_or_none(ids.case_id("wcc-housing", "C1")).version == 2
