"""What the DPO asks of the disclosure log: searches, reviews, subject access, partner reports.

Rows are made here from the disclosure events and kept by the views in
hub/views/disclosure_log.py, so they reflect override reviews and subject access releases as
well as the original record. A record that can no longer be read (altered or corrupted) is
listed as "unreadable record <id>" and the rest are listed as usual; reports count only what
they can read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from domain.model.disclosure import AccessEvent, Disclosure
from hub.application import PartnershipHub, Unreadable

CRIME_EXEMPTION = "dpa_sch2_para2"
RECORD_FIELDS = (
    "requester", "recipient", "purpose", "record_kind", "record_ref", "subjects", "decision_id",
    "allowed", "released", "withheld", "gateways", "consent_ids", "agreement", "reasons",
    "bundle_revision", "engine", "requested_at", "requested", "released_categories",
    "withheld_categories", "suppliers", "justification", "necessity",
    "special_category_condition", "referral", "override", "redactions",
    "recipient_detail", "legal_services_approval")
DEFAULTS: dict[str, Any] = {"requested": [], "released_categories": [],
                            "withheld_categories": [], "suppliers": [], "justification": "",
                            "necessity": "", "special_category_condition": None,
                            "referral": None, "override": None, "requested_at": None,
                            "redactions": [],
                            "recipient_detail": None, "legal_services_approval": None}


def unreadable_disclosure(bad: Unreadable) -> dict[str, Any]:
    """A disclosure whose stored record cannot be read, listed as such (never dropped):
    nothing about it is known but its id, so it matches every search and no report."""
    return {"disclosure_id": str(bad.originator_id), "recorded_at": "", "unreadable": True,
            "detail": bad.detail, "requester": {}, "recipient": "", "purpose": "",
            "record_kind": "unreadable", "record_ref": "", "subjects": [], "decision_id": "",
            "allowed": False, "released": [], "withheld": {}, "gateways": [],
            "consent_ids": [], "agreement": None, "reasons": [bad.detail],
            "bundle_revision": "", "engine": "", **DEFAULTS,
            "override_review": None, "subject_access_release": None}


def disclosure_row(event: Disclosure.Recorded) -> dict[str, Any]:
    """A disclosure as the DPO's lists show it, before any review or release."""
    return {"disclosure_id": str(event.originator_id),
            "recorded_at": event.timestamp.isoformat(),
            **{k: getattr(event, k, DEFAULTS.get(k)) for k in RECORD_FIELDS},
            "override_review": None, "subject_access_release": None}


def apply_review(row: dict[str, Any], event: Disclosure.OverrideReviewed) -> None:
    row["override_review"] = {"outcome": event.outcome, "note": event.note,
                              "reviewer": event.reviewer, "reviewed_at": event.reviewed_at}


def apply_release(row: dict[str, Any], event: Disclosure.ReleasedForSubjectAccess) -> None:
    row["subject_access_release"] = {"note": event.note, "released_by": event.released_by,
                                     "released_at": event.released_at}


def access_row(e: AccessEvent.Recorded) -> dict[str, Any]:
    return {"access_id": str(e.originator_id), "recorded_at": e.timestamp.isoformat(),
            "user": e.user, "agency": e.agency, "role": e.role, "action": e.action,
            "query": e.query, "result_count": e.result_count}


def unreadable_access(e: Unreadable) -> dict[str, Any]:
    return {"access_id": str(e.originator_id), "recorded_at": "", "user": "", "agency": "",
            "role": "", "action": "unreadable", "query": {"detail": e.detail},
            "result_count": 0, "unreadable": True}


def disclosure_rows(app: PartnershipHub) -> list[dict[str, Any]]:
    """Every row of the disclosure log, oldest first (the DPO's routes ask for pages)."""
    from hub.views.disclosure_log import DisclosureLog
    return DisclosureLog.of(app).rows()


def access_rows(app: PartnershipHub) -> list[dict[str, Any]]:
    """Every row of the access log, oldest first."""
    from hub.views.disclosure_log import AccessLog
    return AccessLog.of(app).page(limit=None).rows


def readable(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose record could be read: the only ones a report can count or attribute."""
    return [r for r in rows if not r.get("unreadable")]


def held_back(row: dict[str, Any]) -> bool:
    """Entries relying on the crime exemption stay out of a subject access report until the
    DPO releases them (disclosing them could prejudice the prevention or detection of crime)."""
    return CRIME_EXEMPTION in row["gateways"] and row["subject_access_release"] is None


def subject_access_report(rows: Iterable[dict[str, Any]], person: str) -> dict[str, Any]:
    """Every disclosure about one person (match key), in a form that can go to the subject."""
    about = [r for r in readable(rows) if person in r["subjects"] and r["allowed"]]
    entries, withheld = [], []
    for row in about:
        if held_back(row):
            withheld.append({"disclosure_id": row["disclosure_id"],
                             "recorded_at": row["recorded_at"], "gateways": row["gateways"]})
            continue
        entries.append({
            "disclosure_id": row["disclosure_id"], "date": row["recorded_at"],
            "recipient": row["recipient"], "purpose": row["purpose"],
            "gateways": row["gateways"], "categories": row["released_categories"],
            "suppliers": row["suppliers"], "override": bool(row["override"])})
    return {"subject": person, "disclosures": entries, "held_back": withheld,
            "held_back_reason": f"relies on {CRIME_EXEMPTION} (DPA 2018 Sch 2 Part 1 para 2); "
                                "release each with POST /v1/dpo/subject-access/{id}/release"}


def relied_on_withdrawn(rows: Iterable[dict[str, Any]],
                        withdrawn: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Releases that relied on a consent since withdrawn (``withdrawn``: consent id -> its
    withdrawal), each with those consents: the DPO tells the recipients."""
    found = []
    for row in readable(rows):
        relied = [withdrawn[c] for c in row["consent_ids"] if c in withdrawn]
        if row["allowed"] and relied:
            found.append({**row, "withdrawn_consents": relied})
    return found


def partner_report(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each partner received in a period."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in readable(rows):
        grouped[row["recipient"]].append(row)
    report = []
    for partner, received in sorted(grouped.items()):
        released = [r for r in received if r["allowed"]]
        report.append({
            "partner": partner, "requests": len(received), "released": len(released),
            "refused": len(received) - len(released),
            "overrides": sum(1 for r in received if r["override"]),
            "purposes": sorted({r["purpose"] for r in released}),
            "gateways": sorted({g for r in released for g in r["gateways"]}),
            "categories": sorted({c for r in released for c in r["released_categories"]}),
            "suppliers": sorted({s for r in released for s in r["suppliers"]}),
            "disclosure_ids": [r["disclosure_id"] for r in released]})
    return report


def supplier_notifications(rows: Iterable[dict[str, Any]], agency: str
                           ) -> list[dict[str, Any]]:
    """Disclosures onward of data the agency supplied, to anyone but the agency itself."""
    found = []
    for row in readable(rows):
        if not row["allowed"] or agency not in row["suppliers"] or row["recipient"] == agency:
            continue
        released = set(row["released"])
        theirs = [f for f in row["requested"]
                  if f.get("supplier") == agency and f["path"] in released]
        found.append({
            "disclosure_id": row["disclosure_id"], "recorded_at": row["recorded_at"],
            "recipient": row["recipient"], "requester_agency": row["requester"].get("agency"),
            "purpose": row["purpose"], "gateways": row["gateways"],
            "record_ref": row["record_ref"], "override": bool(row["override"]),
            "fields": [f["path"] for f in theirs],
            "categories": sorted({f["category"] for f in theirs})})
    return found
