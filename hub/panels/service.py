"""The panels' service layer, shared by the JSON API and the web pages.

Referrals come from the triggers the domain computes (domain/rules/marac.py: DASH 14+,
professional judgement, escalation, repeat referral; domain/rules/case_review.py: 3 reports in
6 months) or by hand with a reason; the referral is prefilled from the case's events
(hub/panels/facts.py). A meeting's agenda lists accepted referrals in order of risk; each
attending agency's pack is a set of case views. Case data leaves only through a disclosure
decided by the sharing policy for the asking agency and the panel's purpose
(``panel={"type": ..., "meeting_id": ...}``) and recorded before release: the case views in a
pack, and equally the facts of a suggestion, a referral or an agenda line. Every other page or
call is written to the panel access log.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.model import Case
from domain.model.errors import DomainRefused
from domain.model.panels import (
    ACCEPTED,
    DECLINED,
    PanelAccess,
    PanelMeeting,
    Referral,
    is_overdue,
)
from domain.rules import case_review, marac
from hub.application import PartnershipHub
from hub.panels import facts as panel_facts
from hub.panels.config import PanelType, load_panel_types
from hub.policy import PolicyEngine
from hub.sharing import (
    NoCaseView,
    Requester,
    SharedView,
    disclose_case_view,
    disclose_fields,
    record_miss,
)
from hub.views.case_view import build_case_view
from hub.views.panel_index import PanelIndex
from policies import load_bundle

COORDINATOR_ROLES = frozenset({"panel_chair"})
RISK_LEVELS = {"standard": 0, "medium": 1, "high": 2}


MEETING_WINDOW = (timedelta(days=366), timedelta(days=5 * 366))
"""How far back (for recording a meeting held) and ahead a meeting may be scheduled."""


class PanelRefused(PermissionError):
    """Not a member of the panel, or not its coordinator; recorded in the access log."""


class PanelNotFound(LookupError):
    pass


@dataclass(frozen=True)
class Suggestion:
    """A case a referral trigger fired for, with the prefill taken from its events (stored
    form, hub/panels/facts.py: shown only through a disclosure)."""

    panel_type: str
    case_agency: str
    case_ref: str
    triggers: list[str]
    facts: dict[str, Any]

    @property
    def case_key(self) -> str:
        return f"{self.case_agency}/{self.case_ref}"


@dataclass(frozen=True)
class PackEntry:
    item: dict[str, Any]
    shared: SharedView


def _who(requester: Requester) -> dict[str, str]:
    return {"user": requester.user, "agency": requester.agency, "role": requester.role}


def _iso(moment: datetime | date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def risk_rank(facts: dict[str, Any], triggers: Iterable[str]) -> list[int]:
    """Higher sorts first: risk level, DASH score, triggers fired, incidents in 12 months."""
    if "fields" in facts:
        facts = panel_facts.values(facts)
    return [RISK_LEVELS.get(facts.get("risk_level") or "standard", 0),
            int(facts.get("dash_score") or 0), len(list(triggers)),
            int(facts.get("incidents_12m") or 0)]


class PanelService:
    def __init__(self, hub: PartnershipHub, engine: PolicyEngine,
                 panel_types: dict[str, PanelType] | None = None) -> None:
        self.hub = hub
        self.engine = engine
        self.types = panel_types if panel_types is not None else load_panel_types()
        config = load_bundle().data["hub"]["config"]
        self.agency_kinds = {a: doc.get("kind", "other") for a, doc in config["agencies"].items()}
        # Who may take part in a panel: a role whose purposes include the panel's (need to
        # know, seeds/002 L1976), at a member agency.
        self.role_purposes = {r: frozenset(doc.get("purposes", []))
                              for r, doc in config["roles"].items()}

    # -- reading aggregates ------------------------------------------------------------------

    @property
    def index(self) -> PanelIndex:
        """Which referrals, meetings and open cases exist (hub/views/panel_index.py)."""
        return PanelIndex.of(self.hub)

    def _load(self, ids: Iterable[UUID]) -> list[Any]:
        return [self.hub.repository.get(i) for i in ids]

    def panel_type(self, type_id: str) -> PanelType:
        try:
            return self.types[type_id]
        except KeyError:
            raise PanelNotFound(f"no panel type {type_id!r}; configured: "
                                f"{', '.join(sorted(self.types))}") from None

    def referrals(self, panel_type: str | None = None, case_key: str | None = None
                  ) -> list[Referral]:
        return self._load(self.index.referrals(panel_type, case_key))

    def referral(self, referral_id: str) -> Referral:
        found = self.hub.get_or_none(_uuid(referral_id, "referral"))
        if not isinstance(found, Referral):
            raise PanelNotFound(f"no referral {referral_id}")
        return found

    def meetings(self, panel_type: str | None = None, *, member: str | None = None,
                 case_key: str | None = None) -> list[PanelMeeting]:
        return self._load(self.index.meetings(panel_type, member=member, case_key=case_key))

    def meeting(self, meeting_id: str) -> PanelMeeting:
        found = self.hub.get_or_none(_uuid(meeting_id, "meeting"))
        if not isinstance(found, PanelMeeting):
            raise PanelNotFound(f"no meeting {meeting_id}")
        return found

    def next_meeting(self, panel_type: str, now: datetime) -> PanelMeeting | None:
        upcoming = self._load(self.index.meetings(panel_type, from_=now, limit=1))
        return upcoming[0] if upcoming else None

    # -- access ---------------------------------------------------------------------------------

    def record_access(self, who: Requester, page: str, *changed: Aggregate,
                      panel_type: str | None = None, meeting_id: str | None = None,
                      record_refs: Iterable[str] = (), allowed: bool = True, reason: str = "",
                      now: datetime | None = None) -> None:
        """Log who used a panel page or command, in one transaction with what the command
        ``changed``: a crash cannot keep the change and lose its access record."""
        self.hub.save(*changed, PanelAccess(
            user=who.user, agency=who.agency, role=who.role, page=page, panel_type=panel_type,
            meeting_id=meeting_id, record_refs=list(record_refs), allowed=allowed,
            reason=reason, at=now or datetime.now(UTC)))

    def access_log(self) -> list[dict[str, Any]]:
        rows = []
        for a in self._load(self.index.access()):
            rows.append({"access_id": str(a.id), "at": _iso(a.at), "user": a.user,
                         "agency": a.agency, "role": a.role, "page": a.page,
                         "panel_type": a.panel_type, "meeting_id": a.meeting_id,
                         "record_refs": a.record_refs, "allowed": a.allowed,
                         "reason": a.reason})
        return rows

    def _refuse(self, who: Requester, page: str, why: str, **where: Any) -> PanelRefused:
        self.record_access(who, page, allowed=False, reason=why, **where)
        return PanelRefused(why)

    def require_member(self, who: Requester, ptype: PanelType, page: str,
                       meeting: PanelMeeting | None = None) -> None:
        members = meeting.members if meeting is not None else ptype.members
        where = {"panel_type": ptype.id, "meeting_id": str(meeting.id) if meeting else None}
        if who.agency not in members:
            raise self._refuse(
                who, page, f"{who.agency} is not a member agency of the {ptype.name} panel: "
                "access is limited to its members and to its purpose", **where)
        if not (self.serves(who, ptype.purpose) or self.is_coordinator(who, ptype)):
            raise self._refuse(
                who, page, f"role {who.role!r} does not serve the purpose {ptype.purpose} of the "
                f"{ptype.name} panel: access is limited to its members and to its purpose",
                **where)

    def serves(self, who: Requester, purpose: str) -> bool:
        """The role's purposes include the panel's. The coordinator runs the meeting whatever
        its role's purposes; what any page shows of a case is the policy's decision."""
        return purpose in self.role_purposes.get(who.role, frozenset())

    def require_coordinator(self, who: Requester, ptype: PanelType, page: str) -> None:
        """The panel's coordinator: the role panel_chair at the chairing agency."""
        self.require_member(who, ptype, page)
        if not self.is_coordinator(who, ptype):
            raise self._refuse(who, page, f"coordinating the {ptype.name} panel needs the "
                               f"role panel_chair at {ptype.chair}, the chairing agency; you "
                               f"are {who.role!r} at {who.agency}", panel_type=ptype.id)

    def is_coordinator(self, who: Requester, ptype: PanelType) -> bool:
        return who.agency == ptype.chair and who.role in COORDINATOR_ROLES

    # -- facts and triggers ---------------------------------------------------------------------

    def case_facts(self, case_agency: str, case_ref: str, now: datetime) -> dict[str, Any]:
        """The referral's prefill, from the case's events (never retyped), in stored form."""
        view = build_case_view(self.hub, case_agency, case_ref)
        if view is None:
            raise PanelNotFound(f"no case {case_agency}/{case_ref}")
        return panel_facts.case_facts(view, now)

    def show_facts(self, who: Requester, ptype: PanelType, case_agency: str, case_ref: str,
                   facts: dict[str, Any], *, record_kind: str, now: datetime,
                   **panel: str) -> SharedView:
        """Facts about a case for this requester, as the policy decides for the panel's
        purpose, recorded as a disclosure like any case view (supplier notification too)."""
        return disclose_fields(
            self.hub, self.engine, replace(who, acting_for=None), record_kind=record_kind,
            record_ref=f"{case_agency}:{case_ref}", supplier=case_agency,
            subjects=list(facts.get("subjects", [])), fields=panel_facts.fields(facts),
            purpose=ptype.purpose, panel={"type": ptype.id, **panel}, now=now)

    def shown_suggestions(self, who: Requester, type_id: str, now: datetime
                          ) -> list[tuple[Suggestion, SharedView]]:
        """The coordinator's list of triggered cases, each one's facts a disclosure. A case
        of which the policy releases nothing to the coordinator is left out: that a trigger
        fired for it is itself a fact about it (the refusal is still recorded)."""
        ptype = self.panel_type(type_id)
        self.require_coordinator(who, ptype, "suggestions")
        found = []
        for suggestion in self.suggestions(type_id, now):
            shared = self.show_facts(who, ptype, suggestion.case_agency, suggestion.case_ref,
                                     suggestion.facts, record_kind="referral_suggestion",
                                     now=now)
            if shared.allowed:
                found.append((suggestion, shared))
        self.record_access(who, "suggestions", panel_type=type_id,
                           record_refs=[s.case_key for s, _ in found], now=now)
        return found

    def shown_referrals(self, who: Requester, referrals: Iterable[Referral], now: datetime
                        ) -> list[tuple[Referral, SharedView]]:
        """Referrals with their facts, each one's facts a disclosure to this requester."""
        return [(r, self.show_facts(who, self.panel_type(r.panel_type), r.case_agency,
                                    r.case_ref, r.facts, record_kind="referral_facts",
                                    now=now, id=str(r.id))) for r in referrals]

    def _triggers(self, ptype: PanelType, case: Case, last_referral_at: datetime | None,
                  now: datetime) -> list[str]:
        if ptype.referral_rule == "marac":
            if not panel_facts.is_domestic_abuse(case):
                return []
            view = build_case_view(self.hub, case.agency, case.ref)
            assert view is not None
            times = [i.occurred_at for i in view.incidents
                     if i.flags.get("domestic_abuse") or i.category == "domestic_abuse"]
            judged = case.risk_level if case.risk_level == "high" else None
            return marac.marac_triggers(dash_score=case.dash_score, judged_level=judged,
                                        incident_times=times, last_referral_at=last_referral_at,
                                        now=now).reasons
        if ptype.referral_rule == "case_review":
            view = build_case_view(self.hub, case.agency, case.ref)
            assert view is not None
            reports = [case_review.Report(i.agency, self.agency_kinds.get(i.agency, "other"),
                                          i.reported_at, i.occurred_at) for i in view.incidents
                       if i.reported_at <= now]
            return ["case_review_eligible"] if case_review.is_eligible(reports) else []
        return []

    def suggestions(self, type_id: str, now: datetime | None = None) -> list[Suggestion]:
        """Open cases a trigger fired for and that have no open referral to this panel."""
        now = now or datetime.now(UTC)
        ptype = self.panel_type(type_id)
        if ptype.referral_rule is None:
            return []
        referrals = self.referrals(type_id)
        open_cases = {r.case_key for r in referrals if r.is_open}
        last: dict[str, datetime] = {}
        for r in referrals:
            if r.status != DECLINED:
                last[r.case_key] = max(r.referred_at, last.get(r.case_key, r.referred_at))
        found = []
        for case in self._load(self.index.open_cases()):
            key = f"{case.agency}/{case.ref}"
            if not case.is_open or key in open_cases or case.opened_at > now:
                continue
            triggers = self._triggers(ptype, case, last.get(key), now)
            if triggers:
                facts = panel_facts.with_referral(
                    self.case_facts(case.agency, case.ref, now), supplier=case.agency,
                    triggers=triggers, note="", referrer=case.agency)
                found.append(Suggestion(type_id, case.agency, case.ref, triggers, facts))
        found.sort(key=lambda s: [-r for r in risk_rank(s.facts, s.triggers)])
        return found

    # -- referrals ---------------------------------------------------------------------------

    def refer(self, who: Requester, type_id: str, case_agency: str, case_ref: str, *,
              triggers: Iterable[str] = (), note: str = "",
              now: datetime | None = None) -> tuple[Referral, SharedView]:
        """Refer by hand (``note`` says why) or from triggers; the facts come from events.

        The referrer gets the facts back only as the policy releases them to their agency for
        the panel's purpose. A case that does not exist and a case of which nothing may be
        shown to them get the same refusal (NoCaseView), in that order of checks, and both
        are recorded: referring is no way to learn which case references exist.
        """
        now = now or datetime.now(UTC)
        ptype = self.panel_type(type_id)
        self.require_member(who, ptype, "refer")
        key, triggers = f"{case_agency}/{case_ref}", list(triggers)
        view = build_case_view(self.hub, case_agency, case_ref)
        facts = panel_facts.with_referral(
            panel_facts.case_facts(view, now) if view else {"subjects": [], "fields": []},
            supplier=case_agency, triggers=triggers, note=note.strip(), referrer=who.agency,
            view=view)
        referral = Referral.make(panel_type=type_id, case_agency=case_agency,
                                 case_ref=case_ref, source="trigger" if triggers else "manual",
                                 triggers=triggers, note=note, referred_by=_who(who), at=now,
                                 facts=facts)  # refuses a hand referral without a reason
        try:
            if view is None:
                raise NoCaseView(record_miss(
                    self.hub, self.engine, who, record_kind="referral_facts",
                    record_ref=f"{case_agency}:{case_ref}", purpose=ptype.purpose,
                    panel={"type": ptype.id}, now=now))
            shared = self.show_facts(who, ptype, case_agency, case_ref, facts,
                                     record_kind="referral_facts", now=now,
                                     id=str(referral.id))
            if not set(shared.decision.released) - {panel_facts.NOTE}:  # the note is theirs
                raise NoCaseView(shared)
            if any(r.is_open for r in self.referrals(type_id, case_key=key)):
                raise DomainRefused("already-referred",
                                    f"{key} already has an open referral to {ptype.name}")
        except (NoCaseView, DomainRefused):
            self.record_access(who, "refer", panel_type=type_id, record_refs=[key], now=now)
            raise
        self.record_access(who, "refer", referral, panel_type=type_id, record_refs=[key],
                           now=now)
        return referral, shared

    def refer_suggested(self, who: Requester, type_id: str, *,
                        now: datetime | None = None) -> list[tuple[Referral, SharedView]]:
        """Refer every suggested case whose facts the policy releases to the coordinator."""
        now = now or datetime.now(UTC)
        self.require_coordinator(who, self.panel_type(type_id), "refer")
        made = []
        for s in self.suggestions(type_id, now):
            try:
                made.append(self.refer(who, type_id, s.case_agency, s.case_ref,
                                       triggers=s.triggers, now=now))
            except NoCaseView:
                continue  # recorded as a refusal; nothing about the case is shown
        return made

    def decide_referral(self, who: Requester, referral_id: str, *, accept: bool, reason: str,
                        now: datetime | None = None) -> Referral:
        now = now or datetime.now(UTC)
        referral = self.referral(referral_id)
        ptype = self.panel_type(referral.panel_type)
        self.require_coordinator(who, ptype, "decide_referral")
        if accept:
            referral.accept(by=_who(who), reason=reason, at=now)
        else:
            referral.decline(by=_who(who), reason=reason, at=now)
        self.record_access(who, "decide_referral", referral, panel_type=ptype.id,
                           record_refs=[referral.case_key], now=now)
        return referral

    # -- meetings and agendas -----------------------------------------------------------------

    def schedule(self, who: Requester, type_id: str, held_at: datetime, *,
                 now: datetime | None = None) -> PanelMeeting:
        now = now or datetime.now(UTC)
        ptype = self.panel_type(type_id)
        self.require_coordinator(who, ptype, "schedule")
        if held_at.tzinfo is None or not (now - MEETING_WINDOW[0] <= held_at
                                          <= now + MEETING_WINDOW[1]):
            raise DomainRefused(
                "bad-date", "a meeting is scheduled with its time zone, from a year ago to five "
                            "years ahead: give another date and time")
        meeting = PanelMeeting(panel_type=type_id, purpose=ptype.purpose, held_at=held_at,
                               chair=ptype.chair, members=list(ptype.members),
                               max_cases=ptype.max_cases, scheduled_by=_who(who), at=now)
        self.record_access(who, "schedule", meeting, panel_type=type_id,
                           meeting_id=str(meeting.id), now=now)
        return meeting

    def add_to_agenda(self, who: Requester, meeting_id: str,
                      referral_ids: Iterable[str] | None = None, *,
                      now: datetime | None = None) -> PanelMeeting:
        """List accepted referrals (all of them, highest risk first, if none are named)."""
        now = now or datetime.now(UTC)
        meeting = self.meeting(meeting_id)
        ptype = self.panel_type(meeting.panel_type)
        self.require_coordinator(who, ptype, "agenda")
        if referral_ids is None:
            chosen = [r for r in self.referrals(ptype.id) if r.status == ACCEPTED]
        else:
            chosen = [self.referral(i) for i in referral_ids]
        chosen.sort(key=lambda r: [-x for x in risk_rank(r.facts, r.triggers)])
        changed: list[Any] = []
        for referral in chosen:
            if referral.panel_type != ptype.id:
                raise DomainRefused("wrong-panel", f"referral {referral.id} is to "
                                    f"{referral.panel_type}, not {ptype.id}")
            if meeting.max_cases is not None and len(meeting.items) >= meeting.max_cases:
                break
            referral.list_on(meeting_id=str(meeting.id), at=now)
            meeting.list_case(referral_id=str(referral.id), case_agency=referral.case_agency,
                              case_ref=referral.case_ref,
                              risk=risk_rank(referral.facts, referral.triggers),
                              facts=referral.facts, at=now)
            changed.append(referral)
        self.record_access(who, "agenda", meeting, *changed, panel_type=ptype.id,
                           meeting_id=str(meeting.id),
                           record_refs=[r.case_key for r in changed], now=now)
        return meeting

    def overdue_actions(self, meeting: PanelMeeting, today: date) -> list[dict[str, Any]]:
        """Open actions from this panel's earlier meetings that are past their due date:
        they surface on the next agenda."""
        found = []
        for earlier in self.meetings(meeting.panel_type):
            if earlier.id == meeting.id or earlier.held_at >= meeting.held_at:
                continue
            for action in earlier.actions.values():
                if is_overdue(action, today):
                    found.append({**action, "meeting_id": str(earlier.id),
                                  "meeting_held_at": earlier.held_at})
        return sorted(found, key=lambda a: (a["due"], a["action_id"]))

    def agenda(self, who: Requester, meeting_id: str, *,
               now: datetime | None = None) -> dict[str, Any]:
        """The meeting, its agenda lines (each line's facts a disclosure to this member) and
        the overdue actions of the panel's earlier meetings."""
        now = now or datetime.now(UTC)
        meeting = self.meeting(meeting_id)
        ptype = self.panel_type(meeting.panel_type)
        self.require_member(who, ptype, "agenda_view", meeting)
        items = meeting.agenda
        self.record_access(who, "agenda_view", panel_type=ptype.id, meeting_id=meeting_id,
                           record_refs=[f"{i['case_agency']}/{i['case_ref']}" for i in items],
                           now=now)
        lines = [(item, self.show_facts(who, ptype, item["case_agency"], item["case_ref"],
                                        item["facts"], record_kind="agenda_line", now=now,
                                        meeting_id=meeting_id, id=item["referral_id"]))
                 for item in items]
        return {"meeting": meeting, "panel": ptype, "items": items, "lines": lines,
                "overdue_actions": self.overdue_actions(meeting, now.date())}

    # -- packs ---------------------------------------------------------------------------------

    def _disclose(self, who: Requester, meeting: PanelMeeting, ptype: PanelType,
                  case_agency: str, case_ref: str, now: datetime) -> SharedView:
        return disclose_case_view(
            self.hub, self.engine, replace(who, acting_for=None), case_agency=case_agency,
            case_ref=case_ref, purpose=ptype.purpose,
            panel={"type": ptype.id, "meeting_id": str(meeting.id)}, now=now)

    def pack(self, who: Requester, meeting_id: str, *,
             now: datetime | None = None) -> list[PackEntry]:
        """The requesting agency's pack: every case on the agenda, each view a disclosure
        decided for that agency and this panel's purpose."""
        now = now or datetime.now(UTC)
        meeting = self.meeting(meeting_id)
        ptype = self.panel_type(meeting.panel_type)
        self.require_member(who, ptype, "pack", meeting)
        entries = [PackEntry(item, self._disclose(who, meeting, ptype, item["case_agency"],
                                                  item["case_ref"], now))
                   for item in meeting.agenda]
        meeting.issue_pack(agency=who.agency, user=who.user,
                           disclosure_ids=[e.shared.disclosure_id for e in entries],
                           cases=[f"{e.item['case_agency']}/{e.item['case_ref']}"
                                  for e in entries], at=now)
        self.hub.save(meeting)
        return entries

    def pack_case(self, who: Requester, meeting_id: str, case_agency: str, case_ref: str, *,
                  now: datetime | None = None) -> PackEntry:
        """One case from the pack (a member opening it in the meeting): one disclosure."""
        now = now or datetime.now(UTC)
        meeting = self.meeting(meeting_id)
        ptype = self.panel_type(meeting.panel_type)
        self.require_member(who, ptype, "pack_case", meeting)
        item = next((i for i in meeting.agenda if i["case_agency"] == case_agency
                     and i["case_ref"] == case_ref), None)
        if item is None:
            raise PanelNotFound(f"{case_agency}/{case_ref} is not on this meeting's agenda")
        return PackEntry(item, self._disclose(who, meeting, ptype, case_agency, case_ref, now))

    # -- minutes, decisions, actions -------------------------------------------------------------

    def _chair_meeting(self, who: Requester, meeting_id: str, page: str) -> PanelMeeting:
        meeting = self.meeting(meeting_id)
        self.require_coordinator(who, self.panel_type(meeting.panel_type), page)
        return meeting

    def record_minutes(self, who: Requester, meeting_id: str, text: str, *,
                       now: datetime | None = None) -> PanelMeeting:
        now = now or datetime.now(UTC)
        meeting = self._chair_meeting(who, meeting_id, "minutes")
        meeting.record_minutes(text=text, by=_who(who), at=now)
        self.record_access(who, "minutes", meeting, panel_type=meeting.panel_type,
                           meeting_id=meeting_id, now=now)
        return meeting

    def record_decision(self, who: Requester, meeting_id: str, case_agency: str, case_ref: str,
                        text: str, *, now: datetime | None = None) -> PanelMeeting:
        now = now or datetime.now(UTC)
        meeting = self._chair_meeting(who, meeting_id, "decision")
        meeting.record_decision(case_agency=case_agency, case_ref=case_ref, text=text,
                                by=_who(who), at=now)
        self.record_access(who, "decision", meeting, panel_type=meeting.panel_type,
                           meeting_id=meeting_id, record_refs=[f"{case_agency}/{case_ref}"],
                           now=now)
        return meeting

    def create_action(self, who: Requester, meeting_id: str, case_agency: str, case_ref: str,
                      owner: str, description: str, due: date, *,
                      now: datetime | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        meeting = self._chair_meeting(who, meeting_id, "action")
        action_id = f"A-{secrets.token_hex(4)}"
        meeting.create_action(action_id=action_id, case_agency=case_agency, case_ref=case_ref,
                              owner=owner, description=description, due=due, by=_who(who),
                              at=now)
        self.record_access(who, "action", meeting, panel_type=meeting.panel_type,
                           meeting_id=meeting_id, record_refs=[f"{case_agency}/{case_ref}"],
                           now=now)
        return meeting.actions[action_id]

    def set_action_status(self, who: Requester, meeting_id: str, action_id: str, status: str,
                          note: str = "", *, now: datetime | None = None) -> dict[str, Any]:
        now = now or datetime.now(UTC)
        meeting = self.meeting(meeting_id)
        ptype = self.panel_type(meeting.panel_type)
        self.require_member(who, ptype, "action_status", meeting)
        meeting.set_action_status(action_id=action_id, status=status, note=note, by=_who(who),
                                  at=now)
        self.record_access(who, "action_status", meeting, panel_type=ptype.id,
                           meeting_id=meeting_id,
                           now=now)
        return meeting.actions[action_id]

    def actions(self, who: Requester, *, now: datetime | None = None) -> list[dict[str, Any]]:
        """The action tracker: actions of every panel the requester's agency sits on."""
        now = now or datetime.now(UTC)
        rows = []
        for meeting in self.meetings(member=who.agency):
            ptype = self.types.get(meeting.panel_type)
            takes_part = ptype is not None and (self.serves(who, ptype.purpose)
                                                or self.is_coordinator(who, ptype))
            if who.agency not in meeting.members or not takes_part:
                continue
            for action in meeting.actions.values():
                rows.append({**action, "meeting_id": str(meeting.id),
                             "panel_type": meeting.panel_type, "meeting_held_at": meeting.held_at,
                             "overdue": is_overdue(action, now.date())})
        rows.sort(key=lambda a: (not a["overdue"], a["due"], a["action_id"]))
        self.record_access(who, "actions", record_refs=sorted(
            {f"{a['case_agency']}/{a['case_ref']}" for a in rows}), now=now)
        return rows

    # -- the case timeline ---------------------------------------------------------------------

    def panel_history(self, case_agency: str, case_ref: str, *,
                      with_text: bool = False) -> list[dict[str, Any]]:
        """A case's panel history as timeline entries ({"at", "agency", "what", ...}, the
        shape of hub.views.timeline), oldest first. Free text (decisions, actions, reasons) and
        triggers (risk indicators) only when ``with_text``: the caller decides whether its
        reader may see them (the case page: only when the case view released something)."""
        key, entries = f"{case_agency}/{case_ref}", []
        for r in self.referrals(case_key=key):
            entries.append({"at": _iso(r.referred_at), "agency": r.referred_by["agency"],
                            "what": "panel_referral", "panel": r.panel_type,
                            "source": r.source,
                            **({"note": r.note, "triggers": r.triggers} if with_text
                               else {})})
            if r.decided_at is not None:
                outcome = "declined" if r.status == DECLINED else "accepted"
                entries.append({"at": _iso(r.decided_at), "agency": r.decided_by["agency"],
                                "what": f"panel_referral_{outcome}", "panel": r.panel_type,
                                **({"reason": r.decision_reason} if with_text else {})})
        for m in self.meetings(case_key=key):
            entries.append({"at": _iso(m.held_at), "agency": m.chair, "what": "panel_meeting",
                            "panel": m.panel_type, "meeting_id": str(m.id)})
            for d in m.decisions:
                if (d["case_agency"], d["case_ref"]) == (case_agency, case_ref):
                    entries.append({"at": _iso(d["at"]), "agency": d["by"]["agency"],
                                    "what": "panel_decision", "panel": m.panel_type,
                                    **({"text": d["text"]} if with_text else {})})
            for a in m.actions.values():
                if (a["case_agency"], a["case_ref"]) == (case_agency, case_ref):
                    entries.append({"at": _iso(a["created_at"]), "agency": a["owner"],
                                    "what": "panel_action", "panel": m.panel_type,
                                    "due": a["due"].isoformat(), "status": a["status"],
                                    **({"description": a["description"]} if with_text
                                       else {})})
        return sorted(entries, key=lambda e: e["at"])  # stable: ties keep the order above


def _uuid(value: str, what: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise PanelNotFound(f"no {what} {value!r}") from None
