"""The cross-agency case view: the lead agency's case plus every incident, from any agency,
about the same people (linked by match key) or named by the case."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from domain.model import Case, Incident
from domain.model.household import household_id
from hub.application import PartnershipHub
from hub.matching.people import linked_people
from hub.views import sensitive
from hub.views.fields import ViewField
from hub.views.names import NamedPerson, NameIndex
from hub.views.standing import (
    Standing,
    by_person,
    combined,
    most_protected,
    of_parties,
    standing_elsewhere,
)

# Which data category each part of a record belongs to (policies/hub/config/categories/data.json).
CASE_CATEGORIES = {"ref": "case", "agency": "case", "category": "case", "summary": "case",
                   "opened_at": "case", "lead_officer": "case", "triage_tier": "risk"}
INCIDENT_CATEGORIES = {"agency": "incident", "ref": "incident", "category": "incident",
                       "occurred_at": "incident", "summary": "incident"}
PARTY_CATEGORIES = {"role": "case", "name": "identity", "date_of_birth": "identity",
                    "contact": "contact"}
LOCATION_CATEGORIES = {"address": "address", "postcode": "address", "ward": "case",
                       "estate": "case"}
# Free text written about a record's people: it is their data (docs/policies.md "Identity
# protection by person"), and names in it are redacted on release (hub/sharing.py). A
# referral's reason (facts.note, hub/panels/facts.py) is free text too.
FREE_TEXT = frozenset({"summary", "note"})


@dataclass(frozen=True)
class CaseView:
    case: Case
    incidents: list[Incident]
    residents: list[sensitive.Resident] = field(default_factory=list)  # of its household
    # Each person's standing in every record the hub holds on them (and on everyone a
    # confirmed match links them with), beyond this view's records: build_case_view.
    elsewhere: dict[str, Standing] = field(default_factory=dict)

    @property
    def subjects(self) -> list[str]:
        keys = {p["match_key"] for p in self.case.parties}
        keys.update(p["match_key"] for i in self.incidents for p in i.parties)
        return sorted(keys)

    def standing(self, today: date) -> dict[str, Standing]:
        """Each person's most protected standing across the view's records and the hub's
        other records on them. A child of the case's household stands as the most protected
        adult of the household in the view: the child's name identifies her home."""
        found = combined(of_parties([*self.case.parties,
                                     *(p for i in self.incidents for p in i.parties),
                                     *(r.party for r in self.residents)]), self.elsewhere)
        in_view = set(self.subjects)
        adults = [found.get(r.party["match_key"], Standing()) for r in self.residents
                  if r.party["match_key"] in in_view
                  and not sensitive.is_minor(r.party.get("date_of_birth"), today)]
        household = most_protected(adults)
        for child in sensitive.children(self.residents, today):
            key = child.party["match_key"]
            found[key] = found.get(key, Standing()) | household
        return found

    def fields(self, today: date) -> list[ViewField]:
        """Every field of the view; then each person's fields get the person's standing
        (docs/policies.md "Identity protection by person")."""
        case = self.case
        found = _record_fields("case", case.agency, {
            "ref": case.ref, "agency": case.agency, "category": case.category,
            "summary": case.summary, "opened_at": case.opened_at.isoformat(),
            "lead_officer": case.lead_officer, "triage_tier": case.triage_tier,
        }, CASE_CATEGORIES, case.flags, "standard", case.location, case.parties, today)
        found += intervention_fields(case, today)
        found += sensitive.risk_fields(case, today)
        found += sensitive.child_fields(self.residents, today, case.flags)
        for n, incident in enumerate(self.incidents):
            found += _record_fields(f"incident.{n}", incident.agency, {
                "agency": incident.agency, "ref": incident.ref, "category": incident.category,
                "occurred_at": incident.occurred_at.isoformat(), "summary": incident.summary,
            }, INCIDENT_CATEGORIES, incident.flags, incident.confidentiality, incident.location,
                incident.parties, today)
            found += sensitive.hate_motivation_fields(f"incident.{n}", incident, today)
        return mark_names(by_person(found, self.standing(today)), self.people)

    @property
    def people(self) -> list[NamedPerson]:
        """Everyone the view's records name, once each, with the most protected role any
        record gives them: whose names the hub looks for in the view's free text."""
        return named_people([*self.case.parties,
                             *(p for i in self.incidents for p in i.parties)])


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

    about = text_subject(parties)
    found = [make(name, value, categories[name], about if name in FREE_TEXT else None)
             for name, value in values.items() if value is not None]
    home = _whose_place(parties)
    for name, value in (location or {}).items():
        if name in LOCATION_CATEGORIES and value:
            category = LOCATION_CATEGORIES[name]
            found.append(make(f"location.{name}", value, category,
                              home if category == "address" else None))
    for i, party in enumerate(parties):
        for name, category in PARTY_CATEGORIES.items():
            if party.get(name):
                found.append(make(f"party.{i}.{name}", party[name], category, party))
        found += sensitive.party_sensitive_fields(f"party.{i}", party, make)
    return found


# Whose place a record's location is, most protected first: someone who asked for anonymity,
# then a complainant or witness (seeds/002 L1208, L261, L316; seeds/000 L433), then a victim.
_PROTECTION_ORDER = ("complainant", "witness", "victim")


def _rank(party: dict[str, Any]) -> tuple[int, int]:
    role = party.get("role")
    return (0 if party.get("anonymity_requested") else 1,
            _PROTECTION_ORDER.index(role) if role in _PROTECTION_ORDER else 9)


def _whose_place(parties: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The person a record's address identifies: a party the record says lives there, else
    (the record does not say) the most protected party in it, so that the address is withheld
    wherever that person's identity would be. None for a record about nobody."""
    residents = [p for p in parties if p.get("lives_at_location")] or parties
    return min(residents, key=_rank) if residents else None


def text_subject(parties: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Whose data a record's free text is: its most protected party (the same order as
    ``_whose_place``), so a recipient that needs consent needs that person's, and their
    refusal withholds it. None for a record about nobody."""
    return min(parties, key=_rank) if parties else None


def named_people(parties: list[dict[str, Any]]) -> list[NamedPerson]:
    """One entry per person with a name, under the most protected role any record gives
    them (a complainant in one record and a victim in another is redacted as the
    complainant)."""
    best: dict[str, dict[str, Any]] = {}
    for party in parties:
        key, name = party.get("match_key"), party.get("name")
        if not key or not name:
            continue
        held = best.get(key)
        if held is None or _rank(party) < _rank(held):
            best[key] = {**party, "name": name}
    return [NamedPerson(key, str(p["role"]), str(p["name"])) for key, p in sorted(best.items())]


def mark_names(fields: list[ViewField], people: list[NamedPerson]) -> list[ViewField]:
    """Mark each free-text field with the people whose name (a given or family name, whole
    word, any case) it contains, so the release can redact the ones not released."""
    index, marked = NameIndex(people), []
    for f in fields:
        if f.path.rsplit(".", 1)[-1] in FREE_TEXT and isinstance(f.value, str):
            named = index.named_in(f.value)
            if named:
                f = replace(f, names=named)
        marked.append(f)
    return marked


def intervention_fields(case: Case, today: date) -> list[ViewField]:
    """The case's interventions: what and when, and when one is to be enforced. A scheduled
    date still to come carries ``enforcement_pending``, which the policy withholds from the
    witness and complainant side until the day has passed (seeds/002 L1728).
    An intervention is the data of the person it is against."""
    flags = {"domestic_abuse": bool(case.flags.get("domestic_abuse")),
             "youth": bool(case.flags.get("youth"))}
    roles = {p["match_key"]: p["role"] for p in case.parties}
    found = []
    for n, step in enumerate(case.interventions):
        prefix, against = f"case.intervention.{n}", step.get("against")
        whose = (against, roles.get(against)) if against else (None, None)
        found += [ViewField(f"{prefix}.kind", step["intervention"], "case", case.agency,
                            *whose, flags=flags),
                  ViewField(f"{prefix}.at", step["at"], "case", case.agency, *whose,
                            flags=flags)]
        if step.get("scheduled_for"):
            pending = date.fromisoformat(step["scheduled_for"]) >= today
            found.append(ViewField(f"{prefix}.scheduled_for", step["scheduled_for"], "case",
                                   case.agency, *whose,
                                   flags={**flags, "enforcement_pending": pending}))
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
        for person in linked_people(app, key):  # confirmed links join records (matching)
            refs.update((link.agency, link.ref) for link in person.links
                        if link.kind == "incident")
    incidents = [i for i in (app.incident(a, r) for a, r in sorted(refs)) if i is not None]
    incidents.sort(key=lambda i: (i.occurred_at, i.agency, i.ref))
    residents = _household_residents(app, case)
    keys = {*case.party_keys, *(p["match_key"] for i in incidents for p in i.parties),
            *(r.party["match_key"] for r in residents)}
    return CaseView(case, incidents, residents, standing_elsewhere(app, keys))


def _household_residents(app: PartnershipHub, case: Case) -> list[sensitive.Resident]:
    """The people the Household at the case's address holds, with their dates of birth."""
    key = (case.location or {}).get("match_key")
    household = app.get_or_none(household_id(key)) if key else None
    if household is None:
        return []

    def record(agency: str, ref: str) -> Case | Incident | None:
        return app.case(agency, ref) or app.incident(agency, ref)

    return sensitive.household_residents(household.members, record)


