"""Audited actions besides disclosures: access events and the DPO's decisions.

Each stores its event and its audit chain entry in one transaction; if that fails the caller
must not answer with data (``AuditUnavailable``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.model.disclosure import OVERRIDE_OUTCOMES, AccessEvent, Disclosure
from hub.application import PartnershipHub
from hub.audit.chain import audit_trail, now_iso
from hub.sharing import AuditUnavailable, Requester


class NotFound(LookupError):
    pass


class Invalid(ValueError):
    pass


def _who(who: Requester) -> dict[str, str]:
    return {"user": who.user, "agency": who.agency, "role": who.role}


def record_access(app: PartnershipHub, who: Requester, action: str, query: dict[str, Any],
                  result_count: int, *changed: Aggregate) -> str:
    """Log a view, search or export before its answer is returned; or a change a user made
    (``changed``: the aggregates it changed, stored in the same transaction as the log)."""
    record = {**_who(who), "action": action,
              "query": {k: (str(v) if v is not None else None) for k, v in query.items()},
              "result_count": result_count, "at": now_iso()}
    try:
        event = AccessEvent(**record)
        audit_trail(app).commit("access", record, event, *changed)
    except Exception as exc:
        raise AuditUnavailable(
            f"the access could not be logged ({type(exc).__name__}), so nothing is shown; "
            "try again when the audit store is available") from exc
    return str(event.id)


def _disclosure(app: PartnershipHub, disclosure_id: str) -> Disclosure:
    try:
        found = app.get_or_none(UUID(disclosure_id))
    except ValueError:
        found = None
    if not isinstance(found, Disclosure):
        raise NotFound(f"no disclosure {disclosure_id!r}")
    return found


def review_override(app: PartnershipHub, who: Requester, disclosure_id: str, *, outcome: str,
                    note: str) -> dict[str, Any]:
    if outcome not in OVERRIDE_OUTCOMES:
        raise Invalid(f"outcome must be one of {', '.join(OVERRIDE_OUTCOMES)}")
    if not note.strip():
        raise Invalid("a review needs a note")
    disclosure = _disclosure(app, disclosure_id)
    if disclosure.override is None:
        raise Invalid("that disclosure was not made under an override")
    if disclosure.override_review is not None:
        raise Invalid("that override has already been reviewed")
    review = {"outcome": outcome, "note": note.strip(), "reviewer": _who(who),
              "reviewed_at": now_iso()}
    disclosure.review_override(**review)
    try:
        audit_trail(app).commit("override_review", {"disclosure_id": disclosure_id, **review},
                                disclosure)
    except Exception as exc:
        raise AuditUnavailable(f"the review could not be recorded ({type(exc).__name__})"
                               ) from exc
    return review


def release_for_subject_access(app: PartnershipHub, who: Requester, disclosure_id: str, *,
                               note: str) -> dict[str, Any]:
    disclosure = _disclosure(app, disclosure_id)
    if disclosure.subject_access_release is not None:
        raise Invalid("that disclosure has already been released for subject access")
    release = {"note": note.strip(), "released_by": _who(who), "released_at": now_iso()}
    disclosure.release_for_subject_access(**release)
    try:
        audit_trail(app).commit("subject_access_release",
                                {"disclosure_id": disclosure_id, **release}, disclosure)
    except Exception as exc:
        raise AuditUnavailable(f"the release could not be recorded ({type(exc).__name__})"
                               ) from exc
    return release
