"""Consent records: a person's answer to sharing data about them, and its changes over time.

A ``Consent`` is one record: consent given, or refused, to share data about one person (their
match key, never a name) for named purposes, with named agencies or kinds of agency, for named
data categories; who answered (the person, or someone with authority for them), which agency
and officer collected it, how, when, and until when. A record is never amended: it is withdrawn
and a new one recorded. Its status over time is given or refused (when collected), withdrawn
(when withdrawn, with the reason) and expired (at its expiry). ``SubjectConsents`` lists the
records about one person, so every decision finds them with one read per person.

Why consent matters here: seeds/002 L447, L1194, L1451, L1988-1990, L2022, L2026
(domain/rules/consent.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model import ids
from domain.model.errors import DomainRefused

# How consent was collected; "portal" means the person recorded it themselves.
METHODS = ("verbal", "recorded_verbal", "written", "electronic_signature", "portal")
SUBJECT_RECORDED = "portal"
# Who gave or refused it: the person, or someone with authority to act for them.
GIVERS = ("subject", "parental_responsibility", "guardian", "lasting_power_of_attorney",
          "court_appointed_deputy")
GIVEN, REFUSED, WITHDRAWN, EXPIRED = "given", "refused", "withdrawn", "expired"


def consent_id(agency: str, ref: str) -> str:
    """The id every decision and disclosure names: the collecting agency and its reference."""
    return f"{agency}:{ref}"


def held_scope(raw: Mapping[str, Any], *, refused: bool) -> dict[str, Any]:
    """A scope as held: sorted lists without repeats; a refusal naming no purpose refuses
    every purpose (``purposes`` None)."""
    purposes = sorted(set(raw.get("purposes") or []))
    return {"purposes": purposes or (None if refused else []),
            "recipients": sorted(set(raw.get("recipients") or [])),
            "recipient_kinds": sorted(set(raw.get("recipient_kinds") or [])),
            "categories": sorted(set(raw.get("categories") or [])),
            "explicit": bool(raw.get("explicit"))}


def consent_aggregate_id(consent: str) -> UUID:
    return uuid5(ids.NAMESPACE, f"consent:{consent}")


def subject_consents_id(match_key: str) -> UUID:
    return uuid5(ids.NAMESPACE, f"subject-consents:{match_key}")


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with ``Z``, as the policy reads times (times are always zone-aware)."""
    return None if moment is None else moment.astimezone(UTC).isoformat().replace(
        "+00:00", "Z")


class Consent(Aggregate):
    """One consent or refusal record, and its withdrawal."""

    class Recorded(Aggregate.Created):
        consent_id: str
        subject: str
        refused: bool
        given_by: str
        collected_by: dict[str, str | None]
        method: str
        collected_at: datetime
        scope: dict[str, Any]
        expires_at: datetime | None
        note: str
        source: str

    class Given(Recorded):
        """The person (or someone for them) agreed to the sharing the scope names."""

    class Refused(Recorded):
        """The person (or someone for them) said no: to the purposes named, or to all."""

    class Withdrawn(Aggregate.Event):
        at: datetime
        by: dict[str, str | None]
        reason: str
        source: str

    @staticmethod
    def create_id(consent_id: str, **_: Any) -> UUID:
        return consent_aggregate_id(consent_id)

    def __init__(self, *, consent_id: str, subject: str, refused: bool, given_by: str,
                 collected_by: dict[str, str | None], method: str, collected_at: datetime,
                 scope: dict[str, Any], expires_at: datetime | None, note: str,
                 source: str) -> None:
        self.consent_id = consent_id
        self.subject = subject
        self.refused = refused
        self.given_by = given_by
        self.collected_by = collected_by
        self.method = method
        self.collected_at = collected_at
        self.scope = scope
        self.expires_at = expires_at
        self.note = note
        self.sources = [source]
        self.withdrawal: dict[str, Any] | None = None

    @classmethod
    def record(cls, *, refused: bool, **terms: Any) -> Consent:
        """A new record; check its terms first (domain/rules/consent.py)."""
        return cls._create(cls.Refused if refused else cls.Given, refused=refused, **terms)

    @property
    def agency(self) -> str:
        return str(self.collected_by["agency"])

    @property
    def subject_recorded(self) -> bool:
        """The person recorded it themselves (a portal), so any agency they tell may record
        its withdrawal."""
        return self.method == SUBJECT_RECORDED

    @property
    def withdrawn_at(self) -> datetime | None:
        return self.withdrawal["at"] if self.withdrawal else None

    def withdraw(self, *, at: datetime, agency: str, officer: str | None, given_by: str,
                 reason: str, source: str) -> bool:
        """Withdraw the record; False if this exact withdrawal was already applied. Refused if
        it is withdrawn already, or the agency neither collected it nor was told by the person
        who recorded it themselves."""
        if source in self.sources:
            return False
        if self.withdrawal is not None:
            raise DomainRefused("already-withdrawn",
                                f"consent {self.consent_id} was already withdrawn at "
                                f"{iso(self.withdrawn_at)}")
        if agency != self.agency and not self.subject_recorded:
            raise DomainRefused("not-your-record",
                                f"consent {self.consent_id} was recorded by {self.agency}: only "
                                f"{self.agency} (or anyone, for a record the person made "
                                "themselves through a portal) may withdraw it; ask "
                                f"{self.agency} to record the withdrawal")
        self._withdrawn(at=at, by={"agency": agency, "officer": officer, "given_by": given_by},
                        reason=reason, source=source)
        return True

    @event(Withdrawn)
    def _withdrawn(self, *, at: datetime, by: dict[str, str | None], reason: str,
                   source: str) -> None:
        self.withdrawal = {"at": at, "by": by, "reason": reason}
        self.sources.append(source)

    # -- reading ------------------------------------------------------------------------------

    def status_at(self, now: datetime) -> str:
        if self.withdrawn_at is not None and self.withdrawn_at <= now:
            return WITHDRAWN
        if self.refused:
            return REFUSED
        if self.expires_at is not None and self.expires_at <= now:
            return EXPIRED
        return GIVEN

    def history(self, now: datetime) -> list[dict[str, Any]]:
        """Each status with its time and reason, oldest first."""
        answer = REFUSED if self.refused else GIVEN
        how = self.method.replace("_", " ")
        found = [{"status": answer, "at": iso(self.collected_at),
                  "reason": self.note or f"{answer} by {self.given_by.replace('_', ' ')} "
                                         f"({how}), collected by {self.agency}"}]
        ended = self.withdrawn_at
        if self.expires_at is not None and self.expires_at <= now and not self.refused and (
                ended is None or self.expires_at < ended):
            found.append({"status": EXPIRED, "at": iso(self.expires_at),
                          "reason": "the consent reached its expiry date"})
        if self.withdrawal is not None:
            by = self.withdrawal["by"]
            found.append({"status": WITHDRAWN, "at": iso(ended),
                          "reason": f"{self.withdrawal['reason']} (recorded by "
                                    f"{by['agency']})"})
        return found

    def policy_record(self) -> dict[str, Any]:
        """The record as the sharing policy reads it (input.consents; policies/hub/consent.rego).
        A refusal naming no purposes refuses every purpose (purposes null)."""
        officer = self.collected_by.get("officer")
        return {
            "id": self.consent_id, "subject": self.subject, "refused": self.refused,
            "purposes": list(self.scope["purposes"]) if self.scope.get("purposes") else (
                None if self.refused else []),
            "categories": list(self.scope.get("categories", [])),
            "recipients": list(self.scope.get("recipients", [])),
            "recipient_kinds": list(self.scope.get("recipient_kinds", [])),
            "explicit": bool(self.scope.get("explicit")),
            "method": self.method,
            "collected_by": f"{self.agency}/{officer}" if officer else self.agency,
            "collected_at": iso(self.collected_at),
            "expires_at": iso(self.expires_at),
            "withdrawn_at": iso(self.withdrawn_at),
        }


class SubjectConsents(Aggregate):
    """The consent records about one person (match key), in the order they were made."""

    class Opened(Aggregate.Created):
        match_key: str

    class Noted(Aggregate.Event):
        consent_id: str

    @staticmethod
    def create_id(match_key: str, **_: Any) -> UUID:
        return subject_consents_id(match_key)

    @event(Opened)
    def __init__(self, *, match_key: str) -> None:
        self.match_key = match_key
        self.consent_ids: list[str] = []

    def add(self, consent: str) -> None:
        if consent not in self.consent_ids:
            self._noted(consent_id=consent)

    @event(Noted)
    def _noted(self, *, consent_id: str) -> None:
        self.consent_ids.append(consent_id)
