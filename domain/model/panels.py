"""Multi-agency panels: referrals to a panel, panel meetings and what a panel records.

Event-sourced aggregates, no I/O. The panel types themselves (MARAC, GMAP, HCCP, ASB Case
Review and whatever a partnership adds) are configuration (hub/panels/panel_types.json);
here a meeting carries the snapshot of its type's members and chair it was scheduled with.

Every panel: "referral with threshold, agenda, a pack per attending agency, actions assigned to
agencies with due dates, minutes; access limited to members and to the purpose of that panel"
(DOMAIN.md, Panels; MARAC seeds/002 L881-886, GMAP 002 L890-893, HCCP 001 L395-397, ASB Case
Review 002 L1268-1286).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from eventsourcing.domain import Aggregate, event

from domain.model.errors import DomainRefused

REFERRED, ACCEPTED, DECLINED, LISTED = "referred", "accepted", "declined", "listed"
SOURCES = ("trigger", "manual")
ACTION_STATUSES = ("open", "in_progress", "done", "cancelled")
OPEN_ACTION_STATUSES = frozenset({"open", "in_progress"})


def _reason(text: str | None, what: str) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainRefused("reason-required", f"{what} needs a reason a person can read")
    return cleaned


class Referral(Aggregate):
    """A case referred to a panel: by a trigger the domain computed, or by hand with a reason.

    ``facts`` is the prefill taken from the case's events (category, risk level, DASH score,
    incident counts, the triggers that fired) so nobody retypes what the hub already holds.
    """

    @classmethod
    def make(cls, *, panel_type: str, case_agency: str, case_ref: str, source: str,
             triggers: list[str], note: str, referred_by: dict[str, str], at: datetime,
             facts: dict[str, Any]) -> Referral:
        """A new referral, refused unless it says why: a trigger, or a reason typed by hand."""
        if source not in SOURCES:
            raise DomainRefused("unknown-source", f"referral source must be one of {SOURCES}")
        if source == "trigger" and not triggers:
            raise DomainRefused("no-trigger", "a triggered referral must name its trigger")
        if source == "manual":
            note = _reason(note, "a referral made by hand")
        return cls(panel_type=panel_type, case_agency=case_agency, case_ref=case_ref,
                   source=source, triggers=list(triggers), note=(note or "").strip(),
                   referred_by=dict(referred_by), at=at, facts=dict(facts))

    @event("Made")
    def __init__(self, *, panel_type: str, case_agency: str, case_ref: str, source: str,
                 triggers: list[str], note: str, referred_by: dict[str, str], at: datetime,
                 facts: dict[str, Any]) -> None:
        self.panel_type = panel_type
        self.case_agency = case_agency
        self.case_ref = case_ref
        self.source = source
        self.triggers = triggers
        self.note = note
        self.referred_by = referred_by
        self.referred_at = at
        self.facts = facts
        self.status = REFERRED
        self.decided_by: dict[str, str] | None = None
        self.decision_reason: str | None = None
        self.decided_at: datetime | None = None
        self.meeting_id: str | None = None

    @property
    def case_key(self) -> str:
        return f"{self.case_agency}/{self.case_ref}"

    @property
    def is_open(self) -> bool:
        """Still waiting for, or on, a panel."""
        return self.status in {REFERRED, ACCEPTED, LISTED}

    def _decide(self, what: str) -> None:
        if self.status != REFERRED:
            raise DomainRefused("already-decided",
                                f"referral of {self.case_key} to {self.panel_type} is already "
                                f"{self.status}; it cannot be {what}")

    def accept(self, *, by: dict[str, str], reason: str, at: datetime) -> None:
        self._decide("accepted")
        self._accepted(by=dict(by), reason=_reason(reason, "accepting a referral"), at=at)

    @event("Accepted")
    def _accepted(self, *, by: dict[str, str], reason: str, at: datetime) -> None:
        self.status, self.decided_by, self.decision_reason, self.decided_at = (
            ACCEPTED, by, reason, at)

    def decline(self, *, by: dict[str, str], reason: str, at: datetime) -> None:
        self._decide("declined")
        self._declined(by=dict(by), reason=_reason(reason, "declining a referral"), at=at)

    @event("Declined")
    def _declined(self, *, by: dict[str, str], reason: str, at: datetime) -> None:
        self.status, self.decided_by, self.decision_reason, self.decided_at = (
            DECLINED, by, reason, at)

    def list_on(self, *, meeting_id: str, at: datetime) -> None:
        if self.status != ACCEPTED:
            raise DomainRefused("not-accepted",
                                f"referral of {self.case_key} is {self.status}: only an "
                                "accepted referral goes on an agenda")
        self._listed(meeting_id=meeting_id, at=at)

    @event("Listed")
    def _listed(self, *, meeting_id: str, at: datetime) -> None:
        self.status = LISTED
        self.meeting_id = meeting_id


class PanelMeeting(Aggregate):
    """One sitting of a panel: its agenda (cases in order of risk), the packs issued to
    attending agencies, minutes, decisions and actions (each owned by an agency, with a due
    date and a status)."""

    @event("Scheduled")
    def __init__(self, *, panel_type: str, purpose: str, held_at: datetime, chair: str,
                 members: list[str], max_cases: int | None, scheduled_by: dict[str, str],
                 at: datetime) -> None:
        self.panel_type = panel_type
        self.purpose = purpose
        self.held_at = held_at
        self.chair = chair
        self.members = list(members)
        self.max_cases = max_cases
        self.scheduled_by = scheduled_by
        self.items: list[dict[str, Any]] = []
        self.packs: list[dict[str, Any]] = []
        self.minutes: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.actions: dict[str, dict[str, Any]] = {}

    # -- agenda --------------------------------------------------------------------------------

    @property
    def agenda(self) -> list[dict[str, Any]]:
        """Cases in order of risk, highest first; equal risk keeps the order listed."""
        ranked = sorted(enumerate(self.items), key=lambda p: ([-r for r in p[1]["risk"]], p[0]))
        return [item for _, item in ranked]

    def has_case(self, case_agency: str, case_ref: str) -> bool:
        return any(i["case_agency"] == case_agency and i["case_ref"] == case_ref
                   for i in self.items)

    def list_case(self, *, referral_id: str, case_agency: str, case_ref: str,
                  risk: list[int], facts: dict[str, Any], at: datetime) -> None:
        if self.has_case(case_agency, case_ref):
            raise DomainRefused("already-listed",
                                f"{case_agency}/{case_ref} is already on this agenda")
        if self.max_cases is not None and len(self.items) >= self.max_cases:
            raise DomainRefused("agenda-full",
                                f"a {self.panel_type} meeting takes at most {self.max_cases} "
                                "cases")
        self._case_listed(referral_id=referral_id, case_agency=case_agency, case_ref=case_ref,
                          risk=list(risk), facts=dict(facts), at=at)

    @event("CaseListed")
    def _case_listed(self, *, referral_id: str, case_agency: str, case_ref: str,
                     risk: list[int], facts: dict[str, Any], at: datetime) -> None:
        self.items = [*self.items, {"referral_id": referral_id, "case_agency": case_agency,
                                    "case_ref": case_ref, "risk": risk, "facts": facts,
                                    "listed_at": at}]

    # -- packs ---------------------------------------------------------------------------------

    @event("PackIssued")
    def issue_pack(self, *, agency: str, user: str, disclosure_ids: list[str],
                   cases: list[str], at: datetime) -> None:
        """A pack of shared case views to one attending agency; each view in it is a recorded
        disclosure, decided by the policy for that agency and this panel's purpose."""
        self.packs = [*self.packs, {"agency": agency, "user": user, "cases": cases,
                                    "disclosure_ids": disclosure_ids, "at": at}]

    # -- minutes, decisions, actions -------------------------------------------------------------

    def _require_case(self, case_agency: str, case_ref: str) -> None:
        if not self.has_case(case_agency, case_ref):
            raise DomainRefused("not-on-agenda",
                                f"{case_agency}/{case_ref} is not on this meeting's agenda")

    def record_minutes(self, *, text: str, by: dict[str, str], at: datetime) -> None:
        self._minuted(text=_reason(text, "minutes"), by=dict(by), at=at)

    @event("Minuted")
    def _minuted(self, *, text: str, by: dict[str, str], at: datetime) -> None:
        self.minutes = [*self.minutes, {"text": text, "by": by, "at": at}]

    def record_decision(self, *, case_agency: str, case_ref: str, text: str,
                        by: dict[str, str], at: datetime) -> None:
        self._require_case(case_agency, case_ref)
        self._decided(case_agency=case_agency, case_ref=case_ref,
                      text=_reason(text, "a decision"), by=dict(by), at=at)

    @event("Decided")
    def _decided(self, *, case_agency: str, case_ref: str, text: str, by: dict[str, str],
                 at: datetime) -> None:
        self.decisions = [*self.decisions, {"case_agency": case_agency, "case_ref": case_ref,
                                            "text": text, "by": by, "at": at}]

    def create_action(self, *, action_id: str, case_agency: str, case_ref: str, owner: str,
                      description: str, due: date, by: dict[str, str], at: datetime) -> None:
        self._require_case(case_agency, case_ref)
        if owner not in self.members:
            raise DomainRefused("owner-not-member",
                                f"{owner} is not a member agency of this {self.panel_type} "
                                "panel; actions are assigned to member agencies")
        if action_id in self.actions:
            raise DomainRefused("duplicate-action", f"action {action_id} already exists")
        self._action_created(action_id=action_id, case_agency=case_agency, case_ref=case_ref,
                             owner=owner, description=_reason(description, "an action"),
                             due=due.isoformat(), by=dict(by), at=at)

    @event("ActionCreated")
    def _action_created(self, *, action_id: str, case_agency: str, case_ref: str, owner: str,
                        description: str, due: str, by: dict[str, str], at: datetime) -> None:
        self.actions = {**self.actions, action_id: {
            "action_id": action_id, "case_agency": case_agency, "case_ref": case_ref,
            "owner": owner, "description": description, "due": date.fromisoformat(due),
            "status": "open",
            "created_at": at, "created_by": by, "history": []}}

    def set_action_status(self, *, action_id: str, status: str, note: str,
                          by: dict[str, str], at: datetime) -> None:
        if action_id not in self.actions:
            raise DomainRefused("unknown-action", f"no action {action_id} at this meeting")
        if status not in ACTION_STATUSES:
            raise DomainRefused("unknown-status", f"action status must be one of "
                                f"{', '.join(ACTION_STATUSES)}")
        if by.get("agency") not in {self.actions[action_id]["owner"], self.chair}:
            raise DomainRefused("not-action-owner",
                                "only the owning agency or the chair updates an action")
        self._action_status(action_id=action_id, status=status, note=note.strip(), by=dict(by),
                            at=at)

    @event("ActionStatusChanged")
    def _action_status(self, *, action_id: str, status: str, note: str, by: dict[str, str],
                       at: datetime) -> None:
        action = dict(self.actions[action_id])
        action["status"] = status
        action["history"] = [*action["history"],
                             {"status": status, "note": note, "by": by, "at": at}]
        self.actions = {**self.actions, action_id: action}


def is_overdue(action: dict[str, Any], today: date) -> bool:
    return action["status"] in OPEN_ACTION_STATUSES and action["due"] < today


class PanelAccess(Aggregate):
    """The access log of the panel pages and endpoints: who looked at what, allowed or not.
    Case data itself only leaves through a Disclosure; this records every other view."""

    @event("Recorded")
    def __init__(self, *, user: str, agency: str, role: str, page: str, panel_type: str | None,
                 meeting_id: str | None, record_refs: list[str], allowed: bool, reason: str,
                 at: datetime) -> None:
        self.user = user
        self.agency = agency
        self.role = role
        self.page = page
        self.panel_type = panel_type
        self.meeting_id = meeting_id
        self.record_refs = record_refs
        self.allowed = allowed
        self.reason = reason
        self.at = at
