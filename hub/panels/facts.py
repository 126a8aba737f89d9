"""A referral's prefill (facts taken from the case's events) as labelled fields.

The facts are case data, so they leave the hub only as case views do: field by field through
the sharing policy, with a disclosure record (hub.sharing.disclose_fields). Each fact carries
its data category, the agency that supplied it and the case's flags; incident counts are split
by the agency that reported the incidents, so each supplier's controls apply to its own counts
and each supplier is notified of their disclosure.

A referral stores the labelled fields (``{"subjects": [...], "fields": [...]}``) so what was
referred is kept as it was; the hub's own ordering of an agenda reads the values directly.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.model import Case
from hub.views.case_view import CaseView, mark_names, text_subject
from hub.views.fields import ViewField
from hub.views.names import NamedPerson

YEAR = timedelta(days=365)
NOTE = "facts.note"  # the referrer's reason: supplied by the referring agency, not the case
# Data category of each fact (policies/hub/config/categories/data.json).
CATEGORIES = {"category": "case", "domestic_abuse": "domestic_abuse", "risk_level": "risk",
              "dash_score": "risk", "lead_agency": "case", "opened_at": "case", "open": "case",
              "legal_action": "case", "triggers": "risk", "note": "case"}


def is_domestic_abuse(case: Case) -> bool:
    return bool(case.flags.get("domestic_abuse")) or "domestic_abuse" in {
        case.category, case.category_after_investigation}


def _iso(moment: datetime | date) -> str:
    if isinstance(moment, datetime):
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return moment.isoformat()


def case_facts(view: CaseView, now: datetime) -> dict[str, Any]:
    """The stored prefill: the case's subjects and its facts as labelled fields."""
    case = view.case
    flags = {"domestic_abuse": is_domestic_abuse(case), "youth": bool(case.flags.get("youth"))}

    def fact(name: str, value: Any, supplier: str = case.agency,
             fact_flags: dict[str, bool] = flags, confidentiality: str = "standard"
             ) -> dict[str, Any]:
        return asdict(ViewField(f"facts.{name}", value, CATEGORIES.get(name, "incident"),
                                supplier, flags=fact_flags, confidentiality=confidentiality))

    found = [fact(name, value) for name, value in {
        "category": case.category_after_investigation or case.category,
        "domestic_abuse": flags["domestic_abuse"], "risk_level": case.risk_level,
        "dash_score": case.dash_score, "lead_agency": case.current_lead,
        "opened_at": _iso(case.opened_at), "open": case.is_open,
        "legal_action": bool(case.legal_action)}.items() if value is not None]
    by_agency: dict[str, list[Any]] = defaultdict(list)
    for incident in view.incidents:
        by_agency[incident.agency].append(incident)
    for agency, incidents in sorted(by_agency.items()):
        confidentiality = ("strict" if any(i.confidentiality == "strict" for i in incidents)
                           else "standard")
        agency_flags = {**flags, "domestic_abuse": flags["domestic_abuse"] or any(
            bool(i.flags.get("domestic_abuse")) for i in incidents)}
        recent = sum(1 for i in incidents if timedelta(0) <= now - i.occurred_at <= YEAR)
        for name, count in ((f"incidents.{agency}", len(incidents)),
                            (f"incidents_12m.{agency}", recent)):
            found.append(fact(name, count, agency, agency_flags, confidentiality))
    return {"subjects": view.subjects, "fields": found}


def with_referral(facts: dict[str, Any], *, supplier: str, triggers: list[str], note: str,
                  referrer: str, view: CaseView | None = None) -> dict[str, Any]:
    """The facts plus what the referral adds: the triggers that fired (risk indicators, from
    the case's supplier) and the referrer's reason (supplied by the referring agency). The
    reason is free text about the case's people: like a case summary it is the most protected
    party's data and is marked with the names it contains, for the release to redact."""
    flags: dict[str, bool] = next((f["flags"] for f in facts.get("fields", [])), {})
    extra = []
    if triggers:
        extra.append(asdict(ViewField("facts.triggers", list(triggers), "risk", supplier,
                                      flags=flags)))
    if note:
        about = text_subject(view.case.parties) if view else None
        reason = ViewField(NOTE, note, "case", referrer,
                           about["match_key"] if about else None,
                           about["role"] if about else None, flags=flags)
        extra.append(asdict(mark_names([reason], view.people if view else [])[0]))
    return {**facts, "fields": [*facts.get("fields", []), *extra]}


def fields(facts: dict[str, Any]) -> list[ViewField]:
    """The stored facts as fields (names stored as plain objects, or absent before they were
    marked)."""
    return [ViewField(**{**f, "names": tuple(NamedPerson(**p) for p in f.get("names") or ())})
            for f in facts.get("fields", [])]


def values(facts: dict[str, Any]) -> dict[str, Any]:
    """Flat values for the hub's own use (ranking an agenda), never for display: totals of
    the per-agency counts under ``incidents`` and ``incidents_12m``."""
    flat: dict[str, Any] = {"incidents": 0, "incidents_12m": 0}
    for f in facts.get("fields", []):
        name = f["path"].removeprefix("facts.")
        head, _, _agency = name.partition(".")
        if head in ("incidents", "incidents_12m"):
            flat[head] += int(f["value"])
        else:
            flat[name] = f["value"]
    return flat


def summary(released: dict[str, Any]) -> dict[str, Any]:
    """What a page shows of the released facts: totals over the released per-agency counts,
    and nothing the policy withheld (a withheld fact is simply absent)."""
    facts = dict(released.get("facts", {}))
    for name in ("incidents", "incidents_12m"):
        counts = facts.pop(name, None)
        if counts:
            facts[name] = sum(counts.values())
            facts.setdefault("agencies", set()).update(counts)
    if "agencies" in facts:
        facts["agencies"] = sorted(facts["agencies"])
    return facts
