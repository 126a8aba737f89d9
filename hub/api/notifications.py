"""Notifications to the agency that supplied data when its data is disclosed onward."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from hub.api.auth import requester
from hub.api.dpo import Since, logged
from hub.api.schemas import AUTH, Notification, errors
from hub.application import PartnershipHub
from hub.audit import queries
from hub.sharing import Requester


def notifications_router(hub: PartnershipHub) -> APIRouter:
    router = APIRouter(tags=["data protection"])

    @router.get("/v1/notifications", response_model=list[Notification],
                responses=errors(*AUTH, 503))
    def notifications(who: Annotated[Requester, Depends(requester)],
                      since: Since = None) -> Any:
        """Disclosures to other partners of fields your agency supplied (newest last)."""
        rows = queries.in_period(queries.disclosure_rows(hub), since, None)
        found = queries.supplier_notifications(rows, who.agency)
        return logged(hub, who, "notifications", {"since": since}, found)

    return router
