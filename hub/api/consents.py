"""Consent over the API: agency staff record consent given or refused, and withdraw it; read
a record, the records about a person, and a record's Kantara consent receipt.

Only roles in ``HUB_CONSENT_ROLES`` record and withdraw (hub/consent/changes.py); each change is
stored with its access event in the audit chain, each read is logged before it is answered.
Staff see their own agency's records and those a person made through a portal; the DPO sees
every record. A record another agency may not see answers 404, as an unknown one does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, status
from fastapi.exceptions import RequestValidationError
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from domain.model.consent import Consent, held_scope
from domain.rules.consent import TermsRefused
from hub.api.auth import requester
from hub.api.dpo import logged
from hub.api.limits import ID_MAX, LIST_MAX, Reason, Text
from hub.api.schemas import AUTH, ConsentOut, ConsentReceipt, errors
from hub.application import PartnershipHub
from hub.consent import changes, records
from hub.consent.receipts import NoReceipt, receipt
from hub.sharing import AuditUnavailable, Requester

MatchKey = Annotated[str, StringConstraints(pattern=r"^mk1:[0-9a-f]{64}$")]
Word = Annotated[str, StringConstraints(min_length=1, max_length=80,
                                        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
ConsentRef = Word
ConsentId = Annotated[str, Path(max_length=2 * ID_MAX,
                                description="<collecting agency>:<its reference>")]
Giver = Literal["subject", "parental_responsibility", "guardian", "lasting_power_of_attorney",
                "court_appointed_deputy"]
Method = Literal["verbal", "recorded_verbal", "written", "electronic_signature", "portal"]


class ConsentScope(BaseModel):
    purposes: list[Word] | None = Field(
        None, max_length=20, description="purpose ids; left out on a refusal: every purpose")
    recipients: list[Word] = Field([], max_length=LIST_MAX, description="agency ids")
    recipient_kinds: list[Word] = Field([], max_length=20,
                                        description="kinds of agency, e.g. support")
    categories: list[Word] = Field([], max_length=20, description="data category ids")
    explicit: bool = Field(False, description="explicit consent (special category data)")


class ConsentRequest(BaseModel):
    subject: MatchKey = Field(description="the person's match key (never a name)")
    status: Literal["given", "refused"]
    ref: ConsentRef | None = Field(None, description="your agency's reference (one is made "
                                                     "if left out)")
    given_by: Giver = "subject"
    method: Method
    collected_at: AwareDatetime
    expires_at: AwareDatetime | None = None
    scope: ConsentScope
    note: Text = ""


class WithdrawalRequest(BaseModel):
    given_by: Giver = Field("subject", description="who withdrew it")
    reason: Reason = Field(description="how the withdrawal came, e.g. asked by phone")


def as_validation_error(exc: TermsRefused) -> RequestValidationError:
    """A rule a record breaks, answered like any invalid field (422, naming it)."""
    scoped = exc.field in {"purposes", "recipients", "recipient_kinds", "categories",
                           "explicit"}
    loc = ("body", "scope", exc.field) if scoped else ("body", exc.field)
    return RequestValidationError([{"type": exc.reason, "loc": loc, "msg": str(exc)}])


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except TermsRefused as exc:
        raise as_validation_error(exc) from exc
    except changes.ConsentNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except changes.NotYourRecord as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from exc
    except (changes.ConsentConflict, NoReceipt) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    except AuditUnavailable as exc:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc)) from exc


def staff(who: Annotated[Requester, Depends(requester)]) -> Requester:
    if who.role not in changes.consent_roles():
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"recording consent needs one of the roles "
                            f"{', '.join(sorted(changes.consent_roles()))} "
                            f"(HUB_CONSENT_ROLES); your client has role {who.role!r}")
    return who


def reader(who: Annotated[Requester, Depends(requester)]) -> Requester:
    """Staff who record consent, and the DPO."""
    return who if who.role == "dpo" else staff(who)


Staff = Annotated[Requester, Depends(staff)]
Reader = Annotated[Requester, Depends(reader)]


def consents_router(hub: PartnershipHub) -> APIRouter:
    router = APIRouter(prefix="/v1/consents", tags=["consent"])

    def visible(who: Requester, consent_id: str) -> Consent:
        found = records.find(hub, consent_id)
        if found is None or not changes.visible_to(found, who):
            raise changes.ConsentNotFound(f"no consent {consent_id!r} is held that your "
                                          "agency may see")
        return found

    @router.post("", status_code=201, response_model=ConsentOut,
                 responses=errors(*AUTH, 403, 409, 413, 503))
    def record(body: ConsentRequest, who: Staff) -> Any:
        """Record a person's consent, or their refusal, as your agency collected it (you, named
        in X-Hub-User, are the collecting officer). It counts for every decision from now on."""
        now = datetime.now(UTC)
        with refusals():
            consent = changes.record(
                hub, who, ref=body.ref, subject=body.subject, refused=body.status == "refused",
                given_by=body.given_by, method=body.method, collected_at=body.collected_at,
                expires_at=body.expires_at, scope=held_scope(body.scope.model_dump(),
                                 refused=body.status == "refused"),
                note=body.note, now=now)
        return records.summary(consent, now)

    @router.post("/{consent_id}/withdrawal", response_model=ConsentOut,
                 responses=errors(*AUTH, 403, 404, 409, 413, 503))
    def withdraw(consent_id: ConsentId, body: WithdrawalRequest, who: Staff) -> Any:
        """Withdraw a consent (or a refusal) from now on: every decision after this one reads
        it as withdrawn, panel packs for meetings already scheduled included. Only the agency
        that recorded it may, or any agency for a record the person made through a portal."""
        now = datetime.now(UTC)
        with refusals():
            consent = changes.withdraw(hub, who, consent_id, given_by=body.given_by,
                                       reason=body.reason, now=now)
        return records.summary(consent, now)

    @router.get("", response_model=list[ConsentOut], responses=errors(*AUTH, 403, 503))
    def about(subject: Annotated[str, Query(max_length=ID_MAX,
                                            description="the person's match key")],
              who: Reader) -> Any:
        """The consent records about a person that you may see, oldest first."""
        now = datetime.now(UTC)
        found = [records.summary(c, now) for c in records.about(hub, [subject])
                 if changes.visible_to(c, who)]
        found.sort(key=lambda c: c["collected_at"])
        return logged(hub, who, "consents.list", {"subject": subject}, found)

    @router.get("/{consent_id}", response_model=ConsentOut,
                responses=errors(*AUTH, 403, 404, 503))
    def one(consent_id: ConsentId, who: Reader) -> Any:
        """A consent record and its status over time."""
        with refusals():
            found = records.summary(visible(who, consent_id), datetime.now(UTC))
        return logged(hub, who, "consents.read", {"consent_id": consent_id}, found, 1)

    @router.get("/{consent_id}/receipt", response_model=ConsentReceipt,
                responses=errors(*AUTH, 403, 404, 409, 503))
    def kantara_receipt(consent_id: ConsentId, who: Reader) -> Any:
        """The record as a Kantara Consent Receipt (v1.1), to give the person; a refusal has
        none (409)."""
        with refusals():
            found = receipt(visible(who, consent_id), datetime.now(UTC))
        return logged(hub, who, "consents.receipt", {"consent_id": consent_id}, found, 1)

    return router

