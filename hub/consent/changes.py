"""Agency staff record and withdraw consent over the API.

The same rules as for agency events (domain/rules/consent.py, domain/model/consent.py), the
officer named in ``X-Hub-User`` as the collector, and each change stored in one transaction
with its access event in the audit chain (``hub.audit.actions.record_access``): a change that
cannot be logged is not made. Which roles may do it: ``HUB_CONSENT_ROLES``.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.model import DomainRefused
from domain.model.consent import Consent, SubjectConsents, consent_id, subject_consents_id
from domain.rules.consent import check_terms, check_withdrawal
from hub.application import PartnershipHub
from hub.audit.actions import record_access
from hub.consent import records
from hub.consent.vocabulary import vocabulary
from hub.sharing import Requester

# Staff who meet people and collect their answer: case officers, safeguarding leads, police
# officers, IDVAs and mediators (seeds/002 L1451, L1988-1990, L2022, L2026).
DEFAULT_CONSENT_ROLES = ("case_officer", "safeguarding_lead", "police_officer", "idva",
                         "mediator")


def consent_roles(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """``HUB_CONSENT_ROLES``: comma-separated client roles that may record and withdraw."""
    env = os.environ if environ is None else environ
    raw = env.get("HUB_CONSENT_ROLES")
    if raw is None:
        return frozenset(DEFAULT_CONSENT_ROLES)
    return frozenset(r.strip() for r in raw.split(",") if r.strip())


class ConsentNotFound(LookupError):
    """No such consent, or none the asking agency may see (one answer: no existence oracle)."""


class ConsentConflict(ValueError):
    """Contradicts what is held: a reference already used, a record already withdrawn."""


class NotYourRecord(PermissionError):
    """Another agency's record: only the agency that made it may withdraw it."""


def visible_to(consent: Consent, who: Requester) -> bool:
    """The DPO sees every record; staff see their agency's and those the person made
    themselves (which any agency they tell may withdraw)."""
    return who.role == "dpo" or consent.agency == who.agency or consent.subject_recorded


def record(app: PartnershipHub, who: Requester, *, ref: str | None, subject: str,
           refused: bool, given_by: str, method: str, collected_at: datetime,
           expires_at: datetime | None, scope: dict[str, Any], note: str,
           now: datetime) -> Consent:
    """Record a consent given or refused; raises TermsRefused or ConsentConflict."""
    cid = consent_id(who.agency, ref or f"hub-{secrets.token_hex(8)}")
    if records.find(app, cid) is not None:
        raise ConsentConflict(f"consent {cid} is already held; a consent record is never "
                              "amended: withdraw it and record the new answer under a new "
                              "reference")
    check_terms(refused=refused, method=method, given_by=given_by, collected_at=collected_at,
                expires_at=expires_at, scope=scope, vocabulary=vocabulary(), received_at=now)
    consent = Consent.record(
        refused=refused, consent_id=cid, subject=subject, given_by=given_by,
        collected_by={"agency": who.agency, "officer": who.user}, method=method,
        collected_at=collected_at, scope=scope, expires_at=expires_at, note=note,
        source=f"api:{who.agency}:{who.user}:{now.isoformat()}")
    index = app.get_or_none(subject_consents_id(subject)) or SubjectConsents(match_key=subject)
    index.add(cid)
    record_access(app, who, "consents.refuse" if refused else "consents.give",
                  {"consent_id": cid, "subject": subject}, 1, consent, index)
    return consent


def withdraw(app: PartnershipHub, who: Requester, consent: str, *, given_by: str, reason: str,
             now: datetime) -> Consent:
    """Withdraw a record from now on; raises ConsentNotFound, NotYourRecord, ConsentConflict."""
    found = records.find(app, consent)
    if found is None:
        raise ConsentNotFound(f"no consent {consent!r} is held")
    check_withdrawal(collected_at=found.collected_at, withdrawn_at=now, received_at=now)
    try:
        found.withdraw(at=now, agency=who.agency, officer=who.user, given_by=given_by,
                       reason=reason, source=f"api:{who.agency}:{who.user}:{now.isoformat()}")
    except DomainRefused as exc:
        if exc.reason == "not-your-record":
            raise NotYourRecord(str(exc)) from exc
        raise ConsentConflict(str(exc)) from exc
    record_access(app, who, "consents.withdraw", {"consent_id": consent,
                                                  "subject": found.subject}, 1, found)
    return found
