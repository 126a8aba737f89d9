"""The panel service on a real store and the real policy engine: triggers to referrals, an
agenda in order of risk, packs as recorded disclosures, overdue actions, refusals, history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.model.errors import DomainRefused
from hub.panels.facts import values
from hub.panels.service import PanelRefused
from tests.panels.conftest import Seeded
from tests.panels.data import WITNESS


@pytest.mark.parametrize("seeded", ["sqlite", "postgres"], indirect=True)
def test_marac_from_triggers_to_overdue_actions_on_the_next_agenda(seeded: Seeded) -> None:
    service, now, chair = seeded.service(), seeded.now, seeded.who("police-chair")

    # Triggers come from the domain rules (domain/rules/marac.py), prefill from events.
    found = {s.case_ref: s for s in service.suggestions("marac", now)}
    assert {k: s.triggers for k, s in found.items()} == {
        "HASB-1": ["visible_high_risk"], "HASB-2": ["visible_high_risk"],
        "HASB-3": ["escalation"], "HASB-4": ["visible_high_risk"]}
    assert values(found["HASB-3"].facts)["incidents_12m"] == 3
    made = service.refer_suggested(chair, "marac", now=now)
    referrals = [r for r, _ in made]
    assert values(referrals[0].facts)["dash_score"] == 18 and referrals[0].source == "trigger"
    # The coordinator (police) sees the prefill as the policy releases it: the DASH score,
    # and the incident counts by the agency that reported them.
    shown = made[0][1].released["facts"]
    assert shown["dash_score"] == 18 and shown["incidents"] == {"met-police": 1}
    assert service.suggestions("marac", now) == []  # an open referral is not suggested again
    with pytest.raises(DomainRefused, match="open referral"):
        service.refer(chair, "marac", "wcc-housing", "HASB-1", note="again", now=now)
    for r in referrals[:-1]:
        service.decide_referral(chair, str(r.id), accept=True, reason="meets threshold",
                                now=now)
    service.decide_referral(chair, str(referrals[-1].id), accept=False,
                            reason="already at MARAC elsewhere", now=now)
    with pytest.raises(PanelRefused, match="panel_chair"):
        service.decide_referral(seeded.who("police"), str(referrals[0].id), accept=True,
                                reason="x", now=now)

    meeting = service.schedule(chair, "marac", now + timedelta(days=2), now=now)
    meeting = service.add_to_agenda(chair, str(meeting.id), now=now)
    assert [i["case_ref"] for i in meeting.agenda] == ["HASB-1", "HASB-4", "HASB-2"]

    # Police and housing see different fields of the same case, as the policy decides.
    packs = {who: {e.item["case_ref"]: e.shared for e in
                   service.pack(seeded.who(who), str(meeting.id), now=now)}
             for who in ("police", "housing")}
    police, housing = packs["police"]["HASB-1"], packs["housing"]["HASB-1"]
    assert police.released["incident"][0]["party"][1]["name"] == WITNESS
    assert "name" not in housing.released["incident"][0]["party"][1]
    assert "anonymity" in housing.decision.withheld["incident.0.party.1.name"]
    logged = {str(d.originator_id): d for d in seeded.hub.disclosures()}
    for who, pack in packs.items():
        for shared in pack.values():
            row = logged[shared.disclosure_id]
            assert row.purpose == "marac" and row.recipient == seeded.who(who).agency
    assert [p["agency"] for p in service.meeting(str(meeting.id)).packs] == [
        "met-police", "wcc-housing"]

    with pytest.raises(PanelRefused, match="not a member"):
        service.pack(seeded.who("fire"), str(meeting.id), now=now)
    refused = [a for a in service.access_log() if not a["allowed"]]
    assert {a["agency"] for a in refused} >= {"lfb", "met-police"}

    action = service.create_action(chair, str(meeting.id), "wcc-housing", "HASB-1",
                                   "wcc-housing", "Fit door locks", (now - timedelta(days=1))
                                   .date(), now=now)
    done = service.create_action(chair, str(meeting.id), "wcc-housing", "HASB-4",
                                 "met-police", "Check bail conditions",
                                 (now - timedelta(days=1)).date(), now=now)
    service.set_action_status(seeded.who("police"), str(meeting.id), done["action_id"],
                              "done", "checked", now=now)
    service.record_decision(chair, str(meeting.id), "wcc-housing", "HASB-1",
                            "Safety plan agreed", now=now)
    later = service.schedule(chair, "marac", now + timedelta(days=30), now=now)
    agenda = service.agenda(seeded.who("housing"), str(later.id), now=now)
    assert [a["action_id"] for a in agenda["overdue_actions"]] == [action["action_id"]]

    history = service.panel_history("wcc-housing", "HASB-1")
    assert [h["what"] for h in history] == [
        "panel_referral", "panel_referral_accepted", "panel_decision", "panel_action",
        "panel_meeting"]
    assert all("text" not in h and "description" not in h for h in history)


def test_manual_referral_needs_a_reason_and_case_review_triggers(seeded: Seeded) -> None:
    service, now = seeded.service(), seeded.now
    asb = seeded.who("asb-chair")
    assert {s.case_key for s in service.suggestions("asb_case_review", now)} == {
        "wcc-asb/ASB-77", "wcc-housing/HASB-3"}
    with pytest.raises(DomainRefused, match="reason"):
        service.refer(asb, "asb_case_review", "wcc-asb", "ASB-77", note="", now=now)
    r, shared = service.refer(asb, "asb_case_review", "wcc-asb", "ASB-77",
                              note="Victim applied for a case review", now=now)
    assert r.source == "manual" and values(r.facts)["incidents"] == 3
    assert shared.released["facts"]["note"] == "Victim applied for a case review"
    deadlines = service.panel_type("asb_case_review").deadlines(now)
    assert deadlines["acknowledge"] < deadlines["panel"] < deadlines["update"]
    with pytest.raises(PanelRefused, match="not a member"):
        service.refer(seeded.who("fire"), "asb_case_review", "wcc-asb", "ASB-77",
                      note="fire service view", now=now)
