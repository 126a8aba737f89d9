"""``POST /v1/family-views``: a nominal's family for a panel that may see it (GMAP).

The nominal is a party of a case, named as the case view names it (``case.party.<index>``
and its role), so the requester never needs a match key. The answer holds only what the
sharing policy releases; a case or party that does not exist, a panel the asking agency does
not sit on, and a request of which nothing is released all get the same 404, and all are in
the disclosure log.
"""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from hub.api.auth import requester
from hub.api.limits import LIST_MAX, Ref
from hub.api.schemas import AUTH, VIEW_SHAPE, CaseRef, NoView, WithheldField, errors
from hub.application import PartnershipHub
from hub.family import NO_FAMILY, disclose_family_view
from hub.panels.config import PanelType, load_panel_types
from hub.policy import PolicyEngine
from hub.sharing import AuditUnavailable, Requester
from policies import bundle

_ROLES = bundle().data["hub"]["config"]["controls"]["subject_roles"]
PartyRole = Enum("PartyRole", {role: role for role in _ROLES}, type=str)  # type: ignore[misc]


class PartyRef(BaseModel):
    index: int = Field(ge=0, lt=LIST_MAX * 20,
                       description="the party's index in the case view (case.party.<index>)")
    role: PartyRole = Field(description="the party's role in the case; must match the party "
                                        "at that index")


class FamilyViewRequest(BaseModel):
    case: CaseRef
    party: PartyRef = Field(description="the nominal: a party of the case")
    purpose: Ref = Field(description="why the family is needed, e.g. gmap")
    panel_type: Ref | None = Field(None, description="the panel you ask for (a panel purpose "
                                                     "is served only to its member agencies)")
    acting_for: PartyRole | None = Field(None, description="the party your work is for, if any")


class FamilyViewAnswer(BaseModel):
    """The released fields of the nominal's family; withheld fields named with the reason."""

    disclosure_id: str
    decision_id: str
    bundle_revision: str
    agreement: str | None
    gateways: list[str]
    reasons: list[str]
    withheld: list[WithheldField]
    view: dict[str, Any] = Field(description=VIEW_SHAPE)


def family_router(hub: PartnershipHub, engine: PolicyEngine,
                  panel_types: dict[str, PanelType] | None = None) -> APIRouter:
    types = panel_types if panel_types is not None else load_panel_types()
    router = APIRouter(tags=["sharing"])

    @router.post("/v1/family-views", response_model=FamilyViewAnswer,
                 responses={404: {"model": NoView, "description": NO_FAMILY},
                            **errors(*AUTH, 413, 503)})
    def family_view(body: FamilyViewRequest,
                    who: Annotated[Requester, Depends(requester)]) -> Any:
        """Ask for the relatives the agencies recorded for a party of a case (relationship,
        name, date of birth, since when, living together), for a stated purpose and panel.

        Only a purpose and panel whose agreement covers the family category (GMAP: seeds/002
        L890) release anything; every request, released or refused, is in the disclosure log.
        """
        try:
            shared = disclose_family_view(
                hub, engine, replace(who, acting_for=body.acting_for.value
                                     if body.acting_for else None),
                case_agency=body.case.agency, case_ref=body.case.ref,
                party_index=body.party.index, party_role=body.party.role.value,
                purpose=body.purpose, panel_type_id=body.panel_type,
                panel_type=types.get(body.panel_type) if body.panel_type else None)
        except AuditUnavailable as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
        decision = shared.decision
        answer: dict[str, Any] = {"disclosure_id": shared.disclosure_id,
                                  "decision_id": decision.decision_id,
                                  "bundle_revision": decision.bundle_revision}
        if not shared.allowed:
            return JSONResponse({"detail": NO_FAMILY, **answer},
                                status_code=status.HTTP_404_NOT_FOUND)
        return {**answer, "agreement": decision.agreement,
                "gateways": list(decision.gateways), "reasons": list(decision.reasons),
                "withheld": [{"field": p, "reason": r}
                             for p, r in sorted(decision.withheld.items())],
                "view": shared.released}

    return router
