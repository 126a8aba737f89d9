"""Columns that carry special category and criminal offence data (UK GDPR Art 9, Art 10), mapped
to the envelope's optional party and incident fields (docs/domain.md, "Sensitive facts").

Each column holds a ``|``-separated list; an entry the hub has no word for is rejected with the
words it knows, so the agency learns of it rather than the hub guessing what was meant.
"""

from __future__ import annotations

from typing import Any

from connectors.toolkit import Context, MappingError, birth_date, normalise_code, optional
from domain.contract import matchkeys

# Police hate crime strands (and common ways of writing them) -> the envelope's motivations.
MOTIVATIONS = {
    "race": "race", "racial": "race", "racist": "race", "ethnicity": "race",
    "religion": "religion", "faith": "religion", "religion or belief": "religion",
    "sexual orientation": "sexual_orientation", "homophobic": "sexual_orientation",
    "transgender": "gender_identity", "gender identity": "gender_identity",
    "transphobic": "gender_identity", "disability": "disability", "age": "age",
    "hiv": "hiv_status", "hiv status": "hiv_status", "mental health": "mental_health",
}
HEALTH_KINDS = {"physical": "physical", "physical health": "physical",
                "disability": "disability", "mental health": "mental_health",
                "mental_health": "mental_health"}
OUTCOMES = {"alleged", "charged", "cautioned", "convicted", "acquitted", "no_further_action"}


def _entries(record: dict[str, Any], name: str) -> list[str]:
    return [e.strip() for e in optional(record, name).split("|") if e.strip()]


def hate_motivation(record: dict[str, Any], name: str) -> list[str]:
    """``Race|Religion`` -> ``["race", "religion"]`` (seeds/002 L81 lists the strands)."""
    found = []
    for entry in _entries(record, name):
        motivation = MOTIVATIONS.get(normalise_code(entry))
        if motivation is None:
            raise MappingError(name, f"unknown hate motivation {entry!r}; known: "
                               f"{', '.join(sorted(MOTIVATIONS))}")
        if motivation not in found:
            found.append(motivation)
    return found


def health(record: dict[str, Any], name: str) -> list[dict[str, str]]:
    """``Mental health: anxiety|Disability`` -> ``[{"kind": "mental_health", "note": ...}]``."""
    found = []
    for entry in _entries(record, name):
        kind_text, _, note = entry.partition(":")
        kind = HEALTH_KINDS.get(normalise_code(kind_text))
        if kind is None:
            raise MappingError(name, f"unknown kind of health need {kind_text.strip()!r}; "
                               f"known: {', '.join(sorted(HEALTH_KINDS))}")
        found.append({"kind": kind, **({"note": note.strip()[:200]} if note.strip() else {})})
    return found


def previous_offences(record: dict[str, Any], name: str) -> list[dict[str, str]]:
    """``Common assault:convicted:2023-05-01|Harassment`` -> offence, outcome and date."""
    found = []
    for entry in _entries(record, name):
        offence, *rest = [part.strip() for part in entry.split(":")]
        item = {"offence": offence[:200]}
        if rest and rest[0]:
            outcome = normalise_code(rest[0]).replace(" ", "_")
            if outcome not in OUTCOMES:
                raise MappingError(name, f"unknown outcome {rest[0]!r}; known: "
                                   f"{', '.join(sorted(OUTCOMES))}")
            item["outcome"] = outcome
        if len(rest) > 1 and rest[1]:
            item["on"] = _date(name, rest[1])
        found.append(item)
    return found


def household_children(ctx: Context, record: dict[str, Any], name: str,
                       role: str) -> list[dict[str, Any]]:
    """``Name yyyy-mm-dd|...``: children living at the case's address, as parties with match
    keys who live there, so the hub's Household knows them (hub/views/sensitive.py)."""
    found = []
    key = ctx.partnership_key
    for entry in _entries(record, name):
        child, _, dob_text = entry.rpartition(" ")
        if not child.strip():
            raise MappingError(name, f"{entry!r}: give a name and a date of birth")
        dob = _date(name, dob_text)
        found.append({"role": role, "match_key": matchkeys.person_key(key, child.strip(), dob),
                      "name_key": matchkeys.name_key(key, child.strip()),
                      "dob_key": matchkeys.dob_key(key, dob), "name": child.strip(),
                      "date_of_birth": dob, "lives_at_location": True})
    return found


def _date(name: str, text: str) -> str:
    return birth_date({name: text}, name)
