"""Caseload view per agency: open cases it leads and actions assigned to it, each with its
service deadlines (domain/rules/deadlines.py) and whether they are due or breached."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from domain.model import Case, Incident
from domain.model.case import LEGAL_ACTIONS
from domain.rules import deadlines
from hub.views.projections import View, ViewState, event_name, iso


class CaseloadState(ViewState):
    def __init__(self) -> None:
        super().__init__()
        self.cases: dict[str, dict[str, Any]] = {}
        self.case_keys: dict[str, str] = {}
        self.reported: dict[str, str] = {}  # incident "agency/ref" -> reported_at

    def state(self) -> dict[str, Any]:
        return {"cases": self.cases, "reported": self.reported}


class CaseloadView(View):
    reads: ClassVar[tuple[type, ...]] = (
        Case.Opened, Case.Updated, Case.RiskAssessed, Case.ActionAssigned,
        Case.InterventionRecorded, Case.IncidentLinked, Case.Closed, Incident.Reported)
    state_class = CaseloadState
    view: CaseloadState

    def apply(self, e: Any) -> None:
        name, state = event_name(e), self.view
        if name == "Incident.Reported":
            state.reported[f"{e.agency}/{e.ref}"] = iso(e.reported_at) or ""
            return
        if name == "Case.Opened":
            key = f"{e.agency}/{e.ref}"
            state.case_keys[str(e.originator_id)] = key
            reports = [state.reported.get(f"{r['agency']}/{r['ref']}", "")
                       for r in e.incident_refs]
            state.cases[key] = {"lead": e.agency, "opened_at": iso(e.opened_at),
                                "last_contact": iso(e.opened_at),
                                "last_report": max([iso(e.opened_at) or "", *reports]),
                                "legal_action": False, "closed": None, "risk": None,
                                "actions": []}
            return
        case = state.cases[state.case_keys[str(e.originator_id)]]
        if name == "Case.Updated":
            case["lead"] = e.changes.get("lead_agency", case["lead"])
            case["legal_action"] = e.changes.get("legal_action", case["legal_action"])
            if e.changes.get("victim_contacted"):
                case["last_contact"] = iso(e.at)
        elif name == "Case.RiskAssessed":
            case["risk"] = e.level
        elif name == "Case.ActionAssigned":
            case["actions"].append({"id": e.action_id, "agency": e.agency, "due": iso(e.due)})
        elif name == "Case.InterventionRecorded":
            case["legal_action"] = case["legal_action"] or e.intervention in LEGAL_ACTIONS
        elif name == "Case.IncidentLinked":
            reported = state.reported.get(f"{e.agency}/{e.ref}", "")
            case["last_report"] = max(case["last_report"], reported)
        elif name == "Case.Closed":
            case["closed"] = iso(e.at)

    def caseload(self, agency: str, now: datetime) -> list[dict[str, Any]]:
        """Open cases led by ``agency`` and open cases with actions assigned to it."""
        rows = []
        for key, case in sorted(self.view.cases.items()):
            mine = case["lead"] == agency
            actions = [a for a in case["actions"] if a["agency"] == agency]
            if case["closed"] or not (mine or actions):
                continue
            due: list[deadlines.Deadline] = []
            if mine:
                due.append(deadlines.victim_contact(_dt(case["last_contact"])))
                due.append(deadlines.closure_intent_letter(_dt(case["last_report"])))
                limit = deadlines.case_limit(_dt(case["opened_at"]),
                                             legal_action=case["legal_action"])
                if limit is not None:
                    due.append(limit)
            due += [deadlines.Deadline(f"action:{a['id']}", _dt(a["due"]), "action plan")
                    for a in actions if a["due"]]
            rows.append({"case": key, "lead": case["lead"], "risk": case["risk"],
                         "deadlines": [{"name": d.name, "due": d.due.isoformat(),
                                        "state": d.state(now), "cite": d.cite} for d in due]})
        return rows


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text)
