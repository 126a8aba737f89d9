"""A disclosure: the partnership's record that data was (or was not) released to a partner."""

from __future__ import annotations

from eventsourcing.domain import Aggregate, event


class Disclosure(Aggregate):
    """Written before any data leaves the hub; a refusal is recorded the same way.

    Carries who asked, for which partner and purpose, what was released and withheld, and the
    policy decision (id and bundle revision) that decided it.
    """

    @event("Recorded")
    def __init__(self, *, requester: dict[str, str], recipient: str, purpose: str,
                 record_kind: str, record_ref: str, subjects: list[str], decision_id: str,
                 allowed: bool, released: list[str], withheld: dict[str, str],
                 gateways: list[str], consent_ids: list[str], agreement: str | None,
                 reasons: list[str], bundle_revision: str, engine: str) -> None:
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
