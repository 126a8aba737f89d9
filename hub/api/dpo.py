"""The data protection officer's API: searches of the disclosure log, refused requests,
overrides awaiting review and their review, subject access and partner reports, and the audit
chain's verification. Every read is itself logged as an access event before it is answered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response, status
from pydantic import AwareDatetime, BaseModel, Field

from domain.model.disclosure import OVERRIDE_OUTCOMES
from hub.api.auth import require_role
from hub.api.limits import ID_MAX, Reason, Ref, Text
from hub.api.paging import Before, Limit, link_next
from hub.api.schemas import (
    AUTH,
    AccessRow,
    Checkpoint,
    DisclosureLogRow,
    ErasureOut,
    OverrideReviewOut,
    PartnerReportRow,
    SubjectAccessReleaseOut,
    SubjectAccessReport,
    VerifyReportOut,
    WithdrawnConsentDisclosure,
    errors,
)
from hub.application import PartnershipHub
from hub.audit import actions, queries
from hub.audit.chain import audit_trail
from hub.audit.config import AuditConfig
from hub.audit.erasure import ErasureUnavailable, erase_subject
from hub.audit.verify import verify_configured
from hub.consent import records as consent_records
from hub.settings import Settings
from hub.sharing import AuditUnavailable, Requester
from hub.views.disclosure_log import AccessLog, DisclosureLog, LogQuery

DPO = Annotated[Requester, Depends(require_role("dpo"))]
Since = Annotated[AwareDatetime | None, Query(description="from this moment (with zone)")]
Until = Annotated[AwareDatetime | None, Query(description="before this moment (with zone)")]
Search = Annotated[str | None, Query(max_length=ID_MAX)]
DisclosureId = Annotated[str, Path(max_length=ID_MAX)]
READ = errors(*AUTH, 403, 503)


class OverrideReview(BaseModel):
    outcome: Literal["upheld", "not_upheld", "referred"] = Field(
        description=f"one of {', '.join(OVERRIDE_OUTCOMES)}")
    note: Reason


class ErasureRequest(BaseModel):
    match_key: Ref = Field(description="the person's match key (as in subject access reports)")
    reason: Reason = Field(description="e.g. UK GDPR Art 17 request ref, or retention period "
                                       "ended")


class SubjectAccessRelease(BaseModel):
    note: Text = Field("", description="why the crime exemption no longer applies")


@contextmanager
def refusals_as_http() -> Iterator[None]:
    """A DPO action refused: no such disclosure, not allowed in its state, or not loggable."""
    try:
        yield
    except actions.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except actions.Invalid as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except AuditUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


def logged(app: PartnershipHub, who: Requester, action: str, query: dict[str, Any],
           answer: Any, count: int | None = None) -> Any:
    """Log the access, then answer; 503 and nothing shown if it cannot be logged."""
    try:
        actions.record_access(app, who, action, query,
                              count if count is not None else len(answer))
    except AuditUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc
    return answer


def dpo_router(settings: Settings, hub: PartnershipHub) -> APIRouter:
    config = AuditConfig.from_settings(settings)
    audit_trail(hub, config)
    router = APIRouter(prefix="/v1/dpo", tags=["data protection"])
    log = DisclosureLog.of(hub)

    def page(request: Request, response: Response, query: LogQuery) -> list[dict[str, Any]]:
        found = log.page(query)
        link_next(request, response, found.next_before)
        return found.rows

    @router.get("/disclosures", response_model=list[DisclosureLogRow], responses=READ)
    def search(request: Request, response: Response, who: DPO, person: Search = None,
               partner: Search = None, supplier: Search = None, purpose: Search = None,
               gateway: Search = None,
               outcome: Literal["released", "refused", "override"] | None = None,
               since: Since = None, until: Until = None, limit: Limit = 1000,
               before: Before = None) -> Any:
        """Search the disclosure log: by person (subject match key), partner (recipient or
        requesting agency), supplier, purpose, gateway, outcome and period [since, until);
        newest page first (hub/api/paging.py)."""
        query = {"person": person, "partner": partner, "supplier": supplier,
                 "purpose": purpose, "gateway": gateway, "outcome": outcome,
                 "since": since, "until": until}
        found = page(request, response, LogQuery(**query, limit=limit, before=before))  # type: ignore[arg-type]
        return logged(hub, who, "dpo.search_disclosures", {**query, "before": before}, found)

    @router.get("/refusals", response_model=list[DisclosureLogRow], responses=READ)
    def refusals(request: Request, response: Response, who: DPO, since: Since = None,
                 until: Until = None, limit: Limit = 1000, before: Before = None) -> Any:
        """Refused requests, with the reasons given."""
        found = page(request, response, LogQuery(outcome="refused", since=since, until=until,
                                                 limit=limit, before=before))
        return logged(hub, who, "dpo.refusals", {"since": since, "until": until}, found)

    @router.get("/withdrawn-consents", response_model=list[WithdrawnConsentDisclosure],
                responses=READ)
    def withdrawn_consents(who: DPO, since: Since = None, until: Until = None,
                           limit: Limit = 1000) -> Any:
        """Releases in the period [since, until) that relied on a consent since withdrawn,
        with their recipients (newest last), so that each recipient can be told."""
        rows = log.rows(LogQuery(outcome="released", has_consent=True, since=since,
                                 until=until, limit=None))
        withdrawn = consent_records.withdrawn(hub, {c for r in rows for c in r["consent_ids"]})
        found = queries.relied_on_withdrawn(rows, withdrawn)[-limit:]
        return logged(hub, who, "dpo.withdrawn_consents",
                      {"since": since, "until": until, "limit": limit}, found)

    @router.get("/overrides", response_model=list[DisclosureLogRow], responses=READ)
    def overrides(request: Request, response: Response, who: DPO,
                  status_: Annotated[Literal["pending", "all"],
                                     Query(alias="status")] = "pending",
                  limit: Limit = 1000, before: Before = None) -> Any:
        """Disclosures made under an override; by default those awaiting review."""
        outcome = "pending_override" if status_ == "pending" else "override"
        found = page(request, response, LogQuery(outcome=outcome, limit=limit, before=before))
        return logged(hub, who, "dpo.overrides", {"status": status_}, found)

    @router.post("/overrides/{disclosure_id}/review", response_model=OverrideReviewOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def review(disclosure_id: DisclosureId, body: OverrideReview, who: DPO) -> Any:
        """Record the DPO's review of an override (an event on the disclosure)."""
        with refusals_as_http():
            return actions.review_override(hub, who, disclosure_id, outcome=body.outcome,
                                           note=body.note)

    @router.get("/subject-access/{person}", response_model=SubjectAccessReport,
                responses=READ)
    def subject_access(person: Annotated[str, Path(max_length=ID_MAX)], who: DPO) -> Any:
        """Every disclosure about one person (match key); entries relying on the crime
        exemption are held back until the DPO releases them."""
        report = queries.subject_access_report(
            log.rows(LogQuery(person=person, outcome="released", limit=None)), person)
        now = datetime.now(UTC)
        report["consents"] = [consent_records.summary(c, now)
                              for c in consent_records.about(hub, [person])]
        return logged(hub, who, "dpo.subject_access", {"person": person}, report,
                      len(report["disclosures"]) + len(report["held_back"]))

    @router.post("/subject-access/{disclosure_id}/release",
                 response_model=SubjectAccessReleaseOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def release(disclosure_id: DisclosureId, body: SubjectAccessRelease, who: DPO) -> Any:
        """Let a held-back disclosure appear in subject access reports (an event)."""
        with refusals_as_http():
            return actions.release_for_subject_access(hub, who, disclosure_id, note=body.note)

    @router.post("/erasures", response_model=ErasureOut,
                 responses=errors(*AUTH, 403, 413, 501, 503))
    def erase(body: ErasureRequest, who: DPO) -> Any:
        """Erase a person: destroy their key, so their name, date of birth, contact details
        and address can no longer be read anywhere; the audit log keeps its record."""
        try:
            return erase_subject(hub, {"user": who.user, "agency": who.agency,
                                       "role": who.role}, body.match_key, body.reason)
        except ErasureUnavailable as exc:
            raise HTTPException(status.HTTP_501_NOT_IMPLEMENTED, str(exc)) from exc

    @router.get("/partner-report", response_model=list[PartnerReportRow], responses=READ)
    def partner_report(who: DPO, since: Since = None, until: Until = None) -> Any:
        """What each partner received in the period [since, until)."""
        report = queries.partner_report(log.rows(LogQuery(since=since, until=until,
                                                          limit=None)))
        return logged(hub, who, "dpo.partner_report", {"since": since, "until": until}, report)

    @router.get("/access-log", response_model=list[AccessRow], responses=READ)
    def access_log(request: Request, response: Response, who: DPO,
                   user: Annotated[str | None, Query(max_length=200)] = None,
                   limit: Limit = 1000, before: Before = None) -> Any:
        """Views, searches and exports by users, the DPO's own included (newest page
        first)."""
        found = AccessLog.of(hub).page(user=user, limit=limit, before=before)
        link_next(request, response, found.next_before)
        return logged(hub, who, "dpo.access_log", {"user": user, "before": before},
                      found.rows)

    @router.get("/audit/verify", response_model=VerifyReportOut, responses=READ)
    def verify(who: DPO) -> Any:
        """Check the whole chain and every checkpoint; names the first broken link."""
        report = verify_configured(hub, config).as_dict()
        return logged(hub, who, "dpo.audit_verify", {}, report, report["entries"])

    @router.post("/audit/checkpoints", response_model=Checkpoint, responses=READ)
    def checkpoint(who: DPO) -> Any:
        """Sign a checkpoint of the chain head now."""
        try:
            doc = audit_trail(hub).checkpoint()
        except Exception as exc:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE,
                                f"no checkpoint was written: {exc}") from exc
        return logged(hub, who, "dpo.audit_checkpoint", {}, doc, 1)

    return router
