"""An ASB case: the lead agency's file, which may gather incidents from several agencies.

Every change after opening is an event carrying the agency's record version: versions must
arrive in order (one after another), so a late or lost update is refused rather than applied
over newer facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.model import ids
from domain.model.errors import DomainRefused
from domain.rules import dash, marac

# Escalation ladder (001:L184-295, 002:L594-1964), lowest first.
INTERVENTIONS = ("interview", "warning_letter", "banning_letter", "mediation",
                 "acceptable_behaviour_contract", "acceptable_behaviour_agreement",
                 "community_protection_warning", "community_protection_notice",
                 "civil_injunction", "notice_of_seeking_possession", "possession",
                 "demotion", "closure_order", "criminal_behaviour_order", "pspo", "dispersal")
LEGAL_ACTIONS = frozenset({"civil_injunction", "notice_of_seeking_possession", "possession",
                           "demotion", "closure_order", "criminal_behaviour_order"})
# Closure reasons (002:L2055-2067).
CLOSURE_REASONS = ("asb_stopped", "insufficient_evidence", "not_asb", "perpetrator_moved",
                   "complainant_moved", "no_reports_four_weeks")


class Case(Aggregate):
    """A case opened by its lead agency (seeds/002 L1176-1189 reporting, 000 L84-112 triage)."""

    @staticmethod
    def create_id(agency: str, ref: str, **_: Any) -> UUID:
        return ids.case_id(agency, ref)

    @event("Opened")
    def __init__(self, *, agency: str, ref: str, version: int, source_event_id: str,
                 opened_at: datetime, category: str, summary: str, lead_officer: str | None,
                 triage_tier: str | None, location: dict[str, Any] | None,
                 parties: list[dict[str, Any]], incident_refs: list[dict[str, str]],
                 flags: dict[str, bool]) -> None:
        self.agency = agency
        self.ref = ref
        self.version = version
        self.source_event_ids = [source_event_id]
        self.opened_at = opened_at
        self.category = category
        self.summary = summary
        self.lead_officer = lead_officer
        self.triage_tier = triage_tier
        self.location = location
        self.parties = parties
        self.incident_refs = incident_refs
        self.flags = flags

    # state added by the lifecycle; class defaults keep cases opened before it readable
    lead_agency: str | None = None
    category_after_investigation: str | None = None
    legal_action = False
    risk_level: str | None = None
    dash_score: int | None = None
    dash_answers: list[str] | None = None  # DASH questions answered yes (domain/rules/dash.py)
    risk_summary: str | None = None
    closed_at: datetime | None = None
    closure_reason: str | None = None
    last_contact_at: datetime | None = None
    report: dict[str, Any] | None = None
    interventions: tuple[dict[str, Any], ...] = ()

    @property
    def party_keys(self) -> list[str]:
        return [p["match_key"] for p in self.parties]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def current_lead(self) -> str:
        return self.lead_agency or self.agency

    # -- checks shared by every change ---------------------------------------------------------

    def check_change(self, agency: str, version: int, source_event_id: str) -> bool:
        """False if this exact change was already applied; raises if it cannot be applied."""
        if source_event_id in self.source_event_ids:
            return False
        if agency not in {self.agency, self.current_lead}:
            raise DomainRefused("not-lead-agency",
                                f"case {self.agency}/{self.ref} is led by {self.current_lead}; "
                                f"{agency} cannot change it")
        if version <= self.version:
            raise DomainRefused("stale-version",
                                f"case {self.agency}/{self.ref} is at version {self.version}; "
                                f"version {version} is older than what is held")
        if version != self.version + 1:
            raise DomainRefused("out-of-order",
                                f"case {self.agency}/{self.ref} is at version {self.version}; "
                                f"version {version} arrived before {self.version + 1}: "
                                "send the missing update first")
        if not self.is_open:
            raise DomainRefused("case-closed",
                                f"case {self.agency}/{self.ref} was closed on "
                                f"{self.closed_at:%Y-%m-%d} ({self.closure_reason}); "
                                "open a new case for new ASB (002:L2071)")
        return True

    def _advance(self, version: int, source_event_id: str) -> None:
        self.version = version
        self.source_event_ids.append(source_event_id)

    # -- lifecycle -----------------------------------------------------------------------------

    @event("Updated")
    def update(self, *, version: int, source_event_id: str, at: datetime,
               changes: dict[str, Any]) -> None:
        """Category after investigation, triage tier, lead agency/officer, flags, legal action,
        how the report was received (channel, anonymous, on behalf of: 002:L1176-1189),
        victim contact (001:L168)."""
        self._advance(version, source_event_id)
        for name in ("category_after_investigation", "triage_tier", "lead_agency",
                     "lead_officer", "legal_action", "report"):
            if name in changes:
                setattr(self, name, changes[name])
        if "flags" in changes:
            self.flags = {**self.flags, **changes["flags"]}
        if changes.get("victim_contacted"):
            self.last_contact_at = at

    def add_party(self, *, version: int, source_event_id: str, at: datetime,
                  party: dict[str, Any]) -> None:
        if any(p["match_key"] == party["match_key"] and p["role"] == party["role"]
               for p in self.parties):
            raise DomainRefused("party-already-added",
                                f"this person is already a {party['role']} on case "
                                f"{self.agency}/{self.ref}")
        self._party_added(version=version, source_event_id=source_event_id, at=at,
                          party=party)

    @event("PartyAdded")
    def _party_added(self, *, version: int, source_event_id: str, at: datetime,
                     party: dict[str, Any]) -> None:
        """A person may hold several roles, e.g. victim and perpetrator (004:L147)."""
        self._advance(version, source_event_id)
        self.parties = [*self.parties, party]

    def assess_risk(self, *, version: int, source_event_id: str, at: datetime,
                    dash_score: int | None, judged_level: str | None,
                    dash_answers: list[str] | None = None,
                    risk_summary: str | None = None) -> None:
        """DASH checklist and professional judgement (002:L2018-2022); judgement may raise
        the level but never lower it, below the DASH level or the level already held. With
        the yes answers, the score is their number (a stated score must agree)."""
        if dash_answers is not None:
            try:
                dash_score = dash.score(dash_answers, dash_score)
            except dash.DashRefused as refused:
                raise DomainRefused(refused.reason, str(refused)) from refused
        floor = self.risk_level or "standard"
        assessed = marac.level_from_dash(dash_score) if dash_score is not None else floor
        if marac.LEVELS.index(assessed) < marac.LEVELS.index(floor):
            assessed = floor
        try:
            level = marac.apply_judgement(assessed, judged_level)
        except marac.JudgementRefused as refused:
            raise DomainRefused(refused.reason, str(refused)) from refused
        self._risk_assessed(version=version, source_event_id=source_event_id, at=at,
                            dash_score=dash_score, judged_level=judged_level, level=level,
                            dash_answers=dash_answers, risk_summary=risk_summary)

    @event("RiskAssessed")
    def _risk_assessed(self, *, version: int, source_event_id: str, at: datetime,
                       dash_score: int | None, judged_level: str | None, level: str,
                       dash_answers: list[str] | None = None,
                       risk_summary: str | None = None) -> None:
        """The answers and summary default to None for events stored before they existed."""
        self._advance(version, source_event_id)
        if dash_score is not None:  # a new checklist replaces the last one's answers
            self.dash_score = dash_score
            self.dash_answers = dash_answers
        if risk_summary is not None:
            self.risk_summary = risk_summary
        self.risk_level = level

    @event("ActionAssigned")
    def assign_action(self, *, version: int, source_event_id: str, at: datetime,
                      action_id: str, agency: str, description: str,
                      due: datetime | None) -> None:
        """Action plan: actions assigned to agencies with due dates (DOMAIN.md panels)."""
        self._advance(version, source_event_id)

    def record_intervention(self, *, version: int, source_event_id: str, at: datetime,
                            intervention: str, against: str | None,
                            scheduled_for: str | None = None) -> None:
        """A step on the ladder; ``scheduled_for`` (ISO date) is when it is to be enforced,
        such as the eviction date of a possession order (seeds/002 L1728)."""
        if intervention not in INTERVENTIONS:
            raise DomainRefused("unknown-intervention", f"{intervention!r} is not on the ladder")
        self._intervention(version=version, source_event_id=source_event_id, at=at,
                           intervention=intervention, against=against,
                           scheduled_for=scheduled_for)

    @event("InterventionRecorded")
    def _intervention(self, *, version: int, source_event_id: str, at: datetime,
                      intervention: str, against: str | None,
                      scheduled_for: str | None = None) -> None:
        self._advance(version, source_event_id)
        self.interventions = (*self.interventions, {
            "intervention": intervention, "at": at.isoformat(), "against": against,
            "scheduled_for": scheduled_for})
        if intervention in LEGAL_ACTIONS:
            self.legal_action = True  # the 16-week limit stops applying (002:L2070)

    @event("IncidentLinked")
    def link_incident(self, *, version: int, source_event_id: str, at: datetime,
                      agency: str, ref: str) -> None:
        """One case gathers incidents reported to several agencies."""
        self._advance(version, source_event_id)
        self.incident_refs = [*self.incident_refs, {"agency": agency, "ref": ref}]

    def close(self, *, version: int, source_event_id: str, at: datetime, reason: str) -> None:
        if reason not in CLOSURE_REASONS:
            raise DomainRefused("unknown-closure-reason",
                                f"{reason!r} is not a closure reason (002:L2055-2067)")
        if at < self.opened_at:
            raise DomainRefused("closed-before-opened",
                                f"closing at {at:%Y-%m-%d} is before the case opened")
        self._closed(version=version, source_event_id=source_event_id, at=at, reason=reason)

    @event("Closed")
    def _closed(self, *, version: int, source_event_id: str, at: datetime, reason: str) -> None:
        self._advance(version, source_event_id)
        self.closed_at = at
        self.closure_reason = reason
