"""Disclosing a view to a partner: ask the policy, record the disclosure, then release.

The order is the safeguard. Nothing is returned unless the disclosure (or the refusal) is
stored first; if the policy engine cannot answer, the decision is a refusal; if the store
cannot record it, nothing is released at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hub.application import PartnershipHub
from hub.policy import Decision, PolicyEngine
from hub.views.case_view import build_case_view
from hub.views.fields import nest


@dataclass(frozen=True)
class Requester:
    """The person asking, the agency they act for, and their role there."""

    user: str
    agency: str
    role: str
    acting_for: str | None = None


class CaseNotFound(LookupError):
    pass


class AuditUnavailable(RuntimeError):
    """The disclosure could not be recorded, so nothing was released."""


@dataclass(frozen=True)
class SharedView:
    disclosure_id: str
    decision: Decision
    released: dict[str, Any] = field(default_factory=dict)

    @property
    def allowed(self) -> bool:
        return self.decision.allowed


def disclose_case_view(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                       case_agency: str, case_ref: str, purpose: str,
                       gateway_claims: list[dict[str, Any]] | None = None,
                       consents: list[dict[str, Any]] | None = None,
                       panel: dict[str, Any] | None = None,
                       now: datetime | None = None) -> SharedView:
    now = now or datetime.now(UTC)
    view = build_case_view(app, case_agency, case_ref)
    if view is None:
        raise CaseNotFound(f"no case {case_ref!r} from agency {case_agency!r}")
    fields = view.fields(now.date())
    decision = engine.decide({
        "now": now.isoformat().replace("+00:00", "Z"),
        "requester": {"user": requester.user, "agency": requester.agency,
                      "role": requester.role, "acting_for": requester.acting_for},
        "recipient": requester.agency,
        "purpose": purpose,
        "panel": panel,
        "gateway_claims": gateway_claims or [],
        "consents": consents or [],
        "record": {"kind": "case_view", "id": f"{case_agency}:{case_ref}",
                   "supplier": case_agency, "fields": [f.policy_view() for f in fields]},
    })
    try:
        disclosure = app.record_disclosure(
            requester={"user": requester.user, "agency": requester.agency,
                       "role": requester.role},
            recipient=requester.agency, purpose=purpose, record_kind="case_view",
            record_ref=f"{case_agency}:{case_ref}", subjects=view.subjects,
            decision_id=decision.decision_id, allowed=decision.allowed,
            released=list(decision.released), withheld=dict(decision.withheld),
            gateways=list(decision.gateways), consent_ids=list(decision.consent_ids),
            agreement=decision.agreement, reasons=list(decision.reasons),
            bundle_revision=decision.bundle_revision, engine=decision.engine)
    except Exception as exc:
        raise AuditUnavailable(
            f"the disclosure could not be recorded ({type(exc).__name__}), so nothing was "
            "released; try again when the audit store is available") from exc
    released = decision.redact({f.path: f.value for f in fields})
    return SharedView(str(disclosure.id), decision, nest(released))
