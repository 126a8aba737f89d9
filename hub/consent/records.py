"""Finding consent records: by id, and every record about the people in a record.

Read from the store on every call (no cache across decisions), so a withdrawal counts for the
very next decision, a panel pack for a meeting already scheduled included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain.model.consent import (
    Consent,
    SubjectConsents,
    consent_aggregate_id,
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
