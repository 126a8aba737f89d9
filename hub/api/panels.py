"""Panels over JSON: panel types, referrals, meetings, agendas, packs, minutes and actions.

Same service layer and same policy decisions as the web pages (hub/web). Bearer API client
plus ``X-Hub-User``, as every other endpoint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field

from domain.model.errors import DomainRefused
from domain.model.panels import PanelMeeting, Referral
from hub.api.auth import requester
from hub.application import PartnershipHub
from hub.panels.config import PanelType
from hub.panels.service import PackEntry, PanelNotFound, PanelRefused, PanelService
from hub.policy import PolicyEngine
from hub.sharing import AuditUnavailable, CaseNotFound, Requester

Who = Annotated[Requester, Depends(requester)]


@contextmanager
def refusals() -> Iterator[None]:
    """The service's refusals as HTTP answers a person can act on."""
    try:
        yield
    except PanelRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except (PanelNotFound, CaseNotFound) as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except DomainRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            {"reason": exc.reason, "message": str(exc)}) from exc
    except AuditUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


class CaseRef(BaseModel):
    agency: str
    ref: str


class ReferralRequest(BaseModel):
    panel_type: str
    case: CaseRef
    reason: str = Field(description="why this case should go to the panel (referral by hand)")


class ReferralDecision(BaseModel):
    accept: bool
    reason: str


class MeetingRequest(BaseModel):
    panel_type: str
    held_at: datetime


class AgendaRequest(BaseModel):
    referral_ids: list[str] | None = Field(
        None, description="accepted referrals to list; all accepted ones if omitted")


class TextRequest(BaseModel):
    text: str


class DecisionRequest(BaseModel):
    case: CaseRef
    text: str


class ActionRequest(BaseModel):
    case: CaseRef
    owner: str = Field(description="the member agency that owns the action")
    description: str
    due: date


class ActionStatusRequest(BaseModel):
    status: str
    note: str = ""


def referral_json(r: Referral) -> dict[str, Any]:
    return {"referral_id": str(r.id), "panel_type": r.panel_type,
            "case": {"agency": r.case_agency, "ref": r.case_ref}, "source": r.source,
            "triggers": r.triggers, "note": r.note, "referred_by": r.referred_by,
            "referred_at": r.referred_at.isoformat(), "facts": r.facts, "status": r.status,
            "decision_reason": r.decision_reason, "meeting_id": r.meeting_id}


def action_json(a: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v)
            for k, v in a.items() if k != "history"}


def meeting_json(m: PanelMeeting, *, today: date | None = None) -> dict[str, Any]:
    return {"meeting_id": str(m.id), "panel_type": m.panel_type, "purpose": m.purpose,
            "held_at": m.held_at.isoformat(), "chair": m.chair, "members": m.members,
            "agenda": [{"case": {"agency": i["case_agency"], "ref": i["case_ref"]},
                        "referral_id": i["referral_id"], "risk": i["risk"],
                        "facts": i["facts"]} for i in m.agenda],
            "packs": [{"agency": p["agency"], "user": p["user"], "cases": p["cases"],
                       "disclosure_ids": p["disclosure_ids"], "at": p["at"].isoformat()}
                      for p in m.packs],
            "minutes": [{"text": x["text"], "by": x["by"], "at": x["at"].isoformat()}
                        for x in m.minutes],
            "decisions": [{"case": {"agency": d["case_agency"], "ref": d["case_ref"]},
                           "text": d["text"], "by": d["by"], "at": d["at"].isoformat()}
                          for d in m.decisions],
            "actions": [action_json(a) for a in m.actions.values()]}


def pack_entry_json(entry: PackEntry) -> dict[str, Any]:
    shared, item = entry.shared, entry.item
    found: dict[str, Any] = {
        "case": {"agency": item["case_agency"], "ref": item["case_ref"]},
        "disclosure_id": shared.disclosure_id, "decision_id": shared.decision.decision_id,
        "allowed": shared.allowed}
    if shared.allowed:
        found.update(view=shared.released, withheld=[
            {"field": p, "reason": r} for p, r in sorted(shared.decision.withheld.items())])
    else:
        found["reasons"] = list(shared.decision.reasons)
    return found


def panels_router(hub: PartnershipHub, engine: PolicyEngine,
                  panel_types: dict[str, PanelType] | None = None) -> APIRouter:
    service = PanelService(hub, engine, panel_types)
    router = APIRouter(prefix="/v1/panels", tags=["panels"])

    def now() -> datetime:
        return datetime.now(UTC)

    def run(call: Callable[[], Any]) -> Any:
        with refusals():
            return call()

    @router.get("/types")
    def types(who: Who) -> list[dict[str, Any]]:
        """The configured panel types: members, chair, purpose, data categories, cadence."""
        service.record_access(who, "types")
        return [t.public() for t in service.types.values()]

    @router.get("/{panel_type}/suggestions")
    def suggestions(panel_type: str, who: Who) -> list[dict[str, Any]]:
        """Cases a referral trigger fired for (coordinators)."""
        def call() -> list[dict[str, Any]]:
            service.require_coordinator(who, service.panel_type(panel_type), "suggestions")
            found = service.suggestions(panel_type, now())
            service.record_access(who, "suggestions", panel_type=panel_type,
                                  record_refs=[s.case_key for s in found])
            return [{"case": {"agency": s.case_agency, "ref": s.case_ref},
                     "triggers": s.triggers, "facts": s.facts} for s in found]
        return run(call)  # type: ignore[no-any-return]

    @router.post("/{panel_type}/suggestions/refer", status_code=201)
    def refer_suggested(panel_type: str, who: Who) -> list[dict[str, Any]]:
        """Refer every case a trigger fired for, prefilled from its events."""
        return [referral_json(r) for r in run(
            lambda: service.refer_suggested(who, panel_type, now=now()))]

    @router.get("/referrals")
    def referrals(who: Who, panel_type: str | None = None) -> list[dict[str, Any]]:
        def call() -> list[dict[str, Any]]:
            found = [r for r in service.referrals(panel_type)
                     if service.is_coordinator(who, service.panel_type(r.panel_type))
                     or r.referred_by.get("agency") == who.agency]
            service.record_access(who, "referrals", panel_type=panel_type,
                                  record_refs=[r.case_key for r in found])
            return [referral_json(r) for r in found]
        return run(call)  # type: ignore[no-any-return]

    @router.post("/referrals", status_code=201)
    def refer(body: ReferralRequest, who: Who) -> dict[str, Any]:
        """Refer a case by hand, with the reason; the facts are taken from its events."""
        return referral_json(run(lambda: service.refer(
            who, body.panel_type, body.case.agency, body.case.ref, note=body.reason,
            now=now())))

    @router.post("/referrals/{referral_id}/decision")
    def decide(referral_id: str, body: ReferralDecision, who: Who) -> dict[str, Any]:
        return referral_json(run(lambda: service.decide_referral(
            who, referral_id, accept=body.accept, reason=body.reason, now=now())))

    @router.post("/meetings", status_code=201)
    def schedule(body: MeetingRequest, who: Who) -> dict[str, Any]:
        return meeting_json(run(lambda: service.schedule(who, body.panel_type, body.held_at,
                                                         now=now())))

    @router.get("/meetings/{meeting_id}")
    def meeting(meeting_id: str, who: Who) -> dict[str, Any]:
        """The meeting and its agenda (cases in order of risk), with overdue actions from
        the panel's earlier meetings."""
        def call() -> dict[str, Any]:
            agenda = service.agenda(who, meeting_id, now=now())
            return {**meeting_json(agenda["meeting"]),
                    "overdue_actions": [action_json(a) for a in agenda["overdue_actions"]]}
        return run(call)  # type: ignore[no-any-return]

    @router.post("/meetings/{meeting_id}/agenda")
    def agenda(meeting_id: str, body: AgendaRequest, who: Who) -> dict[str, Any]:
        return meeting_json(run(lambda: service.add_to_agenda(
            who, meeting_id, body.referral_ids, now=now())))

    @router.get("/meetings/{meeting_id}/pack")
    def pack(meeting_id: str, who: Who) -> dict[str, Any]:
        """Your agency's pack: each case view decided by the policy for your agency and this
        panel's purpose, each one a recorded disclosure."""
        entries = run(lambda: service.pack(who, meeting_id, now=now()))
        return {"meeting_id": meeting_id, "agency": who.agency,
                "cases": [pack_entry_json(e) for e in entries]}

    @router.get("/meetings/{meeting_id}/cases/{case_agency}/{case_ref}")
    def pack_case(meeting_id: str, case_agency: str, case_ref: str, who: Who
                  ) -> dict[str, Any]:
        entry = run(lambda: service.pack_case(who, meeting_id, case_agency, case_ref,
                                              now=now()))
        return pack_entry_json(entry)

    @router.post("/meetings/{meeting_id}/minutes")
    def minutes(meeting_id: str, body: TextRequest, who: Who) -> dict[str, Any]:
        return meeting_json(run(lambda: service.record_minutes(who, meeting_id, body.text,
                                                               now=now())))

    @router.post("/meetings/{meeting_id}/decisions")
    def decision(meeting_id: str, body: DecisionRequest, who: Who) -> dict[str, Any]:
        return meeting_json(run(lambda: service.record_decision(
            who, meeting_id, body.case.agency, body.case.ref, body.text, now=now())))

    @router.post("/meetings/{meeting_id}/actions", status_code=201)
    def action(meeting_id: str, body: ActionRequest, who: Who) -> dict[str, Any]:
        return action_json(run(lambda: service.create_action(
            who, meeting_id, body.case.agency, body.case.ref, body.owner, body.description,
            body.due, now=now())))

    @router.post("/meetings/{meeting_id}/actions/{action_id}/status")
    def action_status(meeting_id: str, action_id: str, body: ActionStatusRequest,
                      who: Who) -> dict[str, Any]:
        return action_json(run(lambda: service.set_action_status(
            who, meeting_id, action_id, body.status, body.note, now=now())))

    @router.get("/actions")
    def actions(who: Who) -> list[dict[str, Any]]:
        """The action tracker for the panels your agency sits on, overdue first."""
        return [action_json(a) for a in run(lambda: service.actions(who, now=now()))]

    @router.get("/access-log", tags=["data protection"])
    def access_log(who: Who) -> list[dict[str, Any]]:
        """Every panel page and call, allowed or refused (data protection officers only)."""
        if who.role != "dpo":
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the role dpo")
        return service.access_log()

    return router
