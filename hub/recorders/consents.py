"""``consent.given``, ``consent.refused`` and ``consent.withdrawn``: an agency recorded a
person's answer to sharing, or its withdrawal.

Refused before anything is stored, with the reason in the agency's dead letter: terms the
policy bundle does not know (purpose, recipient, kind of agency, category), an expiry before
collection, special category data without explicit consent (domain/rules/consent.py); a
second record under a reference already held; a withdrawal of a record the hub does not hold,
of another person's record, of one already withdrawn, or of another agency's record.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import DomainRefused
from domain.model.consent import (
    Consent,
    SubjectConsents,
    consent_aggregate_id,
    consent_id,
    held_scope,
    subject_consents_id,
)
from domain.rules.consent import TermsRefused, check_terms, check_withdrawal
from hub.consent.vocabulary import vocabulary
from hub.recorders.base import Loader, Recorder, RecordRefused, when


def refusal(refused: TermsRefused | DomainRefused) -> RecordRefused:
    field = getattr(refused, "field", None)
    return RecordRefused(refused.reason, f"{field}: {refused}" if field else str(refused))


def consent_recorded(load: Loader, envelope: Envelope) -> list[Aggregate]:
    data, refused = envelope.data, envelope.type == "consent.refused"
    cid = consent_id(envelope.agency, data["consent"]["ref"])
    held = load(consent_aggregate_id(cid))
    if held is not None:
        if envelope.id in held.sources:
            return []  # this exact event was applied before
        raise RecordRefused("already-recorded",
                            f"consent {cid} is already held; a consent record is never amended: "
                            "withdraw it and record the new answer under a new reference")
    subject = data["subject"]["match_key"]
    scope = held_scope(data["scope"], refused=refused)
    expires_at = when(data["expires_at"]) if data.get("expires_at") else None
    try:
        check_terms(refused=refused, method=data["method"], given_by=data["given_by"],
                    collected_at=when(data["collected_at"]), expires_at=expires_at,
                    scope=scope, vocabulary=vocabulary(), received_at=when(envelope.time))
    except TermsRefused as exc:
        raise refusal(exc) from exc
    consent = Consent.record(
        refused=refused, consent_id=cid, subject=subject, given_by=data["given_by"],
        collected_by={"agency": envelope.agency, "officer": data.get("officer")},
        method=data["method"], collected_at=when(data["collected_at"]), scope=scope,
        expires_at=expires_at, note=data.get("note", ""), source=envelope.id)
    index = load(subject_consents_id(subject)) or SubjectConsents(match_key=subject)
    index.add(cid)
    return [consent, index]


def consent_withdrawn(load: Loader, envelope: Envelope) -> list[Aggregate]:
    data = envelope.data
    cid = consent_id(data["consent"].get("agency") or envelope.agency, data["consent"]["ref"])
    consent: Consent | None = load(consent_aggregate_id(cid))
    if consent is None:
        raise RecordRefused("unknown-consent",
                            f"no consent {cid} is held: publish the consent (consent.given or "
                            "consent.refused) before its withdrawal, under the same reference")
    if consent.subject != data["subject"]["match_key"]:
        raise RecordRefused("subject-mismatch",
                            f"consent {cid} is about another person than this withdrawal names; "
                            "check the person's match key and the consent reference")
    try:
        check_withdrawal(collected_at=consent.collected_at,
                         withdrawn_at=when(data["withdrawn_at"]),
                         received_at=when(envelope.time))
        changed = consent.withdraw(at=when(data["withdrawn_at"]), agency=envelope.agency,
                                   officer=data.get("officer"), given_by=data["given_by"],
                                   reason=data["reason"], source=envelope.id)
    except DomainRefused as exc:
        raise refusal(exc) from exc
    return [consent] if changed else []


RECORDERS: dict[str, Recorder] = {"consent.given": consent_recorded,
                                  "consent.refused": consent_recorded,
                                  "consent.withdrawn": consent_withdrawn}
