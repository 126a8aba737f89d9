"""Service deadlines and whether each is met, due or breached at a given moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.rules.calendar import add_working_days, in_office_hours

MET, DUE, BREACHED = "met", "due", "breached"


@dataclass(frozen=True)
class Deadline:
    name: str
    due: datetime
    cite: str
    met_at: datetime | None = None

    def state(self, now: datetime) -> str:
        """Met if done by the due time; breached once due passes undone (or done late)."""
        if self.met_at is not None:
            return MET if self.met_at <= self.due else BREACHED
        return DUE if now <= self.due else BREACHED


def first_response(reported_at: datetime, *, in_progress: bool) -> Deadline:
    """ASB in progress: 20 minutes in office hours; every other report: 24 hours
    (002:L273, 002:L1198, 001:L158)."""
    if in_progress and in_office_hours(reported_at):
        return Deadline("first_response", reported_at + timedelta(minutes=20), "002:L273")
    return Deadline("first_response", reported_at + timedelta(hours=24), "002:L273")


def harassment_meeting(reported_at: datetime, *, assault: bool) -> Deadline:
    """Meet victims of harassment with physical assault within 24 hours, others within
    3 days (002:L390)."""
    delay = timedelta(hours=24) if assault else timedelta(days=3)
    return Deadline("harassment_meeting", reported_at + delay, "002:L390")


def victim_contact(last_contact: datetime) -> Deadline:
    """ASB case officers keep weekly contact with the complainant (001:L168)."""
    return Deadline("victim_contact", last_contact + timedelta(days=7), "001:L168")


def closure_intent_letter(last_report: datetime) -> Deadline:
    """After four weeks with no reports a closure-intent letter may be sent (002:L2067-2069)."""
    return Deadline("closure_intent_letter", last_report + timedelta(weeks=4), "002:L2069")


def case_limit(opened_at: datetime, *, legal_action: bool) -> Deadline | None:
    """Close within 16 weeks, unless the case is progressing to legal action (002:L2070)."""
    if legal_action:
        return None
    return Deadline("case_limit", opened_at + timedelta(weeks=16), "002:L2070")


def case_review(applied_at: datetime) -> list[Deadline]:
    """ASB Case Review: acknowledge in 2 working days, panel within 10, update within 12
    (002:L1268-1270). The update is counted from the application, as DOMAIN.md reads it."""
    return [Deadline("case_review_acknowledge", add_working_days(applied_at, 2), "002:L1268"),
            Deadline("case_review_panel", add_working_days(applied_at, 10), "002:L1268"),
            Deadline("case_review_update", add_working_days(applied_at, 12), "002:L1270")]


def case_review_appeal(decision_letter_at: datetime) -> Deadline:
    """An appeal must be made within 10 working days of the decision letter (002:L1272)."""
    return Deadline("case_review_appeal", add_working_days(decision_letter_at, 10), "002:L1272")
