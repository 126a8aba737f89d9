"""Every field of the case view about a person carries the person's most protected standing:
the best role any record the hub holds gives them (complainant > witness > victim >
alleged_perpetrator) and anonymity asked in any record, confirmed links followed; a child of
the household stands as its most protected adult; the DASH is the adult victim's
(docs/policies.md "Identity protection by person")."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.contract import matchkeys
from hub.application import PartnershipHub
from hub.views.case_view import build_case_view
from hub.views.family_view import build_family_view
from hub.views.fields import ViewField
from tests.domain.conftest import KEY, T0, Send, change, opened, person

TODAY = date(2026, 11, 25)
HOME = {"match_key": matchkeys.location_key(KEY, address="3 Kite Row", postcode="ZZ1 3KR"),
        "address": "3 Kite Row", "postcode": "ZZ1 3KR"}


def named(name: str, dob: str, role: str, **extra: Any) -> dict[str, Any]:
    return {**person(name, dob, role), "name": name, "date_of_birth": dob, **extra}


def incident(ref: str, parties: list[dict[str, Any]]) -> dict[str, Any]:
    return {"record": {"ref": ref, "version": 1}, "occurred_at": T0.isoformat(),
            "reported_at": T0.isoformat(), "category": "noise", "summary": "Banging",
            "parties": parties}


def about(fields: list[ViewField], key: str) -> list[ViewField]:
    return [f for f in fields if f.subject == key]


def test_the_most_protected_role_and_anonymity_anywhere_hold_in_every_field(
        hub: PartnershipHub, send: Send) -> None:
    nell = named("Nell Quarry", "1979-03-14", "complainant")
    rab = named("Rab Dune", "1988-08-08", "alleged_perpetrator")
    send("case.opened", opened("N1", [nell, rab]))
    # a counter-allegation names her as its perpetrator, him as its complainant
    send("incident.reported", incident("X1", [{**nell, "role": "alleged_perpetrator"},
                                              {**rab, "role": "complainant"}]),
         agency="wcc-asb")
    # another record the view does not show: he asked the police for anonymity
    send("case.opened", opened("P9", [{**rab, "role": "witness",
                                       "anonymity_requested": True}]), agency="met-police")
    view = build_case_view(hub, "wcc-housing", "N1")
    assert view is not None and len(view.incidents) == 1
    fields = view.fields(TODAY)
    hers, his = about(fields, nell["match_key"]), about(fields, rab["match_key"])
    assert {f.path for f in hers} >= {"case.party.0.name", "incident.0.party.0.name"}
    assert {f.subject_role for f in hers} == {"complainant"}
    assert not any(f.flags.get("anonymity_requested") for f in hers)
    assert {f.subject_role for f in his} == {"complainant"}
    assert all(f.flags["anonymity_requested"] for f in his)


def test_a_confirmed_link_carries_protection_across_match_keys(
        hub: PartnershipHub, send: Send) -> None:
    """The same woman under two keys (a misspelt name): once a match is confirmed, the
    anonymity she asked for under one key holds for the other."""
    ann = named("Ann Leigh", "1990-05-05", "victim")
    anne = named("Anne Leigh", "1990-05-05", "victim", anonymity_requested=True)
    send("case.opened", opened("L1", [ann]))
    send("case.opened", opened("L2", [anne]), agency="met-police")
    view = build_case_view(hub, "wcc-housing", "L1")
    assert view is not None
    assert not any(f.flags.get("anonymity_requested") for f in view.fields(TODAY))
    survivor, merged = hub.person(ann["match_key"]), hub.person(anne["match_key"])
    assert survivor is not None and merged is not None
    merged.merge_into(into=ann["match_key"], proposal="p1", by="test")
    survivor.absorb(key=anne["match_key"], proposal="p1")
    hub.save(survivor, merged)
    view = build_case_view(hub, "wcc-housing", "L1")
    assert view is not None
    names = [f for f in view.fields(TODAY) if f.path == "case.party.0.name"]
    assert [f.flags["anonymity_requested"] for f in names] == [True]


def test_household_child_has_the_case_flags_and_the_standing_of_its_protected_adult(
        hub: PartnershipHub, send: Send) -> None:
    mum = named("Nell Quarry", "1979-03-14", "complainant", lives_at_location=True)
    kid = named("Sam Quarry", "2012-01-01", "victim", lives_at_location=True)
    rab = named("Rab Dune", "1988-08-08", "alleged_perpetrator")
    send("case.opened", {**opened("D1", [kid, mum, rab]), "location": HOME,
                         "category": "domestic_abuse", "flags": {"domestic_abuse": True}})
    send("case.risk.assessed", change(2, ref="D1", dash_answers=["q1", "q2"],
                                      risk_summary="Frightened; moved to her sister"))
    view = build_case_view(hub, "wcc-housing", "D1")
    assert view is not None
    fields = {f.path: f for f in view.fields(TODAY)}
    child = [f for p, f in fields.items() if p.startswith("household.child.")]
    assert [f.value for f in child if f.path.endswith(".name")] == ["Sam Quarry"]
    assert all(f.flags["domestic_abuse"] and f.flags["youth"] for f in child)
    assert {f.subject_role for f in child} == {"complainant"}
    # his fields in the case itself stand as hers too: his name identifies her home
    assert fields["case.party.0.name"].subject_role == "complainant"
    # the DASH is the adult's (she answered it), not the first victim named (the child)
    for path in ("case.risk.dash_answers.q1", "case.risk.summary"):
        assert fields[path].subject == mum["match_key"]


def test_a_relative_in_the_family_view_stands_as_in_every_record_on_them(
        hub: PartnershipHub, send: Send) -> None:
    """The nominal's brother is a witness who asked the police for anonymity in another
    record: his family entry is protected as he is there (GMAP family, seeds/002 L890)."""
    from tests.domain.test_family import BROTHER, gang_case, someone, tie
    gang_case(send)
    send("person.relationship.recorded", tie("R1", BROTHER, "sibling"), agency="met-police")
    view = build_family_view(hub, "wcc-asb", "G1", 1, "alleged_perpetrator", TODAY)
    assert view is not None
    name = next(f for f in view.fields(TODAY) if f.path == "family.0.name")
    assert (name.subject_role, name.flags["anonymity_requested"]) == ("alleged_perpetrator",
                                                                     False)
    brother = {**person(*BROTHER, "witness"), "anonymity_requested": True}
    assert brother["match_key"] == someone(BROTHER)["match_key"]
    send("incident.reported", incident("W4", [brother]), agency="met-police")
    view = build_family_view(hub, "wcc-asb", "G1", 1, "alleged_perpetrator", TODAY)
    assert view is not None
    name = next(f for f in view.fields(TODAY) if f.path == "family.0.name")
    assert (name.subject_role, name.flags["anonymity_requested"]) == ("witness", True)
