"""Special category, criminal offence and DASH fields, and the children in a household: carried
by the events, kept by the aggregates and labelled by the case view with category and subject."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from domain.contract import matchkeys
from domain.contract.envelope import EnvelopeError
from hub.application import PartnershipHub
from hub.recorders.base import RecordRefused
from hub.views.case_view import build_case_view
from hub.views.fields import ViewField
from tests.domain.conftest import KEY, T0, Send, change, opened, person

HOME = matchkeys.location_key(KEY, address="Flat 9 Example Court", postcode="ZZ1 1AB")
TODAY = date(2026, 11, 25)


def at_home() -> dict[str, Any]:
    return {"match_key": HOME, "address": "Flat 9 Example Court", "postcode": "ZZ1 1AB"}


def by_path(fields: list[ViewField]) -> dict[str, ViewField]:
    return {f.path: f for f in fields}


@pytest.fixture
def case_with_everything(hub: PartnershipHub, send: Send) -> dict[str, Any]:
    victim = {**person("Dee Ashcombe", "1985-03-04", "victim"), "name": "Dee Ashcombe",
              "lives_at_location": True,
              "health": [{"kind": "mental_health", "note": "anxiety since the assaults"},
                         {"kind": "disability"}],
              "ethnicity": "Black British", "religion": "Muslim"}
    perpetrator = {**person("Ed Brash", "1982-01-01", "alleged_perpetrator"),
                   "previous_offences": [{"offence": "common assault", "on": "2023-05-01",
                                          "outcome": "convicted"}],
                   "sexual_orientation": "gay"}
    child = {**person("Fay Ashcombe", "2015-06-07", "witness"), "name": "Fay Ashcombe",
             "date_of_birth": "2015-06-07", "lives_at_location": True}
    adult = {**person("Gus Ashcombe", "2000-06-07", "witness"), "name": "Gus Ashcombe",
             "date_of_birth": "2000-06-07", "lives_at_location": True}
    send("case.opened", {**opened("S1", [victim, perpetrator]), "location": at_home(),
                         "category": "domestic_abuse"})
    send("incident.reported", {
        "record": {"ref": "HC-1", "version": 1}, "occurred_at": T0.isoformat(),
        "reported_at": T0.isoformat(), "category": "hate_related",
        "summary": "Abuse shouted in the stairwell", "parties": [victim, perpetrator],
        "hate_motivation": ["race", "religion", "age"]}, agency="met-police")
    send("incident.reported", {
        "record": {"ref": "N-9", "version": 1}, "occurred_at": T0.isoformat(),
        "reported_at": T0.isoformat(), "category": "noise", "summary": "Shouting at night",
        "parties": [child, adult], "location": at_home()}, agency="wcc-noise")
    send("case.risk.assessed", change(2, ref="S1", dash_answers=["q1", "q5", "q14", "q24"],
                                      risk_summary="Threats to kill; safety plan agreed"))
    return {"victim": victim, "perpetrator": perpetrator, "child": child, "adult": adult}


def test_each_sensitive_field_carries_its_category_and_subject(
        hub: PartnershipHub, case_with_everything: dict[str, Any]) -> None:
    people = case_with_everything
    view = build_case_view(hub, "wcc-housing", "S1")
    assert view is not None
    fields = by_path(view.fields(TODAY))
    victim, perp = people["victim"]["match_key"], people["perpetrator"]["match_key"]

    def label(path: str) -> tuple[str, str | None, str | None]:
        f = fields[path]
        return f.category, f.subject, f.subject_role

    assert label("case.party.0.health.0.kind") == ("health", victim, "victim")
    assert fields["case.party.0.health.0.note"].value == "anxiety since the assaults"
    assert label("case.party.0.health.1.kind") == ("health", victim, "victim")
    assert label("case.party.0.ethnicity") == ("ethnicity", victim, "victim")
    assert label("case.party.0.religion") == ("special_category", victim, "victim")
    assert label("case.party.1.sexual_orientation") == ("special_category", perp,
                                                   "alleged_perpetrator")
    assert label("case.party.1.previous_offences.0.offence") == ("criminal_offence", perp,
                                                             "alleged_perpetrator")
    assert fields["case.party.1.previous_offences.0.outcome"].value == "convicted"

    hate = [p for p in fields if ".hate_motivation." in p]
    assert sorted(label(p)[0] for p in hate) == ["ethnicity", "incident", "special_category"]
    assert all(label(p)[1:] == (victim, "victim") for p in hate)


def test_dash_answers_score_and_summary_are_domestic_abuse_risk(
        hub: PartnershipHub, case_with_everything: dict[str, Any]) -> None:
    victim = case_with_everything["victim"]["match_key"]
    perp = case_with_everything["perpetrator"]["match_key"]
    case = hub.case("wcc-housing", "S1")
    assert case is not None and case.dash_score == 4 and case.risk_level == "standard"
    view = build_case_view(hub, "wcc-housing", "S1")
    assert view is not None
    fields = by_path(view.fields(TODAY))
    risk = {p: f for p, f in fields.items() if p.startswith("case.risk.")}
    assert set(risk) == {"case.risk.level", "case.risk.dash_score", "case.risk.summary",
                         "case.risk.dash_answers.q1", "case.risk.dash_answers.q5",
                         "case.risk.dash_answers.q14", "case.risk.dash_answers.q24"}
    assert all(f.flags["domestic_abuse"] for f in risk.values())
    assert risk["case.risk.dash_score"].value == 4
    assert risk["case.risk.dash_answers.q14"].value.startswith("Has the abuser threatened")
    assert (risk["case.risk.dash_answers.q1"].category,
            risk["case.risk.dash_answers.q1"].subject) == ("risk", victim)
    assert (risk["case.risk.dash_answers.q5"].category,
            risk["case.risk.dash_answers.q5"].subject) == ("health", victim)
    assert (risk["case.risk.dash_answers.q24"].category,
            risk["case.risk.dash_answers.q24"].subject_role) == ("criminal_offence",
                                                                 "alleged_perpetrator")
    assert risk["case.risk.dash_answers.q24"].subject == perp


def test_children_in_the_household_are_identifying_youth_fields(
        hub: PartnershipHub, case_with_everything: dict[str, Any]) -> None:
    child = case_with_everything["child"]
    view = build_case_view(hub, "wcc-housing", "S1")
    assert view is not None
    kids = {p: f for p, f in by_path(view.fields(TODAY)).items()
            if p.startswith("household.child.")}
    assert set(kids) == {"household.child.0.name", "household.child.0.date_of_birth"}
    name = kids["household.child.0.name"]
    assert (name.value, name.category, name.subject, name.subject_role, name.supplier) == (
        "Fay Ashcombe", "identity", child["match_key"], "witness", "wcc-noise")
    assert name.flags["youth"] is True
    # the adult member is not a child, and a child turns 18: no longer listed
    later = by_path(view.fields(date(2033, 6, 7)))
    assert not any(p.startswith("household.child.") for p in later)


def test_a_dash_score_that_does_not_count_the_answers_is_refused(
        hub: PartnershipHub, send: Send) -> None:
    send("case.opened", opened("S2"))
    with pytest.raises(RecordRefused) as refused:
        send("case.risk.assessed", change(2, ref="S2", dash_score=15,
                                          dash_answers=["q1", "q2"]))
    assert refused.value.reason == "dash-score-mismatch"
    send("case.risk.assessed", change(2, ref="S2", dash_score=2, dash_answers=["q1", "q2"]))
    assert hub.case("wcc-housing", "S2").dash_answers == ["q1", "q2"]  # type: ignore[union-attr]


def test_the_schemas_refuse_unknown_questions_and_motivations(send: Send) -> None:
    send("case.opened", opened("S3"))
    with pytest.raises(EnvelopeError):
        send("case.risk.assessed", change(2, ref="S3", dash_answers=["q25"]))
    with pytest.raises(EnvelopeError):
        send("incident.reported", {
            "record": {"ref": "HC-2", "version": 1}, "occurred_at": T0.isoformat(),
            "reported_at": T0.isoformat(), "category": "hate_related", "summary": "x",
            "parties": [], "hate_motivation": ["football_club"]})
