"""Disclosing a view to a partner: ask the policy, record the disclosure, then release.

Every piece of case data leaves through ``disclose_fields``: case views, and the facts shown
with panel referrals, suggestions and agenda lines (hub/panels/facts.py). The order is the
safeguard. Nothing is returned unless the disclosure (or the refusal) is
stored first, together with its entry in the audit hash chain (one transaction); if the policy
engine cannot answer, the decision is a refusal; if the store cannot record it, nothing is
released at all. A request for a case that does not exist is recorded as a refusal too, and
callers answer it exactly as a refusal (``NoCaseView``): no one learns which references exist.

An override (break-glass) releases the whole view although the policy would have withheld
some or all of it: only roles listed in ``HUB_OVERRIDE_ROLES`` may, only with a written
justification; the policy decision is still computed and recorded (what it would have
withheld), and the disclosure waits for the DPO's review.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from domain.model.disclosure import Disclosure
from hub.application import PartnershipHub
from hub.audit.chain import audit_trail
from hub.audit.config import override_roles
from hub.consent import records as consent_records
from hub.metrics import DECISION_SECONDS, count_decision
from hub.policy import Decision, PolicyEngine, deny_all
from hub.store import StoreUnavailable
from hub.views.case_view import build_case_view
from hub.views.fields import ViewField, nest

MIN_JUSTIFICATION = 20  # characters: a reason a reviewer can assess, not a token word


@dataclass(frozen=True)
class Requester:
    """The person asking, the agency they act for, and their role there."""

    user: str
    agency: str
    role: str
    acting_for: str | None = None


@dataclass(frozen=True)
class Recipient:
    """Who receives the data when it is not the requester's own agency: a partner agency (a
    support service on referral) or a recipient outside the protocol named in the request (a
    court, with the order's reference; the public, with the publication). The requester is the
    agency that hands the data over; the disclosure log keeps both."""

    id: str
    name: str | None = None
    reference: str | None = None

    def detail(self) -> dict[str, str] | None:
        if self.name is None and self.reference is None:
            return None
        return {"id": self.id, "name": self.name or "", "reference": self.reference or ""}


class AuditUnavailable(RuntimeError):
    """The disclosure could not be recorded, so nothing was released."""


class OverrideNotPermitted(PermissionError):
    """The override was refused before anything was decided or released."""


@dataclass(frozen=True)
class SharedView:
    disclosure_id: str
    decision: Decision
    released: dict[str, Any] = field(default_factory=dict)
    override: bool = False
    flat: dict[str, Any] = field(default_factory=dict)  # the released values by field path

    @property
    def allowed(self) -> bool:
        return self.override or self.decision.allowed


NO_VIEW = "no case view available to you for this reference"


class NoCaseView(LookupError):
    """Nothing about the case may be shown: it does not exist, or the policy released nothing.
    The two are deliberately one answer (no existence oracle); both are recorded."""

    def __init__(self, shared: SharedView) -> None:
        super().__init__(NO_VIEW)
        self.shared = shared


def _claims_summary(claims: list[dict[str, Any]], used: set[str]) -> tuple[str, str, str | None]:
    """Justification, necessity/proportionality note and special category condition, from
    the gateway claims the released fields relied on (all claims if none was relied on)."""
    relevant = [c for c in claims if c.get("gateway") in used] or claims
    justification = "; ".join(f"{c['gateway']}: {c['justification']}" for c in relevant
                              if c.get("justification"))
    necessity = "; ".join(
        " ".join(filter(None, (c.get("necessity"), c.get("proportionality"),
                               c.get("third_parties_considered") and
                               f"third parties: {c['third_parties_considered']}")))
        for c in relevant if c.get("necessity") or c.get("proportionality")
        or c.get("third_parties_considered"))
    condition = next((c["special_category_condition"] for c in relevant
                      if c.get("special_category_condition")), None)
    return justification, necessity, condition


def redacted(fields: list[ViewField], released: list[str]
             ) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Released free text with the names taken out of everyone whose identity this decision
    does not release (withheld, or not asked for): the values by path, and what was redacted
    (path and the person's role, never the name) for the disclosure record. A complainant
    named in a summary shared with the perpetrator's side reads "[complainant]" (seeds/002
    L1208, L261, L316; seeds/000 L433)."""
    shown = set(released)
    identity: dict[str, list[bool]] = {}
    for f in fields:
        if f.category == "identity" and f.subject:
            identity.setdefault(f.subject, []).append(f.path in shown)
    open_ = {key for key, seen in identity.items() if seen and all(seen)}
    values: dict[str, Any] = {}
    done: list[dict[str, str]] = []
    for f in fields:
        if f.path not in shown or not f.names or not isinstance(f.value, str):
            continue
        text = f.value
        for person in f.names:
            if person.subject not in open_:
                after = person.redact(text)
                if after != text:
                    done.append({"path": f.path, "role": person.role})
                text = after
        values[f.path] = text
    return values, done


def _approval(claims: list[dict[str, Any]], used: set[str]) -> dict[str, Any] | None:
    """Legal Services' approval of a publication, from the claim the release relied on
    (seeds/002 L1042)."""
    return next((dict(c["legal_services_approval"]) for c in claims
                 if c.get("gateway") in used and c.get("legal_services_approval")), None)


def disclosure_record(requester: Requester, decision: Decision, fields: list[ViewField], *,
                      record_kind: str, record_ref: str, subjects: list[str], purpose: str,
                      claims: list[dict[str, Any]], panel: dict[str, Any] | None,
                      override: dict[str, Any] | None, now: datetime,
                      redactions: list[dict[str, str]] | None = None,
                      recipient: Recipient | None = None) -> dict[str, Any]:
    """Everything the ICO request record and DPA 2018 s62 ask for, as one JSON document."""
    by_path = {f.path: f for f in fields}
    if override is not None:
        released = [f.path for f in fields]
        withheld: dict[str, str] = {}
    else:
        released = list(decision.released)
        withheld = dict(decision.withheld)
    justification, necessity, condition = _claims_summary(claims, set(decision.gateways))
    if override is not None:
        justification = f"override: {override['justification']}"
        override = {"justification": override["justification"],
                    "policy_allowed": decision.allowed,
                    "policy_withheld": dict(decision.withheld),
                    "policy_reasons": list(decision.reasons)}
    referral = None
    if panel:
        referral = ":".join(str(panel[k]) for k in ("type", "id") if panel.get(k)) or "panel"
    return {
        "requester": {"user": requester.user, "agency": requester.agency,
                      "role": requester.role},
        "recipient": recipient.id if recipient else requester.agency,
        "recipient_detail": recipient.detail() if recipient else None,
        "legal_services_approval": _approval(claims, set(decision.gateways)),
        "purpose": purpose, "record_kind": record_kind,
        "record_ref": record_ref, "subjects": subjects, "decision_id": decision.decision_id,
        "allowed": bool(released), "released": released, "withheld": withheld,
        "gateways": list(decision.gateways), "consent_ids": list(decision.consent_ids),
        "agreement": decision.agreement, "reasons": list(decision.reasons),
        "bundle_revision": decision.bundle_revision, "engine": decision.engine,
        "requested_at": now.isoformat().replace("+00:00", "Z"),
        "requested": [{"path": f.path, "category": f.category, "supplier": f.supplier}
                      for f in fields],
        "released_categories": sorted({by_path[p].category for p in released if p in by_path}),
        "withheld_categories": sorted({by_path[p].category for p in withheld if p in by_path}),
        "suppliers": sorted({by_path[p].supplier for p in released if p in by_path}),
        "justification": justification, "necessity": necessity,
        "special_category_condition": condition, "referral": referral, "override": override,
        "redactions": list(redactions or []),
    }


def disclose_case_view(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                       case_agency: str, case_ref: str, purpose: str,
                       gateway_claims: list[dict[str, Any]] | None = None,
                       panel: dict[str, Any] | None = None,
                       override: dict[str, Any] | None = None,
                       now: datetime | None = None,
                       recipient: Recipient | None = None) -> SharedView:
    """The cross-agency case view, decided and recorded. A case that does not exist is a
    recorded refusal too, so a partner cannot tell it from one the policy withholds."""
    now = now or datetime.now(UTC)
    if override is not None:
        override = _checked_override(requester, override)
    ref = f"{case_agency}:{case_ref}"
    view = build_case_view(app, case_agency, case_ref)
    if view is None:
        return record_miss(app, engine, requester, record_kind="case_view", record_ref=ref,
                           purpose=purpose, panel=panel, now=now, recipient=recipient)
    return disclose_fields(app, engine, requester, record_kind="case_view", record_ref=ref,
                           supplier=case_agency, subjects=view.subjects,
                           fields=view.fields(now.date()), purpose=purpose,
                           gateway_claims=gateway_claims, panel=panel, override=override,
                           now=now, recipient=recipient)


def _checked_override(requester: Requester, override: dict[str, Any]) -> dict[str, Any]:
    if requester.role not in override_roles():
        raise OverrideNotPermitted(
            f"role {requester.role!r} may not release under an override; the roles that "
            f"may are set in HUB_OVERRIDE_ROLES ({', '.join(sorted(override_roles()))})")
    justification = str(override.get("justification") or "").strip()
    if len(justification) < MIN_JUSTIFICATION:
        raise OverrideNotPermitted(
            "an override needs a written justification (at least "
            f"{MIN_JUSTIFICATION} characters) that the DPO will review")
    return {"justification": justification}


def disclose_fields(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                    record_kind: str, record_ref: str, supplier: str, subjects: list[str],
                    fields: list[ViewField], purpose: str,
                    gateway_claims: list[dict[str, Any]] | None = None,
                    panel: dict[str, Any] | None = None,
                    override: dict[str, Any] | None = None,
                    now: datetime | None = None,
                    recipient: Recipient | None = None) -> SharedView:
    """The one path by which case data leaves the hub: ask the policy field by field, record
    the disclosure (or refusal) in the audit chain, then hand back only the released fields.
    Case views, referral facts and agenda lines all come through here.

    Every consent record about the people the fields are about is read from the store for
    each decision and given to the policy (withdrawn, expired and refused ones too), so a
    withdrawal counts for every decision after it. If they cannot be read, nothing is
    released: a refusal that went unread would release what the person said no to."""
    now = now or datetime.now(UTC)
    claims = gateway_claims or []
    policy_input = {
        "now": now.isoformat().replace("+00:00", "Z"),
        "requester": {"user": requester.user, "agency": requester.agency,
                      "role": requester.role, "acting_for": requester.acting_for},
        "recipient": recipient.id if recipient else requester.agency,
        "recipient_detail": recipient.detail() if recipient else None,
        "purpose": purpose,
        "panel": panel,
        "gateway_claims": claims,
        "consents": [],
        "record": {"kind": record_kind, "id": record_ref, "supplier": supplier,
                   "fields": [f.policy_view() for f in fields]},
    }
    try:
        policy_input["consents"] = consent_records.policy_input(
            app, {f.subject for f in fields if f.subject})
    except StoreUnavailable:
        raise
    except Exception as exc:
        decision = deny_all(policy_input, [
            f"the consent records about the people in this record could not be read "
            f"({type(exc).__name__}), so nothing was released: run `hub audit verify`"],
            bundle_revision=engine.bundle_revision, engine=engine.name)
    else:
        started = time.perf_counter()
        decision = engine.decide(policy_input)
        DECISION_SECONDS.labels(engine.name).observe(time.perf_counter() - started)
    # An override releases the whole view, names included: nothing to redact.
    texts, redactions = ({}, []) if override is not None else redacted(
        fields, list(decision.released))
    record = disclosure_record(requester, decision, fields, record_kind=record_kind,
                               record_ref=record_ref, subjects=subjects, purpose=purpose,
                               claims=claims, panel=panel, override=override, now=now,
                               redactions=redactions,
                               recipient=recipient)
    disclosure_id = _commit(app, record, override is not None)
    count_decision(len(record["released"]), len(record["withheld"]), record["gateways"],
                   record["consent_ids"])
    values = {f.path: f.value for f in fields} | texts
    released = {p: values[p] for p in record["released"]}
    return SharedView(disclosure_id, decision, nest(released), override is not None, released)


def record_miss(app: PartnershipHub, engine: PolicyEngine, requester: Requester, *,
                record_kind: str, record_ref: str, purpose: str,
                panel: dict[str, Any] | None = None, now: datetime | None = None,
                reasons: list[str] | None = None,
                recipient: Recipient | None = None) -> SharedView:
    """A request for a record that does not exist, recorded as a refusal: the partner gets
    the same answer as for a record the policy withholds, and the DPO sees the probe.
    ``reasons`` replaces the default reason when the hub refused for another cause before
    asking the policy (e.g. not a member of the panel named)."""
    now = now or datetime.now(UTC)
    decision = deny_all({}, reasons or [f"no {record_kind} {record_ref} exists: nothing to "
                                        "disclose"],
                        bundle_revision=engine.bundle_revision, engine=engine.name)
    record = disclosure_record(requester, decision, [], record_kind=record_kind,
                               record_ref=record_ref, subjects=[], purpose=purpose, claims=[],
                               panel=panel, override=None, now=now, recipient=recipient)
    return SharedView(_commit(app, record, False), decision)


def _commit(app: PartnershipHub, record: dict[str, Any], override: bool) -> str:
    try:
        disclosure = Disclosure(**record)
        kind = "override" if override else ("disclosure" if record["allowed"] else "refusal")
        audit_trail(app).commit(kind, record, disclosure)
    except Exception as exc:
        raise AuditUnavailable(
            f"the disclosure could not be recorded ({type(exc).__name__}), so nothing was "
            "released; try again when the audit store is available") from exc
    return str(disclosure.id)
