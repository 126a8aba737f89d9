"""Finding consent records: by id, and every record about the people in a record.

Read from the store on every call (no cache across decisions), so a withdrawal counts for the
very next decision, a panel pack for a meeting already scheduled included.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.model.consent import (
    Consent,
    SubjectConsents,
    consent_aggregate_id,
    iso,
    subject_consents_id,
)
from hub.application import PartnershipHub


def find(app: PartnershipHub, consent_id: str) -> Consent | None:
    found = app.get_or_none(consent_aggregate_id(consent_id))
    return found if isinstance(found, Consent) else None


def about(app: PartnershipHub, subjects: Iterable[str]) -> list[Consent]:
    """Every record about these people (given, refused, withdrawn, expired), by id."""
    found: list[Consent] = []
    for subject in sorted(set(subjects)):
        index = app.get_or_none(subject_consents_id(subject))
        if not isinstance(index, SubjectConsents):
            continue
        for consent_id in index.consent_ids:
            consent = find(app, consent_id)
            if consent is None:
                raise LookupError(f"consent {consent_id} is listed for a person but cannot be "
                                  "read; run `hub audit verify`")
            found.append(consent)
    return sorted(found, key=lambda c: c.consent_id)


def policy_input(app: PartnershipHub, subjects: Iterable[str]) -> list[dict[str, Any]]:
    """The policy's ``consents``: every record about these people, withdrawn, expired and
    refused ones included (the policy explains them in its reasons)."""
    return [consent.policy_record() for consent in about(app, subjects)]


def summary(consent: Consent, now: datetime) -> dict[str, Any]:
    """A record as staff, the DPO and a subject access report see it, with its history."""
    return {"consent_id": consent.consent_id, "receipt_id": str(consent.id),
            "subject": consent.subject, "status": consent.status_at(now),
            "refused": consent.refused, "given_by": consent.given_by,
            "collected_by": dict(consent.collected_by), "method": consent.method,
            "collected_at": iso(consent.collected_at), "expires_at": iso(consent.expires_at),
            "withdrawn_at": iso(consent.withdrawn_at), "scope": dict(consent.scope),
            "history": consent.history(now)}


def withdrawn(app: PartnershipHub, consent_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Of these consents, those withdrawn: id -> when, why and by which agency."""
    found = {}
    for consent_id in sorted(set(consent_ids)):
        consent = find(app, consent_id)
        if consent is not None and consent.withdrawal is not None:
            found[consent_id] = {
                "consent_id": consent_id, "subject": consent.subject,
                "withdrawn_at": iso(consent.withdrawn_at),
                "reason": consent.withdrawal["reason"],
                "recorded_by": consent.withdrawal["by"]["agency"]}
    return found
