"""GET /v1/statistics: depersonalised counts for the partnership's relevant authorities."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.exceptions import RequestValidationError

from hub.api.auth import requester
from hub.api.schemas import AUTH, StatisticsAnswer, errors
from hub.application import PartnershipHub
from hub.policy import PolicyEngine
from hub.sharing import AuditUnavailable, Requester
from hub.statistics import GROUPINGS, Period, PeriodInvalid, disclose_statistics, threshold

GroupBy = Enum("GroupBy", {g: g for g in GROUPINGS}, type=str)  # type: ignore[misc]
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def statistics_router(hub: PartnershipHub, engine: PolicyEngine) -> APIRouter:
    router = APIRouter(tags=["sharing"])

    @router.get("/v1/statistics", response_model=StatisticsAnswer,
                responses=errors(*AUTH, 403, 503))
    def statistics(who: Annotated[Requester, Depends(requester)],
                   group_by: Annotated[GroupBy, Query()] = GroupBy["category"],  # type: ignore[valid-type]
                   since: Annotated[str | None, Query(
                       pattern=MONTH, description="first month counted (YYYY-MM)")] = None,
                   until: Annotated[str | None, Query(
                       pattern=MONTH, description="last month counted (YYYY-MM)")] = None,
                   ) -> Any:
        """Incidents counted by data category, ward or month over whole calendar months
        (`since` to `until`, both YYYY-MM and counted), for purpose `statistics` (CDA 1998
        s17A). Every group of the grouping is listed; a count below the policy's threshold,
        zero included, is shown as "<5", and when none is the smallest is shown as ">=5", so
        no answer gives its total. Nothing about any person is in the answer. Every request
        is in the disclosure log; a role or agency the policy refuses gets 403 with the
        disclosure id."""
        grouping = group_by.value  # type: ignore[attr-defined]
        try:
            period = Period.parse(since, until)
            shared, groups = disclose_statistics(hub, engine, who, group_by=grouping,
                                                 period=period)
        except PeriodInvalid as exc:  # answered like any invalid query parameter
            raise RequestValidationError([{"type": "period", "loc": ("query", "until"),
                                           "msg": str(exc)}]) from exc
        except AuditUnavailable as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
        decision = shared.decision
        if not shared.allowed:
            raise HTTPException(status.HTTP_403_FORBIDDEN, {
                "message": "statistics are not released to you for purpose statistics",
                "disclosure_id": shared.disclosure_id,
                "reasons": "; ".join(decision.reasons)})
        counts = shared.released.get("counts", {})
        return {"disclosure_id": shared.disclosure_id, "decision_id": decision.decision_id,
                "bundle_revision": decision.bundle_revision, "group_by": grouping,
                "since": since, "until": until,
                "suppressed_below": threshold(),
                "counts": {groups[f"counts.{k}"]: v for k, v in counts.items()},
                "reasons": list(decision.reasons)}

    return router
