"""Case timeline across agencies: the lead agency's steps on a case, interleaved with every
incident, from any agency, that the case names or that names one of the case's people."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, ClassVar

from domain.model import Case, Incident
from hub.views.projections import View, ViewState, event_name, iso


class TimelineState(ViewState):
    def __init__(self) -> None:
        super().__init__()
        self.cases: dict[str, dict[str, Any]] = {}
        self.incidents: dict[str, dict[str, Any]] = {}
        self.incidents_by_person: dict[str, list[str]] = defaultdict(list)
        self.case_keys: dict[str, str] = {}  # aggregate id -> "agency/ref"

    def state(self) -> dict[str, Any]:
        return {"cases": self.cases, "incidents": self.incidents,
                "incidents_by_person": dict(self.incidents_by_person)}


def _describe(name: str, e: Any) -> dict[str, Any]:
    kind = name.split(".")[-1]
    if kind == "Updated":
        return {"what": "updated", "changes": sorted(e.changes)}
    if kind == "PartyAdded":
        return {"what": "party_added", "role": e.party["role"]}
    if kind == "RiskAssessed":
        return {"what": "risk_assessed", "level": e.level, "dash_score": e.dash_score}
    if kind == "ActionAssigned":
        return {"what": "action_assigned", "agency": e.agency, "due": iso(e.due)}
    if kind == "InterventionRecorded":
        return {"what": "intervention", "intervention": e.intervention}
    if kind == "IncidentLinked":
        return {"what": "incident_linked", "incident": f"{e.agency}/{e.ref}"}
    return {"what": "closed", "reason": e.reason}


class TimelineView(View):
    reads: ClassVar[tuple[type, ...]] = (
        Case.Opened, Case.Updated, Case.PartyAdded, Case.RiskAssessed, Case.ActionAssigned,
        Case.InterventionRecorded, Case.IncidentLinked, Case.Closed, Incident.Reported)
    state_class = TimelineState
    view: TimelineState

    def apply(self, e: Any) -> None:
        name, state = event_name(e), self.view
        if name == "Incident.Reported":
            key = f"{e.agency}/{e.ref}"
            state.incidents[key] = {"at": iso(e.occurred_at), "agency": e.agency,
                                    "category": e.category, "what": "incident"}
            for party in e.parties:
                state.incidents_by_person[party["match_key"]].append(key)
            return
        if name == "Case.Opened":
            key = f"{e.agency}/{e.ref}"
            state.case_keys[str(e.originator_id)] = key
            state.cases[key] = {
                "entries": [{"at": iso(e.opened_at), "agency": e.agency, "what": "opened",
                             "category": e.category}],
                "incident_refs": [f"{r['agency']}/{r['ref']}" for r in e.incident_refs],
                "party_keys": sorted({p["match_key"] for p in e.parties})}
            return
        case = state.cases[state.case_keys[str(e.originator_id)]]
        case["entries"].append({"at": iso(e.at), "agency": case["entries"][0]["agency"],
                                **_describe(name, e)})
        if name == "Case.IncidentLinked":
            case["incident_refs"].append(f"{e.agency}/{e.ref}")
        elif name == "Case.PartyAdded":
            case["party_keys"] = sorted({*case["party_keys"], e.party["match_key"]})

    def timeline(self, agency: str, ref: str) -> list[dict[str, Any]]:
        """Every entry in time order; incidents carry their reporting agency."""
        case = self.view.cases.get(f"{agency}/{ref}")
        if case is None:
            return []
        refs = set(case["incident_refs"])
        for key in case["party_keys"]:
            refs.update(self.view.incidents_by_person.get(key, []))
        incidents = [{**self.view.incidents[r], "incident": r}
                     for r in refs if r in self.view.incidents]
        return sorted([*case["entries"], *incidents],
                      key=lambda entry: (entry["at"], entry["what"], entry.get("incident", "")))
