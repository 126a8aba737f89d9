"""What the DPO asks of the disclosure log: searches, reviews, subject access, partner reports.

Rows are folded from the notification log (one pass over the disclosure events), so they
reflect override reviews and subject access releases as well as the original record. A record
that can no longer be read (altered or corrupted) is listed as "unreadable record <id>" and the
rest are listed as usual; reports count only what they can read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

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


def disclosure_rows(app: PartnershipHub) -> list[dict[str, Any]]:
    topics = [get_topic(Disclosure.Recorded), get_topic(Disclosure.OverrideReviewed),
              get_topic(Disclosure.ReleasedForSubjectAccess)]
    rows: dict[UUID, dict[str, Any]] = {}
    for event in app.records(topics):
        if isinstance(event, Unreadable):
            if event.topic == topics[0]:
                rows[event.originator_id] = unreadable_disclosure(event)
            elif event.originator_id in rows:
                # A review or release that cannot be read counts as not made: the override
                # stays awaiting review, the entry stays held back from subject access.
                rows[event.originator_id].setdefault("unreadable_events", []).append(
                    event.detail)
        elif isinstance(event, Disclosure.Recorded):
            row = {"disclosure_id": str(event.originator_id),
                   "recorded_at": event.timestamp.isoformat(),
                   **{k: getattr(event, k, DEFAULTS.get(k)) for k in RECORD_FIELDS},
                   "override_review": None, "subject_access_release": None}
            rows[event.originator_id] = row
        elif event.originator_id in rows:
            row = rows[event.originator_id]
            if isinstance(event, Disclosure.OverrideReviewed):
                row["override_review"] = {"outcome": event.outcome, "note": event.note,
                                          "reviewer": event.reviewer,
                                          "reviewed_at": event.reviewed_at}
            else:
                row["subject_access_release"] = {"note": event.note,
                                                 "released_by": event.released_by,
                                                 "released_at": event.released_at}
    return list(rows.values())


def access_rows(app: PartnershipHub) -> list[dict[str, Any]]:
    rows = []
    for e in app.records([get_topic(AccessEvent.Recorded)]):
        if isinstance(e, Unreadable):
            rows.append({"access_id": str(e.originator_id), "recorded_at": "", "user": "",
                         "agency": "", "role": "", "action": "unreadable",
                         "query": {"detail": e.detail}, "result_count": 0,
                         "unreadable": True})
            continue
        rows.append({"access_id": str(e.originator_id), "recorded_at": e.timestamp.isoformat(),
                     "user": e.user, "agency": e.agency, "role": e.role, "action": e.action,
                     "query": e.query, "result_count": e.result_count})
    return rows


def readable(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows whose record could be read: the only ones a report can count or attribute."""
    return [r for r in rows if not r.get("unreadable")]


def _when(row: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(row["recorded_at"])


def in_period(rows: Iterable[dict[str, Any]], since: datetime | None,
              until: datetime | None) -> list[dict[str, Any]]:
    """Rows of the period [since, until); an unreadable row's time is unknown, so it is kept."""
    return [r for r in rows if r.get("unreadable") or (
        (since is None or _when(r) >= since) and (until is None or _when(r) < until))]


def search(rows: Iterable[dict[str, Any]], *, person: str | None = None,
           partner: str | None = None, supplier: str | None = None,
           purpose: str | None = None, gateway: str | None = None,
           outcome: str | None = None, since: datetime | None = None,
           until: datetime | None = None) -> list[dict[str, Any]]:
    found = []
    for row in in_period(rows, since, until):
        if row.get("unreadable"):
            found.append(row)  # it may be any of them: the DPO must see it
            continue
        if person and person not in row["subjects"]:
            continue
        if partner and partner not in (row["recipient"], row["requester"].get("agency")):
            continue
        if supplier and supplier not in row["suppliers"]:
            continue
        if purpose and row["purpose"] != purpose:
            continue
        if gateway and gateway not in row["gateways"]:
            continue
        if outcome == "released" and not row["allowed"]:
            continue
        if outcome == "refused" and row["allowed"]:
            continue
        if outcome == "override" and not row["override"]:
            continue
        found.append(row)
    return found


def overrides_awaiting_review(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in readable(rows) if r["override"] and r["override_review"] is None]


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


def partner_report(rows: Iterable[dict[str, Any]], since: datetime | None,
                   until: datetime | None) -> list[dict[str, Any]]:
    """What each partner received in a period."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in readable(in_period(rows, since, until)):
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
