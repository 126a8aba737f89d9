"""The case view's special category, criminal offence and risk fields, and the children in the
household: each labelled with its data category and the person it is about, so the Schedule 1
conditions, explicit consent, the domestic abuse and youth rules and identity protection decide
it (docs/domain.md, "Sensitive facts"; docs/policies.md, "Data categories").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.model import Case, Incident
from domain.rules import dash
from hub.views.fields import ViewField

# A party's sensitive facts and their categories (UK GDPR Art 9, Art 10).
PARTY_SENSITIVE_CATEGORIES = {"ethnicity": "ethnicity", "religion": "special_category",
                              "sexual_orientation": "special_category"}
# A hate incident's motivation reveals the victim's (perceived) characteristic (seeds/002 L81):
# race is ethnic origin, disability, HIV status and mental health are health, religion, sexual
# orientation and gender identity are other special category data; age is not special.
HATE_MOTIVATION_CATEGORIES = {"race": "ethnicity", "religion": "special_category",
                              "sexual_orientation": "special_category",
                              "gender_identity": "special_category", "disability": "health",
                              "hiv_status": "health", "mental_health": "health",
                              "age": "incident"}
# Whose characteristic a hate motivation is, most likely first.
_TARGETED_ROLES = ("victim", "complainant")

Make = Callable[..., ViewField]


def party_sensitive_fields(prefix: str, party: dict[str, Any], make: Make) -> list[ViewField]:
    """Health (with kind), ethnicity, religion, sexual orientation and previous offences of one
    party, through the record's own field maker so the party's flags and role apply."""
    found = [make(f"{prefix}.{name}", party[name], category, party)
             for name, category in PARTY_SENSITIVE_CATEGORIES.items() if party.get(name)]
    for n, entry in enumerate(party.get("health") or []):
        found += [make(f"{prefix}.health.{n}.{part}", entry[part], "health", party)
                  for part in ("kind", "note") if entry.get(part)]
    for n, entry in enumerate(party.get("previous_offences") or []):
        found += [make(f"{prefix}.previous_offences.{n}.{part}", entry[part],
                       "criminal_offence", party)
                  for part in ("offence", "on", "outcome") if entry.get(part)]
    return found


def person_field(path: str, value: Any, category: str, supplier: str,
                 party: dict[str, Any] | None, record_flags: dict[str, Any],
                 confidentiality: str, today: date, **flags: bool) -> ViewField:
    """A field about one party (or the record, with no party), flagged as the record and the
    party are: domestic abuse, youth (the record's flag or the party under 18), anonymity."""
    field_flags = {"domestic_abuse": bool(record_flags.get("domestic_abuse")),
                   "youth": bool(record_flags.get("youth"))}
    if party is not None:
        field_flags["anonymity_requested"] = bool(party.get("anonymity_requested"))
        field_flags["youth"] = field_flags["youth"] or is_minor(party.get("date_of_birth"),
                                                                today)
    field_flags.update(flags)
    return ViewField(path, value, category, supplier,
                     party["match_key"] if party else None, party["role"] if party else None,
                     field_flags, confidentiality)


def hate_motivation_fields(prefix: str, incident: Incident, today: date) -> list[ViewField]:
    """One field per motivation, labelled with the category it reveals, about the victim."""
    motivations = incident.hate_motivation
    target = _first_in_role(incident.parties, _TARGETED_ROLES)
    return [person_field(f"{prefix}.hate_motivation.{n}", motivation,
                         HATE_MOTIVATION_CATEGORIES.get(motivation, "special_category"),
                         incident.agency, target, incident.flags, incident.confidentiality, today)
            for n, motivation in enumerate(motivations)]


def risk_fields(case: Case, today: date) -> list[ViewField]:
    """The DASH score, each yes answer (with its wording) and the risk summary, flagged as
    domestic abuse (the checklist is a domestic abuse risk assessment, seeds/002 L2018-2022).
    Most answers are the victim's risk; those about the perpetrator's health or offending carry
    that category and the perpetrator as subject."""
    agency = case.current_lead
    victim = _risk_subject(case.parties, today)
    perpetrator = _first_in_role(case.parties, ("alleged_perpetrator",))

    def field(path: str, value: Any, category: str, party: dict[str, Any] | None
              ) -> ViewField:
        return person_field(f"case.risk.{path}", value, category, agency, party, case.flags,
                            "standard", today, domestic_abuse=True)

    found = []
    if case.risk_level is not None:
        found.append(field("level", case.risk_level, "risk", victim))
    if case.dash_score is not None:
        found.append(field("dash_score", case.dash_score, "risk", victim))
    for answer in case.dash_answers or []:
        question = dash.QUESTIONS[answer]
        about = perpetrator if question.about == "alleged_perpetrator" else victim
        found.append(field(f"dash_answers.{answer}", question.wording, question.category,
                           about))
    if case.risk_summary:
        found.append(field("summary", case.risk_summary, "risk", victim))
    return found


@dataclass(frozen=True)
class Resident:
    """A household member with a date of birth, as the record that names them says."""

    party: dict[str, Any]
    agency: str  # the agency whose record gives the name and date of birth


def children(residents: list[Resident], today: date) -> list[Resident]:
    """The household's members under 18 today."""
    return [r for r in residents if is_minor(r.party.get("date_of_birth"), today)]


def child_fields(residents: list[Resident], today: date,
                 record_flags: dict[str, Any]) -> list[ViewField]:
    """Identifying data about the children in the case's household, flagged youth and as the
    case is (a domestic abuse case's household is under its consent gate, seeds/002 L447): the
    youth rules and identity protection apply to them as to any party. The view then gives
    them the standing of the household's most protected adult (case_view ``standing``)."""
    found = []
    for n, child in enumerate(children(residents, today)):
        for name in ("name", "date_of_birth"):
            if child.party.get(name):
                found.append(person_field(f"household.child.{n}.{name}", child.party[name],
                                          "identity", child.agency, child.party, record_flags,
                                          "standard", today, youth=True))
    return found


def household_residents(members: dict[str, list[str]],
                        record: Callable[[str, str], Any]) -> list[Resident]:
    """Each member's date of birth from the records saying they live there (``agency:ref``),
    the first that gives one."""
    residents = []
    for key in sorted(members):
        for ref in members[key]:
            agency, _, local = ref.partition(":")
            found = record(agency, local)
            party = next((p for p in getattr(found, "parties", [])
                          if p["match_key"] == key and p.get("date_of_birth")), None)
            if party is not None:
                residents.append(Resident(party, agency))
                break
    return residents


def is_minor(date_of_birth: str | None, today: date) -> bool:
    if not date_of_birth:
        return False
    born = date.fromisoformat(date_of_birth)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day)) < 18


def _risk_subject(parties: list[dict[str, Any]], today: date) -> dict[str, Any] | None:
    """Whose risk the DASH is: the adult victim who answered it (the case's victim, else its
    complainant, who is not a child), not a child of the household; any victim or complainant
    if no adult one is named."""
    adults = [p for p in parties if not is_minor(p.get("date_of_birth"), today)]
    return _first_in_role(adults, ("victim", "complainant")) \
        or _first_in_role(parties, ("victim", "complainant"))


def _first_in_role(parties: list[dict[str, Any]], roles: tuple[str, ...]
                   ) -> dict[str, Any] | None:
    for role in roles:
        for party in parties:
            if party.get("role") == role:
                return party
    return None
