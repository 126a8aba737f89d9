"""The cross-agency case view: the lead agency's case plus every incident, from any agency,
about the same people (linked by match key) or named by the case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.model import Case, Incident
from hub.application import PartnershipHub
from hub.views.fields import ViewField

# Which data category each part of a record belongs to (policies/hub/config/categories/data.json).
CASE_CATEGORIES = {"ref": "case", "agency": "case", "category": "case", "summary": "case",
                   "opened_at": "case", "lead_officer": "case", "triage_tier": "risk"}
INCIDENT_CATEGORIES = {"agency": "incident", "ref": "incident", "category": "incident",
                       "occurred_at": "incident", "summary": "incident"}
PARTY_CATEGORIES = {"role": "case", "name": "identity", "date_of_birth": "identity",
                    "contact": "contact"}
LOCATION_CATEGORIES = {"address": "address", "postcode": "address", "ward": "case",
                       "estate": "case"}


@dataclass(frozen=True)
class CaseView:
    case: Case
    incidents: list[Incident]

    @property
    def subjects(self) -> list[str]:
        keys = {p["match_key"] for p in self.case.parties}
        keys.update(p["match_key"] for i in self.incidents for p in i.parties)
        return sorted(keys)

    def fields(self, today: date) -> list[ViewField]:
        case = self.case
        found = _record_fields("case", case.agency, {
            "ref": case.ref, "agency": case.agency, "category": case.category,
            "summary": case.summary, "opened_at": case.opened_at.isoformat(),
            "lead_officer": case.lead_officer, "triage_tier": case.triage_tier,
        }, CASE_CATEGORIES, case.flags, "standard", case.location, case.parties, today)
        for n, incident in enumerate(self.incidents):
            found += _record_fields(f"incident.{n}", incident.agency, {
                "agency": incident.agency, "ref": incident.ref, "category": incident.category,
                "occurred_at": incident.occurred_at.isoformat(), "summary": incident.summary,
            }, INCIDENT_CATEGORIES, incident.flags, incident.confidentiality, incident.location,
                incident.parties, today)
        return found


def _record_fields(prefix: str, supplier: str, values: dict[str, Any],
                   categories: dict[str, str], flags: dict[str, bool], confidentiality: str,
                   location: dict[str, Any] | None, parties: list[dict[str, Any]],
                   today: date) -> list[ViewField]:
    record_flags = {"domestic_abuse": bool(flags.get("domestic_abuse")),
                    "youth": bool(flags.get("youth"))}

    def make(path: str, value: Any, category: str, party: dict[str, Any] | None = None
             ) -> ViewField:
        if category in {"case", "incident"} and record_flags["domestic_abuse"] \
                and path.endswith("summary"):
            category = "domestic_abuse"  # seeds/002 L1976: DA records are need-to-know
        field_flags = dict(record_flags)
        if party is not None:
            field_flags["anonymity_requested"] = bool(party.get("anonymity_requested"))
            field_flags["youth"] = field_flags["youth"] or _is_minor(party, today)
        return ViewField(f"{prefix}.{path}", value, category, supplier,
                         party["match_key"] if party else None,
                         party["role"] if party else None, field_flags, confidentiality)

    found = [make(name, value, categories[name]) for name, value in values.items()
             if value is not None]
    for name, value in (location or {}).items():
        if name in LOCATION_CATEGORIES and value:
            found.append(make(f"location.{name}", value, LOCATION_CATEGORIES[name]))
    for i, party in enumerate(parties):
        for name, category in PARTY_CATEGORIES.items():
            if party.get(name):
                found.append(make(f"party.{i}.{name}", party[name], category, party))
    return found


def _is_minor(party: dict[str, Any], today: date) -> bool:
    dob = party.get("date_of_birth")
    if not dob:
        return False
    born = date.fromisoformat(dob)
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age < 18


def build_case_view(app: PartnershipHub, agency: str, ref: str) -> CaseView | None:
    case = app.case(agency, ref)
    if case is None:
        return None
    refs = {(r["agency"], r["ref"]) for r in case.incident_refs}
    for key in case.party_keys:
        person = app.person(key)
        if person is not None:
            refs.update((link.agency, link.ref) for link in person.links
                        if link.kind == "incident")
    incidents = [i for i in (app.incident(a, r) for a, r in sorted(refs)) if i is not None]
    incidents.sort(key=lambda i: (i.occurred_at, i.agency, i.ref))
    return CaseView(case, incidents)


