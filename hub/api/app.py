"""FastAPI application: case views for partners, the disclosure log for the DPO."""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.middleware.sessions import SessionMiddleware

from hub.api.auth import RegistryCache, requester, require_role
from hub.api.consents import consents_router
from hub.api.dpo import dpo_router, logged
from hub.api.family import family_router
from hub.api.limits import (
    LIST_MAX,
    TEXT_MAX,
    BodySizeLimit,
    Ref,
    Text,
    body_limit,
)
from hub.api.notifications import notifications_router
from hub.api.operations import RequestTimer, operations_router
from hub.api.outage import store_unavailable
from hub.api.paging import Before, Limit, link_next
from hub.api.panels import panels_router
from hub.api.schemas import AUTH, CaseRef, CaseViewAnswer, DisclosureRow, NoView, errors
from hub.api.statistics import statistics_router
from hub.application import PartnershipHub
from hub.policy import PolicyEngine
from hub.settings import Settings
from hub.sharing import (
    NO_VIEW,
    AuditUnavailable,
    OverrideNotPermitted,
    Recipient,
    Requester,
    disclose_case_view,
)
from hub.store import StoreUnavailable
from hub.views.disclosure_log import DisclosureLog, LogQuery
from hub.web import SecurityHeaders, session_options, web_router
from policies import bundle


class LegalServicesApproval(BaseModel):
    by: Text = Field(description="the Legal Services officer who approved")
    at: Text = Field(description="when (RFC 3339)")


class RecipientDetail(BaseModel):
    name: Text = Field(description="who receives it, e.g. the court, or the publication")
    reference: Text = Field("", description="the order's (or requirement's) reference")


class GatewayClaim(BaseModel):
    gateway: Ref
    justification: Text = ""
    proportionality: Text = ""
    third_parties_considered: Text = ""
    prejudice_test: dict[Ref, Text] | None = Field(None, max_length=20)
    special_category_condition: Ref | None = None
    categories: list[Ref] | None = Field(
        None, max_length=LIST_MAX, description="the data categories the claim covers "
                                               "(default: every category of the record)")
    police_agreement: bool = False
    necessity: Text = Field("", description="why the release is necessary (publicity: "
                                            "seeds/002 L1040)")
    legal_services_approval: LegalServicesApproval | None = Field(
        None, description="Legal Services' approval of a publication (seeds/002 L1042)")
    youth_justification: Text = Field("", description="why a young person's data must be "
                                                      "part of a publication (seeds/002 L1040)")


class Override(BaseModel):
    justification: str = Field(max_length=TEXT_MAX,
                               description="why the data must be released although the "
                                           "policy would withhold it; reviewed by the DPO")


# The party roles the sharing policy knows (policies/hub/config/controls/data.json): anything
# else is refused here, so "alleged perpetrator" cannot slip past the identity protection.
_ROLES = bundle().data["hub"]["config"]["controls"]["subject_roles"]
PartyRole = Enum("PartyRole", {role: role for role in _ROLES}, type=str)  # type: ignore[misc]


class CaseViewRequest(BaseModel):
    case: CaseRef
    purpose: Ref = Field(description="why the data is needed, e.g. asb_case_management, marac")
    acting_for: PartyRole | None = Field(
        None, description="the party your work is for, if any: a party role of the policy "
                          "bundle (victim, complainant, witness, alleged_perpetrator)")
    gateway_claims: list[GatewayClaim] = Field([], max_length=LIST_MAX)
    override: Override | None = Field(None, description="break-glass release (roles in "
                                                        "HUB_OVERRIDE_ROLES only)")
    recipient: Ref | None = Field(
        None, description="who receives the data when your agency hands it over (purposes "
                          "support_referral, publicity, required_by_law only): a support "
                          "service, or a recipient outside the protocol (court, tribunal, "
                          "coroner, statutory_body, public) named in recipient_detail")
    recipient_detail: RecipientDetail | None = None


# Purposes for which the requester hands the data over to someone else (purposes data).
HANDOVER = sorted(p for p, d in bundle().data["hub"]["config"]["purposes"].items()
                  if d.get("handover"))


def recipient_of(body: CaseViewRequest, who: Requester) -> Recipient | None:
    """The recipient named in the request, or None (the requester's own agency). Naming
    another is refused outside the hand-over purposes: a partner must not pick a more
    generously treated recipient to see more itself."""
    if body.recipient is None or body.recipient == who.agency:
        if body.recipient_detail is not None:
            raise HTTPException(status.HTTP_400_BAD_REQUEST,
                                "recipient_detail names a recipient outside the protocol: "
                                "give its kind in recipient")
        return None
    if body.purpose not in HANDOVER:
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"a recipient other than your agency only for purposes "
                            f"{', '.join(HANDOVER)}")
    detail = body.recipient_detail
    return Recipient(body.recipient, detail.name if detail else None,
                     detail.reference if detail else None)


def create_app(settings: Settings, hub: PartnershipHub, engine: PolicyEngine) -> FastAPI:
    api = FastAPI(title="Partnership information-sharing hub", version="0.1.0")
    api.state.registry = RegistryCache(settings.registry_path)
    api.add_middleware(SessionMiddleware, **session_options())
    api.add_middleware(BodySizeLimit, max_bytes=body_limit())
    api.add_middleware(SecurityHeaders)  # on every answer, refusals included
    api.add_middleware(RequestTimer)  # outermost: times everything, refusals included
    api.add_exception_handler(StoreUnavailable, store_unavailable)
    api.include_router(operations_router(settings, hub, engine))
    api.include_router(panels_router(hub, engine))
    api.include_router(web_router(hub, engine))

    @api.post("/v1/case-views", tags=["sharing"], response_model=CaseViewAnswer,
              responses={404: {"model": NoView, "description": NO_VIEW},
                         **errors(*AUTH, 403, 413, 503)})
    def case_view(body: CaseViewRequest,
                  who: Annotated[Requester, Depends(requester)]) -> Any:
        """Ask for the cross-agency view of a case, for a stated purpose.

        The answer holds only the fields the sharing policy releases to your agency for that
        purpose; every request, released or refused, is in the disclosure log. A case that does
        not exist and a case of which nothing is released to you get the same 404 (both are
        logged; your DPO can look up the reasons by the disclosure id).
        """
        recipient = recipient_of(body, who)
        try:
            shared = disclose_case_view(
                hub, engine, replace(who, acting_for=body.acting_for.value
                                     if body.acting_for else None),
                case_agency=body.case.agency, case_ref=body.case.ref, purpose=body.purpose,
                gateway_claims=[c.model_dump() for c in body.gateway_claims],
                override=body.override.model_dump() if body.override else None,
                recipient=recipient)
        except OverrideNotPermitted as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
        except AuditUnavailable as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
        decision = shared.decision
        answer: dict[str, Any] = {
            "disclosure_id": shared.disclosure_id,
            "decision_id": decision.decision_id,
            "bundle_revision": decision.bundle_revision,
        }
        if not shared.allowed:
            # Neither why nor whether the case exists: either could reveal who is involved.
            return JSONResponse({"detail": NO_VIEW, **answer},
                                status_code=status.HTTP_404_NOT_FOUND)
        return {
            **answer, "agreement": decision.agreement, "gateways": list(decision.gateways),
            "consent_ids": list(decision.consent_ids), "reasons": list(decision.reasons),
            "override": shared.override,
            "withheld": [] if shared.override else [
                {"field": path, "reason": reason}
                for path, reason in sorted(decision.withheld.items())],
            "view": shared.released}

    @api.get("/v1/disclosures", tags=["data protection"], response_model=list[DisclosureRow],
             responses=errors(*AUTH, 403, 503))
    def disclosures(request: Request, response: Response,
                    who: Annotated[Requester, Depends(require_role("dpo"))],
                    limit: Limit = 100, before: Before = None) -> Any:
        """The disclosure log, newest page first, each page newest last (data protection
        officers only; itself logged). A record that cannot be read is listed as unreadable,
        never dropped."""
        found = DisclosureLog.of(hub).page(LogQuery(limit=limit, before=before))
        link_next(request, response, found.next_before)
        return logged(hub, who, "dpo.disclosures", {"limit": limit, "before": before},
                      found.rows)

    api.include_router(dpo_router(settings, hub))
    api.include_router(notifications_router(hub))
    api.include_router(consents_router(hub))
    api.include_router(family_router(hub, engine))
    api.include_router(statistics_router(hub, engine))
    return api

