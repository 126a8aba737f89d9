"""Notifications to the agency that supplied data when its data is disclosed onward."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from hub.api.auth import requester
from hub.api.dpo import Since, logged
from hub.api.paging import Before, Limit, link_next
from hub.api.schemas import AUTH, Notification, errors
from hub.application import PartnershipHub
from hub.audit import queries
from hub.sharing import Requester
from hub.views.disclosure_log import DisclosureLog, LogQuery


def notifications_router(hub: PartnershipHub) -> APIRouter:
    router = APIRouter(tags=["data protection"])

    @router.get("/v1/notifications", response_model=list[Notification],
                responses=errors(*AUTH, 503))
    def notifications(request: Request, response: Response,
                      who: Annotated[Requester, Depends(requester)], since: Since = None,
                      limit: Limit = 1000, before: Before = None) -> Any:
        """Disclosures to other partners of fields your agency supplied (newest page first,
        each page newest last)."""
        found = DisclosureLog.of(hub).page(LogQuery(
            supplier=who.agency, outcome="released", not_to=who.agency, since=since,
            limit=limit, before=before))
        link_next(request, response, found.next_before)
        return logged(hub, who, "notifications", {"since": since, "before": before},
                      queries.supplier_notifications(found.rows, who.agency))

    return router
