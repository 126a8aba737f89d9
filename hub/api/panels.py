"""Panels over JSON: panel types, referrals, meetings, agendas, packs, minutes and actions.

Same service layer and same policy decisions as the web pages (hub/web). Bearer API client
plus ``X-Hub-User``, as every other endpoint. Facts about a case (a referral's prefill, an
agenda line) are in an answer only as a recorded disclosure to the asker (``SharedFacts``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime, BaseModel, Field

from domain.model.errors import DomainRefused
from domain.model.panels import PanelMeeting, Referral
from hub.api.auth import requester
from hub.api.limits import LIST_MAX, AgencyId, Minutes, Reason, Ref, Text
from hub.api.schemas import (
    AUTH,
    ActionOut,
    CaseRef,
    MeetingAgenda,
    MeetingOut,
    NoView,
    PackEntryOut,
    PackOut,
    PanelAccessRow,
    PanelTypeOut,
    Problem,
    ReferralOut,
    SuggestionOut,
    errors,
)
from hub.application import PartnershipHub
from hub.panels.config import PanelType
from hub.panels.service import PackEntry, PanelNotFound, PanelRefused, PanelService
from hub.policy import PolicyEngine
from hub.sharing import NO_VIEW, AuditUnavailable, NoCaseView, Requester, SharedView

Who = Annotated[Requester, Depends(requester)]
PanelTypeId = Annotated[str, Path(max_length=100)]
RecordId = Annotated[str, Path(max_length=100)]
# No such panel type (Problem), or nothing about the case for you (NoView).
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": NoView | Problem, "description": f"{NO_VIEW}; or no such panel type"}}


@contextmanager
def refusals() -> Iterator[None]:
    """The service's refusals as HTTP answers a person can act on."""
    try:
        yield
    except PanelRefused as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except PanelNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except DomainRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            {"reason": exc.reason, "message": str(exc)}) from exc
    except AuditUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


class ReferralRequest(BaseModel):
    panel_type: Ref
    case: CaseRef
    reason: Reason = Field(description="why this case should go to the panel (referral by hand)")


class ReferralDecision(BaseModel):
    accept: bool
    reason: Reason


class MeetingRequest(BaseModel):
    panel_type: Ref
    held_at: AwareDatetime


class AgendaRequest(BaseModel):
    referral_ids: list[Ref] | None = Field(
        None, max_length=LIST_MAX,
        description="accepted referrals to list; all accepted ones if omitted")


class TextRequest(BaseModel):
    text: Minutes


class DecisionRequest(BaseModel):
    case: CaseRef
    text: Reason


class ActionRequest(BaseModel):
    case: CaseRef
    owner: AgencyId = Field(description="the member agency that owns the action")
    description: Reason
    due: date


class ActionStatusRequest(BaseModel):
    status: Ref
    note: Text = ""


def shared_facts(shared: SharedView) -> dict[str, Any]:
    return {"disclosure_id": shared.disclosure_id, "released": shared.allowed,
            "facts": shared.released.get("facts", {})}


def referral_json(r: Referral, shared: SharedView | None = None) -> dict[str, Any]:
    """A referral; its facts only with the disclosure that released them to the asker."""
    return {"referral_id": str(r.id), "panel_type": r.panel_type,
            "case": {"agency": r.case_agency, "ref": r.case_ref}, "source": r.source,
            "referred_by": r.referred_by, "referred_at": r.referred_at.isoformat(),
            "status": r.status, "decision_reason": r.decision_reason,
            "meeting_id": r.meeting_id, "facts": shared_facts(shared) if shared else None}


def action_json(a: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date | datetime) else v)
            for k, v in a.items() if k != "history"}


def meeting_json(m: PanelMeeting,
                 lines: list[tuple[dict[str, Any], SharedView]] | None = None
                 ) -> dict[str, Any]:
    """A meeting; agenda lines carry facts only when ``lines`` (their disclosures) are given."""
    shown = {item["referral_id"]: shared for item, shared in lines or []}
    return {"meeting_id": str(m.id), "panel_type": m.panel_type, "purpose": m.purpose,
            "held_at": m.held_at.isoformat(), "chair": m.chair, "members": m.members,
            "agenda": [{"case": {"agency": i["case_agency"], "ref": i["case_ref"]},
                        "referral_id": i["referral_id"],
                        "facts": shared_facts(shown[i["referral_id"]])
                        if i["referral_id"] in shown else None} for i in m.agenda],
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


def no_view(exc: NoCaseView) -> JSONResponse:
    """The same answer as POST /v1/case-views gives for a case it shows nothing of."""
    shared = exc.shared
    return JSONResponse({"detail": NO_VIEW, "disclosure_id": shared.disclosure_id,
                         "decision_id": shared.decision.decision_id,
                         "bundle_revision": shared.decision.bundle_revision},
                        status_code=status.HTTP_404_NOT_FOUND)


def panels_router(hub: PartnershipHub, engine: PolicyEngine,
                  panel_types: dict[str, PanelType] | None = None) -> APIRouter:
    service = PanelService(hub, engine, panel_types)
    router = APIRouter(prefix="/v1/panels", tags=["panels"])

    def now() -> datetime:
        return datetime.now(UTC)

    def run(call: Callable[[], Any]) -> Any:
        with refusals():
            return call()

    @router.get("/types", response_model=list[PanelTypeOut], responses=errors(*AUTH, 503))
    def types(who: Who) -> Any:
        """The configured panel types: members, chair, purpose, data categories, cadence."""
        run(lambda: service.record_access(who, "types"))
        return [t.public() for t in service.types.values()]

    @router.get("/{panel_type}/suggestions", response_model=list[SuggestionOut],
                responses=errors(*AUTH, 403, 404, 503))
    def suggestions(panel_type: PanelTypeId, who: Who) -> Any:
        """Cases a referral trigger fired for (coordinators); each one's facts are a
        disclosure to you, decided by the policy for the panel's purpose."""
        found = run(lambda: service.shown_suggestions(who, panel_type, now()))
        return [{"case": {"agency": s.case_agency, "ref": s.case_ref},
                 "facts": shared_facts(shared)} for s, shared in found]

    @router.post("/{panel_type}/suggestions/refer", status_code=201,
                 response_model=list[ReferralOut],
                 responses=errors(*AUTH, 403, 404, 409, 503))
    def refer_suggested(panel_type: PanelTypeId, who: Who) -> Any:
        """Refer every case a trigger fired for, prefilled from its events."""
        made = run(lambda: service.refer_suggested(who, panel_type, now=now()))
        return [referral_json(r, shared) for r, shared in made]

    @router.get("/referrals", response_model=list[ReferralOut],
                responses=errors(*AUTH, 404, 503))
    def referrals(who: Who, panel_type: Annotated[str | None, Query(max_length=100)] = None
                  ) -> Any:
        """Referrals you may see (the coordinator's panel, or your agency's own), each one's
        facts a disclosure to you."""
        def call() -> list[dict[str, Any]]:
            at = now()
            found = [r for r in service.referrals(panel_type)
                     if service.is_coordinator(who, service.panel_type(r.panel_type))
                     or r.referred_by.get("agency") == who.agency]
            service.record_access(who, "referrals", panel_type=panel_type,
                                  record_refs=[r.case_key for r in found], now=at)
            return [referral_json(r, shared)
                    for r, shared in service.shown_referrals(who, found, at)]
        return run(call)

    @router.post("/referrals", status_code=201, response_model=ReferralOut,
                 responses={**NOT_FOUND, **errors(*AUTH, 403, 409, 413, 503)})
    def refer(body: ReferralRequest, who: Who) -> Any:
        """Refer a case by hand, with the reason; the facts are taken from its events and
        shown to you as the policy releases them. A case that does not exist and one of
        which nothing may be shown to you get the same 404."""
        try:
            referral, shared = run(lambda: service.refer(
                who, body.panel_type, body.case.agency, body.case.ref, note=body.reason,
                now=now()))
        except NoCaseView as exc:
            return no_view(exc)
        return referral_json(referral, shared)

    @router.post("/referrals/{referral_id}/decision", response_model=ReferralOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def decide(referral_id: RecordId, body: ReferralDecision, who: Who) -> Any:
        return referral_json(run(lambda: service.decide_referral(
            who, referral_id, accept=body.accept, reason=body.reason, now=now())))

    @router.post("/meetings", status_code=201, response_model=MeetingOut,
                 responses=errors(*AUTH, 403, 404, 413, 503))
    def schedule(body: MeetingRequest, who: Who) -> Any:
        return meeting_json(run(lambda: service.schedule(who, body.panel_type, body.held_at,
                                                         now=now())))

    @router.get("/meetings/{meeting_id}", response_model=MeetingAgenda,
                responses=errors(*AUTH, 403, 404, 503))
    def meeting(meeting_id: RecordId, who: Who) -> Any:
        """The meeting and its agenda (cases in order of risk, each line's facts a disclosure
        to you), with overdue actions from the panel's earlier meetings."""
        def call() -> dict[str, Any]:
            agenda = service.agenda(who, meeting_id, now=now())
            return {**meeting_json(agenda["meeting"], agenda["lines"]),
                    "overdue_actions": [action_json(a) for a in agenda["overdue_actions"]]}
        return run(call)

    @router.post("/meetings/{meeting_id}/agenda", response_model=MeetingOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def agenda(meeting_id: RecordId, body: AgendaRequest, who: Who) -> Any:
        return meeting_json(run(lambda: service.add_to_agenda(
            who, meeting_id, body.referral_ids, now=now())))

    @router.get("/meetings/{meeting_id}/pack", response_model=PackOut,
                responses=errors(*AUTH, 403, 404, 503))
    def pack(meeting_id: RecordId, who: Who) -> Any:
        """Your agency's pack: each case view decided by the policy for your agency and this
        panel's purpose, each one a recorded disclosure."""
        entries = run(lambda: service.pack(who, meeting_id, now=now()))
        return {"meeting_id": meeting_id, "agency": who.agency,
                "cases": [pack_entry_json(e) for e in entries]}

    @router.get("/meetings/{meeting_id}/cases/{case_agency}/{case_ref}",
                response_model=PackEntryOut, responses=errors(*AUTH, 403, 404, 503))
    def pack_case(meeting_id: RecordId, case_agency: RecordId, case_ref: RecordId,
                  who: Who) -> Any:
        entry = run(lambda: service.pack_case(who, meeting_id, case_agency, case_ref,
                                              now=now()))
        return pack_entry_json(entry)

    @router.post("/meetings/{meeting_id}/minutes", response_model=MeetingOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def minutes(meeting_id: RecordId, body: TextRequest, who: Who) -> Any:
        return meeting_json(run(lambda: service.record_minutes(who, meeting_id, body.text,
                                                               now=now())))

    @router.post("/meetings/{meeting_id}/decisions", response_model=MeetingOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def decision(meeting_id: RecordId, body: DecisionRequest, who: Who) -> Any:
        return meeting_json(run(lambda: service.record_decision(
            who, meeting_id, body.case.agency, body.case.ref, body.text, now=now())))

    @router.post("/meetings/{meeting_id}/actions", status_code=201, response_model=ActionOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def action(meeting_id: RecordId, body: ActionRequest, who: Who) -> Any:
        return action_json(run(lambda: service.create_action(
            who, meeting_id, body.case.agency, body.case.ref, body.owner, body.description,
            body.due, now=now())))

    @router.post("/meetings/{meeting_id}/actions/{action_id}/status", response_model=ActionOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def action_status(meeting_id: RecordId, action_id: RecordId, body: ActionStatusRequest,
                      who: Who) -> Any:
        return action_json(run(lambda: service.set_action_status(
            who, meeting_id, action_id, body.status, body.note, now=now())))

    @router.get("/actions", response_model=list[ActionOut], responses=errors(*AUTH, 503))
    def actions(who: Who) -> Any:
        """The action tracker for the panels your agency sits on, overdue first."""
        return [action_json(a) for a in run(lambda: service.actions(who, now=now()))]

    @router.get("/access-log", tags=["data protection"], response_model=list[PanelAccessRow],
                responses=errors(*AUTH, 403, 503))
    def access_log(who: Who) -> Any:
        """Every panel page and call, allowed or refused (data protection officers only)."""
        if who.role != "dpo":
            raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the role dpo")
        return service.access_log()

    return router
