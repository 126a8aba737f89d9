"""Each derived-fact rule at its boundaries (docs/domain.md lists the sources)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.rules import calendar, case_review, deadlines, marac, repeats

START = datetime(2025, 4, 1, 10, 0, tzinfo=UTC)  # 1 Apr + 6 calendar months = 1 Oct = day 183


def report(day: int, agency: str = "met-police", kind: str = "police",
           late_days: int = 0) -> case_review.Report:
    at = START + timedelta(days=day)
    return case_review.Report(agency, kind, at, at - timedelta(days=late_days, hours=1))


def test_case_review_third_report_on_day_182_is_eligible() -> None:
    assert case_review.is_eligible([report(0), report(90, "wcc-housing", "housing"),
                                    report(182, "wcc-asb", "council")])


def test_case_review_third_report_on_day_184_is_not() -> None:
    assert not case_review.is_eligible([report(0), report(90), report(184)])


def test_case_review_window_slides_to_later_reports() -> None:
    assert case_review.is_eligible([report(0), report(100), report(184), report(250)])


def test_case_review_report_more_than_a_month_after_the_incident_does_not_count() -> None:
    assert case_review.is_eligible([report(0), report(10), report(20, late_days=30)])
    assert not case_review.is_eligible([report(0), report(10), report(20, late_days=32)])


def test_case_review_counts_only_police_housing_and_council() -> None:
    assert not case_review.is_eligible([report(0), report(10),
                                        report(20, "nhs-trust", "health")])


def test_six_calendar_months_clamp_to_month_end() -> None:
    assert calendar.add_months(datetime(2025, 8, 31, tzinfo=UTC), 6).date().isoformat() \
        == "2026-02-28"


def test_dash_13_is_not_high_risk_and_14_is() -> None:
    assert marac.level_from_dash(13) == "medium"
    assert marac.level_from_dash(14) == "high"
    now = START
    assert not marac.marac_triggers(dash_score=13, judged_level=None, incident_times=[],
                                    last_referral_at=None, now=now).refer
    assert marac.marac_triggers(dash_score=14, judged_level=None, incident_times=[],
                                last_referral_at=None, now=now).reasons == ["visible_high_risk"]


def test_dash_outside_0_to_24_is_an_error() -> None:
    with pytest.raises(ValueError):
        marac.level_from_dash(25)


def test_professional_judgement_may_raise_but_never_lower() -> None:
    assert marac.apply_judgement("medium", "high") == "high"
    with pytest.raises(marac.JudgementRefused) as refused:
        marac.apply_judgement("high", "medium")
    assert refused.value.reason == "judgement-lowers-risk"
    assert "never lower" in str(refused.value)


def test_professional_judgement_alone_triggers_marac() -> None:
    decision = marac.marac_triggers(dash_score=8, judged_level="high", incident_times=[],
                                    last_referral_at=None, now=START)
    assert decision.reasons == ["professional_judgement"]


def test_escalation_needs_three_incidents_within_twelve_months() -> None:
    now = START + timedelta(days=365)
    two = [START + timedelta(days=d) for d in (200, 300)]
    assert not marac.marac_triggers(dash_score=None, judged_level=None, incident_times=two,
                                    last_referral_at=None, now=now).refer
    three = [*two, START + timedelta(days=1)]
    assert marac.marac_triggers(dash_score=None, judged_level=None, incident_times=three,
                                last_referral_at=None, now=now).reasons == ["escalation"]
    stale = [*two, START - timedelta(days=1)]
    assert not marac.marac_triggers(dash_score=None, judged_level=None, incident_times=stale,
                                    last_referral_at=None, now=now).refer


def test_repeat_referral_is_a_new_incident_within_twelve_months_of_the_last() -> None:
    def check(days: int) -> bool:
        return "repeat_referral" in marac.marac_triggers(
            dash_score=None, judged_level=None, incident_times=[START + timedelta(days=days)],
            last_referral_at=START, now=START + timedelta(days=400)).reasons

    assert check(365)
    assert not check(366)


def test_in_progress_asb_in_office_hours_is_20_minutes_else_24_hours() -> None:
    tuesday_10am = datetime(2025, 8, 26, 9, 0, tzinfo=UTC)  # 10:00 BST
    assert deadlines.first_response(tuesday_10am, in_progress=True).due \
        == tuesday_10am + timedelta(minutes=20)
    assert deadlines.first_response(tuesday_10am, in_progress=False).due \
        == tuesday_10am + timedelta(hours=24)
    bank_holiday = datetime(2025, 8, 25, 9, 0, tzinfo=UTC)  # Summer bank holiday, England
    assert deadlines.first_response(bank_holiday, in_progress=True).due \
        == bank_holiday + timedelta(hours=24)
    evening = datetime(2025, 8, 26, 17, 30, tzinfo=UTC)  # 18:30 BST
    assert deadlines.first_response(evening, in_progress=True).due \
        == evening + timedelta(hours=24)


def test_harassment_with_assault_24_hours_else_3_days() -> None:
    assert deadlines.harassment_meeting(START, assault=True).due == START + timedelta(hours=24)
    assert deadlines.harassment_meeting(START, assault=False).due == START + timedelta(days=3)


def test_weekly_contact_closure_letter_and_16_week_limit() -> None:
    assert deadlines.victim_contact(START).due == START + timedelta(days=7)
    assert deadlines.closure_intent_letter(START).due == START + timedelta(days=28)
    assert deadlines.case_limit(START, legal_action=False).due == START + timedelta(weeks=16)
    assert deadlines.case_limit(START, legal_action=True) is None


def test_deadline_states_due_met_breached() -> None:
    limit = deadlines.victim_contact(START)
    assert limit.state(START + timedelta(days=7)) == "due"
    assert limit.state(START + timedelta(days=7, seconds=1)) == "breached"
    done = deadlines.Deadline("x", limit.due, "t", met_at=START + timedelta(days=6))
    assert done.state(START + timedelta(days=30)) == "met"


def test_case_review_working_days_skip_weekends_and_bank_holidays() -> None:
    friday = datetime(2025, 8, 22, 11, 0, tzinfo=UTC)  # Mon 25 Aug 2025 is a bank holiday
    ack, panel, update = deadlines.case_review(friday)
    assert ack.due.date().isoformat() == "2025-08-27"
    assert panel.due.date().isoformat() == "2025-09-08"
    assert update.due.date().isoformat() == "2025-09-10"
    assert deadlines.case_review_appeal(friday).due.date().isoformat() == "2025-09-08"
    christmas_eve = datetime(2025, 12, 24, 11, 0, tzinfo=UTC)  # 25, 26 Dec and a weekend skipped
    assert deadlines.case_review(christmas_eve)[0].due.date().isoformat() == "2025-12-30"


def test_repeat_person_twice_in_a_year_and_location_three_times() -> None:
    assert not repeats.is_repeat_person([START])
    assert repeats.is_repeat_person([START, START + timedelta(days=365)])
    assert not repeats.is_repeat_person([START, START + timedelta(days=366)])
    two = [START, START + timedelta(days=10)]
    assert not repeats.is_repeat_location(two)
    assert repeats.is_repeat_location([*two, START + timedelta(days=20)])
