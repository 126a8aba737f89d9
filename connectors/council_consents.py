"""Council consent records: a person's consent, refusal or withdrawal, as the council's case
management system records it (the consent form at a domestic abuse interview, seeds/002
L1988-1990; permission for the MARAC form, L2022; agreement to an ADVANCE referral, L2026;
the mediation data consent form, L1451).

Posted as JSON to the council webhook receiver at ``/webhook/consents`` (same HMAC as cases),
or replayed from a file with ``run council-consents``. Each record maps to ``consent.given``,
``consent.refused`` or ``consent.withdrawn``; the person is sent as a match key only (their
name and date of birth never leave the council). A record is never amended: withdraw it and
record the new answer under a new ``consentId``. Mapping document:
docs/connectors/council-webhook.md#consent-records.
"""

from __future__ import annotations

from typing import Any

from connectors.toolkit import (
    ConnectorSpec,
    Context,
    MappingError,
    birth_date,
    lookup,
    normalise_code,
    optional,
    read_json_records,
    required,
    timestamp,
)
from domain.contract import matchkeys
from domain.contract.envelope import Envelope, new_envelope

NAME = "council-consents"
DECISIONS = {"given": "consent.given", "refused": "consent.refused",
             "withdrawn": "consent.withdrawn"}
GIVERS = {"self": "subject", "the person": "subject", "parent": "parental_responsibility",
          "parental responsibility": "parental_responsibility", "guardian": "guardian",
          "attorney": "lasting_power_of_attorney",
          "lasting power of attorney": "lasting_power_of_attorney",
          "deputy": "court_appointed_deputy", "court appointed deputy": "court_appointed_deputy"}
METHODS = {"signed form": "written", "written": "written", "verbal": "verbal",
           "verbal (recorded)": "recorded_verbal", "recorded verbal": "recorded_verbal",
           "e-signature": "electronic_signature", "electronic signature": "electronic_signature",
           "portal": "portal"}
PURPOSES = {"marac": "marac", "safeguarding": "safeguarding",
            "case management": "asb_case_management", "hccp": "hccp",
            "complex case panel": "hccp", "case review": "asb_case_review",
            "community trigger": "asb_case_review", "gmap": "gmap",
            "legal proceedings": "legal_proceedings"}
KINDS = {"support services": "support", "children's services": "childrens_services",
         "adult services": "adult_services", "police": "police", "housing": "housing",
         "health": "health", "council": "council", "probation": "probation", "fire": "fire",
         "youth justice": "youth_justice", "mediation": "mediator"}
INFORMATION = {"identity": "identity", "contact details": "contact", "address": "address",
               "incidents": "incident", "case": "case", "risk assessment": "risk",
               "health": "health", "ethnicity": "ethnicity",
               "special category": "special_category", "criminal offences": "criminal_offence",
               "police intelligence": "police_intelligence", "mediation": "mediation",
               "domestic abuse": "domestic_abuse"}


def _codes(record: dict[str, Any], name: str, table: dict[str, str], what: str) -> list[str]:
    """A list of the council's codes mapped to the hub's words; rejects name the entry."""
    values = record.get(name) or []
    if not isinstance(values, list):
        raise MappingError(name, "must be a list")
    found = []
    for index, value in enumerate(values):
        code = table.get(normalise_code(str(value)))
        if code is None:
            raise MappingError(f"{name}[{index}]", f"unknown {what} {value!r}; known: "
                                                   f"{', '.join(sorted(table))}")
        found.append(code)
    return found


def _agencies(record: dict[str, Any], name: str) -> list[str]:
    """Agencies by their partnership id, as the hub knows them (the hub refuses an unknown
    one: the connector does not hold the partnership's list)."""
    values = record.get(name) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise MappingError(name, "must be a list of agency ids, e.g. [\"advance-idva\"]")
    return [v.strip() for v in values]


def _subject(record: dict[str, Any], ctx: Context) -> str:
    person = record.get("person")
    if not isinstance(person, dict):
        raise MappingError("person", "required: the person's fullName and dob")
    try:
        name, dob = required(person, "fullName"), birth_date(person, "dob")
    except MappingError as exc:
        raise MappingError(f"person.{exc.field}", exc.reason) from None
    return matchkeys.person_key(ctx.partnership_key, name, dob)


def to_envelope(record: dict[str, Any], ctx: Context) -> Envelope:
    if "_not_an_object" in record:
        raise MappingError("(consent)", "each consent record must be a JSON object")
    ref = required(record, "consentId")
    event_type = DECISIONS[lookup({k: k for k in DECISIONS}, record, "decision", "decision")]
    subject = _subject(record, ctx)
    data: dict[str, Any] = {"subject": {"match_key": subject},
                            "given_by": lookup(GIVERS, {"givenBy": record.get("givenBy")
                                                        or "Self"}, "givenBy", "giver")}
    officer = record.get("officer")
    if isinstance(officer, dict) and officer.get("name"):
        data["officer"] = str(officer["name"])
    if event_type == "consent.withdrawn":
        owner = optional(record, "consentAgency") or ctx.agency
        data["consent"] = {"ref": ref, **({"agency": owner} if owner != ctx.agency else {})}
        data["withdrawn_at"] = timestamp(record, "recordedAt")
        data["reason"] = required(record, "reason")
        event_id = f"{ctx.agency}:{event_type}:{owner}:{ref}"
    else:
        data["consent"] = {"ref": ref}
        data["method"] = lookup(METHODS, record, "method", "method")
        data["collected_at"] = timestamp(record, "recordedAt")
        if optional(record, "expiresAt"):
            data["expires_at"] = timestamp(record, "expiresAt")
        if optional(record, "reason"):
            data["note"] = optional(record, "reason")
        scope: dict[str, Any] = {
            "purposes": _codes(record, "purposes", PURPOSES, "purpose"),
            "recipients": _agencies(record, "shareWith"),
            "recipient_kinds": _codes(record, "shareWithTypes", KINDS, "kind of agency"),
            "categories": _codes(record, "information", INFORMATION, "kind of information"),
            "explicit": bool(record.get("explicit"))}
        data["scope"] = {k: v for k, v in scope.items() if v or k == "explicit"}
        event_id = f"{ctx.agency}:{event_type}:{ref}"
    return new_envelope(event_id=event_id, source=ctx.source, event_type=event_type,
                        subject=subject, agency=ctx.agency, data=data)


SPEC = ConnectorSpec(NAME, read_json_records, to_envelope,
                     "council consent records (JSON by webhook, /webhook/consents)",
                     ref_field="consentId")
