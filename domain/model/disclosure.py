"""A disclosure: the partnership's record that data was (or was not) released to a partner.

The record carries what the ICO data sharing code asks a request record to hold and what
DPA 2018 s62 asks a log of disclosures to hold: who asked (person and organisation), for whom,
when, what was asked for, what was released and withheld (fields and categories), why
(purpose), under which gateway and with which justification, necessity and proportionality,
special category condition, the case or referral, consent record or override, the policy
decision (id and bundle revision) and the agencies that supplied the released fields.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event

OVERRIDE_OUTCOMES = ("upheld", "not_upheld", "referred")


class Disclosure(Aggregate):
    """Written before any data leaves the hub; a refusal is recorded the same way."""

    @event("Recorded")
    def __init__(self, *, requester: dict[str, str], recipient: str, purpose: str,
                 record_kind: str, record_ref: str, subjects: list[str], decision_id: str,
                 allowed: bool, released: list[str], withheld: dict[str, str],
                 gateways: list[str], consent_ids: list[str], agreement: str | None,
                 reasons: list[str], bundle_revision: str, engine: str,
                 requested_at: str | None = None,
                 requested: list[dict[str, Any]] | None = None,
                 released_categories: list[str] | None = None,
                 withheld_categories: list[str] | None = None,
                 suppliers: list[str] | None = None,
                 justification: str = "", necessity: str = "",
                 special_category_condition: str | None = None,
                 referral: str | None = None,
                 override: dict[str, Any] | None = None,
                 redactions: list[dict[str, str]] | None = None,
                 recipient_detail: dict[str, str] | None = None,
                 legal_services_approval: dict[str, Any] | None = None) -> None:
        self.requester = requester
        self.recipient = recipient
        self.purpose = purpose
        self.record_kind = record_kind
        self.record_ref = record_ref
        self.subjects = subjects
        self.decision_id = decision_id
        self.allowed = allowed
        self.released = released
        self.withheld = withheld
        self.gateways = gateways
        self.consent_ids = consent_ids
        self.agreement = agreement
        self.reasons = reasons
        self.bundle_revision = bundle_revision
        self.engine = engine
        self.requested_at = requested_at
        self.requested = requested or []
        self.released_categories = released_categories or []
        self.withheld_categories = withheld_categories or []
        self.suppliers = suppliers or []
        self.justification = justification
        self.necessity = necessity
        self.special_category_condition = special_category_condition
        self.referral = referral
        self.override = override
        # Names taken out of released free text: path and the person's role, not the name.
        self.redactions = redactions or []
        # A recipient outside the protocol as the request named it (a court and its order).
        self.recipient_detail = recipient_detail
        self.legal_services_approval = legal_services_approval
        self.override_review: dict[str, Any] | None = None
        self.subject_access_release: dict[str, Any] | None = None

    @property
    def needs_override_review(self) -> bool:
        return self.override is not None and self.override_review is None

    @event("OverrideReviewed")
    def review_override(self, *, outcome: str, note: str, reviewer: dict[str, str],
                        reviewed_at: str) -> None:
        self.override_review = {"outcome": outcome, "note": note, "reviewer": reviewer,
                                "reviewed_at": reviewed_at}

    @event("ReleasedForSubjectAccess")
    def release_for_subject_access(self, *, note: str, released_by: dict[str, str],
                                   released_at: str) -> None:
        """The DPO decided a crime-exemption entry may now appear in subject access reports."""
        self.subject_access_release = {"note": note, "released_by": released_by,
                                       "released_at": released_at}


class AccessEvent(Aggregate):
    """Someone looked at, searched or exported the hub's records (the DPO included)."""

    @event("Recorded")
    def __init__(self, *, user: str, agency: str, role: str, action: str,
                 query: dict[str, Any], result_count: int, at: str) -> None:
        self.user = user
        self.agency = agency
        self.role = role
        self.action = action
        self.query = query
        self.result_count = result_count
        self.at = at
