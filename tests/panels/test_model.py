"""The panel aggregates' own rules (no store)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.model.errors import DomainRefused
from domain.model.panels import PanelMeeting, Referral, is_overdue

AT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
CHAIR = {"user": "c", "agency": "met-police", "role": "panel_chair"}


def referral(**changes: object) -> Referral:
    fields: dict[str, object] = dict(panel_type="marac", case_agency="wcc-housing",
                                     case_ref="C1", source="trigger",
                                     triggers=["visible_high_risk"], note="", referred_by=CHAIR,
                                     at=AT, facts={"dash_score": 15})
    fields.update(changes)
    return Referral.make(**fields)  # type: ignore[arg-type]


def meeting(max_cases: int | None = None) -> PanelMeeting:
    return PanelMeeting(panel_type="marac", purpose="marac", held_at=AT, chair="met-police",
                        members=["met-police", "wcc-housing"], max_cases=max_cases,
                        scheduled_by=CHAIR, at=AT)


def test_a_referral_says_why_and_is_decided_once_with_a_reason() -> None:
    with pytest.raises(DomainRefused, match="reason"):
        referral(source="manual", triggers=[], note="  ")
    with pytest.raises(DomainRefused, match="trigger"):
        referral(triggers=[])
    r = referral()
    with pytest.raises(DomainRefused, match="reason"):
        r.decline(by=CHAIR, reason="", at=AT)
    with pytest.raises(DomainRefused, match="accepted referral"):
        r.list_on(meeting_id="m", at=AT)
    r.accept(by=CHAIR, reason="DASH 15", at=AT)
    with pytest.raises(DomainRefused, match="already accepted"):
        r.decline(by=CHAIR, reason="changed my mind", at=AT)
    r.list_on(meeting_id="m", at=AT)
    assert r.status == "listed" and r.is_open
    names = [type(e).__name__ for e in r.collect_events()]
    assert names == ["Made", "Accepted", "Listed"]


def test_agenda_is_in_order_of_risk_and_respects_the_panel_size() -> None:
    m = meeting(max_cases=2)
    m.list_case(referral_id="a", case_agency="x", case_ref="low", risk=[0, 9, 1, 3], facts={},
                at=AT)
    m.list_case(referral_id="b", case_agency="x", case_ref="high", risk=[2, 18, 1, 0],
                facts={}, at=AT)
    assert [i["case_ref"] for i in m.agenda] == ["high", "low"]
    with pytest.raises(DomainRefused, match="at most 2"):
        m.list_case(referral_id="c", case_agency="x", case_ref="more", risk=[2, 20, 1, 0],
                    facts={}, at=AT)
    other = meeting()
    other.list_case(referral_id="a", case_agency="x", case_ref="low", risk=[0], facts={}, at=AT)
    with pytest.raises(DomainRefused, match="already on"):
        other.list_case(referral_id="a", case_agency="x", case_ref="low", risk=[0], facts={},
                        at=AT)


def test_actions_belong_to_member_agencies_and_go_overdue() -> None:
    m = meeting()
    m.list_case(referral_id="a", case_agency="x", case_ref="C1", risk=[2], facts={}, at=AT)
    with pytest.raises(DomainRefused, match="not a member"):
        m.create_action(action_id="A1", case_agency="x", case_ref="C1", owner="lfb",
                        description="visit", due=date(2026, 1, 10), by=CHAIR, at=AT)
    with pytest.raises(DomainRefused, match="not on this meeting"):
        m.create_action(action_id="A1", case_agency="x", case_ref="C9", owner="wcc-housing",
                        description="visit", due=date(2026, 1, 10), by=CHAIR, at=AT)
    m.create_action(action_id="A1", case_agency="x", case_ref="C1", owner="wcc-housing",
                    description="Fit locks", due=date(2026, 1, 10), by=CHAIR, at=AT)
    action = m.actions["A1"]
    assert not is_overdue(action, date(2026, 1, 10)) and is_overdue(action, date(2026, 1, 11))
    with pytest.raises(DomainRefused, match="owning agency or the chair"):
        m.set_action_status(action_id="A1", status="done", note="",
                            by={"user": "u", "agency": "lfb", "role": "panel_member"}, at=AT)
    m.set_action_status(action_id="A1", status="done", note="fitted",
                        by={"user": "h", "agency": "wcc-housing", "role": "panel_member"},
                        at=AT)
    assert not is_overdue(m.actions["A1"], date(2026, 2, 1))
    # replayed from its events, the meeting is the same
    copy = None
    for e in m.collect_events():
        copy = e.mutate(copy)
    assert copy is not None and copy.actions["A1"]["status"] == "done"
    assert copy.actions["A1"]["due"] == date(2026, 1, 10)
