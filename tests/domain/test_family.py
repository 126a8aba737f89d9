"""Family ties: recorded, changed and ended by the agency that holds them; refused when the hub
could not use them truthfully; read back as a nominal's family, labelled for the policy."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from domain.contract.envelope import new_envelope
from domain.contract.schemas import validate
from domain.model.family import Family, Relationship, family_id, relationship_id
from hub.application import PartnershipHub
from hub.recorders import RecordRefused
from hub.views.family_view import build_family_view
from tests.domain.conftest import T0, Send, opened, person

NOMINAL = ("Jory Fenhallow", "2006-02-03")
BROTHER = ("Kit Fenhallow", "2012-04-05")  # under 18 on TODAY
MOTHER = ("Nell Fenhallow", "1975-06-07")
EX = ("Pia Rookhaven", "2005-08-09")
TODAY = date(2026, 11, 25)


def someone(who: tuple[str, str], *, named: bool = True) -> dict[str, Any]:
    found = {"match_key": person(*who, "victim")["match_key"]}
    if named:
        found.update(name=who[0], date_of_birth=who[1])
    return found


def tie(ref: str, who: tuple[str, str], kind: str, of: tuple[str, str] = NOMINAL,
        version: int = 1, **extra: Any) -> dict[str, Any]:
    return {"record": {"ref": ref, "version": version}, "recorded_at": T0.isoformat(),
            "person": someone(who), "relationship": kind, "relative": someone(of), **extra}


def gang_case(send: Send, *parties: dict[str, Any]) -> None:
    send("case.opened", opened("G1", [
        {**person(*MOTHER, "complainant"), "anonymity_requested": True},
        {**person(*NOMINAL, "alleged_perpetrator"), "date_of_birth": NOMINAL[1]},
        *parties]), agency="wcc-asb")


def test_a_nominal_family_from_the_police_labelled_for_the_policy(
        hub: PartnershipHub, send: Send) -> None:
    gang_case(send)
    send("person.relationship.recorded", tie("R1", BROTHER, "sibling", lives_together=True),
         agency="met-police")
    send("person.relationship.recorded", tie("R2", NOMINAL, "child", of=MOTHER,
                                             since="2006-02-03"), agency="met-police")
    send("person.relationship.recorded", tie("R3", EX, "former_partner", until="2026-01-01"),
         agency="met-police")

    view = build_family_view(hub, "wcc-asb", "G1", 1, "alleged_perpetrator", TODAY)
    assert view is not None
    got = {f.path: f for f in view.fields(TODAY)}
    # R1: the brother is the nominal's sibling; R2 seen from the nominal: the mother is parent.
    assert got["family.0.relationship"].value == "sibling"
    assert got["family.0.name"].value == BROTHER[0]
    assert got["family.0.lives_together"].value is True
    assert got["family.1.relationship"].value == "parent"
    assert got["family.1.name"].value == MOTHER[0]
    assert got["family.1.since"].value == "2006-02-03"
    assert len(view.ties) == 2  # the former partner's tie ended before today
    assert {f.category for f in got.values()} == {"family"}
    assert {f.supplier for f in got.values()} == {"met-police"}
    brother, mother = got["family.0.name"], got["family.1.name"]
    assert brother.flags["youth"] and brother.subject == someone(BROTHER)["match_key"]
    # the mother is an anonymous complainant in the case: her family entry protects her
    assert mother.subject_role == "complainant" and mother.flags["anonymity_requested"]
    assert brother.subject_role == "alleged_perpetrator"
    assert sorted(view.subjects) == sorted(someone(w)["match_key"]
                                           for w in (NOMINAL, BROTHER, MOTHER))


def test_the_nominal_is_named_by_case_party_or_there_is_no_view(
        hub: PartnershipHub, send: Send) -> None:
    gang_case(send)
    assert build_family_view(hub, "wcc-asb", "G1", 1, "victim", TODAY) is None
    assert build_family_view(hub, "wcc-asb", "G1", 5, "alleged_perpetrator", TODAY) is None
    assert build_family_view(hub, "wcc-asb", "NOPE", 0, "complainant", TODAY) is None
    empty = build_family_view(hub, "wcc-asb", "G1", 1, "alleged_perpetrator", TODAY)
    assert empty is not None and empty.fields(TODAY) == []


def test_a_later_version_replaces_and_can_end_the_tie(hub: PartnershipHub, send: Send) -> None:
    gang_case(send)
    send("person.relationship.recorded", tie("R1", EX, "partner"), agency="met-police")
    send("person.relationship.recorded", tie("R1", EX, "former_partner", version=2,
                                             until="2026-10-01"), agency="met-police")
    held = hub.get_or_none(relationship_id("met-police", "R1"))
    assert isinstance(held, Relationship)
    assert (held.kind, held.version_held, held.until) == ("former_partner", 2, "2026-10-01")
    assert held.is_current(date(2026, 9, 30)) and not held.is_current(TODAY)
    family = hub.get_or_none(family_id(someone(NOMINAL)["match_key"]))
    assert isinstance(family, Family) and family.relationships == ["met-police:R1"]
    view = build_family_view(hub, "wcc-asb", "G1", 1, "alleged_perpetrator", TODAY)
    assert view is not None and view.ties == []


def test_the_same_event_again_changes_nothing(hub: PartnershipHub) -> None:
    envelope = new_envelope(event_id="met-police:rel:R1:v1", source="urn:agency:met-police",
                            event_type="person.relationship.recorded", subject="x",
                            agency="met-police", data=tie("R1", BROTHER, "sibling"), time=T0)
    validate(envelope)
    assert hub.record_agency_event(envelope, Tracking("t:0", 0)) > 0
    assert hub.record_agency_event(envelope, Tracking("t:0", 1)) == 0


@pytest.mark.parametrize(("first", "then", "reason"), [
    (None, tie("R1", NOMINAL, "sibling"), "same-person"),
    (None, tie("R1", BROTHER, "sibling", since="2020-01-01", until="2019-01-01"),
     "ends-before-start"),
    (tie("R1", BROTHER, "sibling", version=2), tie("R1", BROTHER, "sibling", version=2),
     "stale-version"),
    (tie("R1", BROTHER, "sibling"), tie("R1", EX, "partner", version=2), "people-changed"),
])
def test_refused_before_anything_is_stored(hub: PartnershipHub, send: Send,
                                           first: dict[str, Any] | None, then: dict[str, Any],
                                           reason: str) -> None:
    if first is not None:
        send("person.relationship.recorded", first, agency="met-police")
    with pytest.raises(RecordRefused) as refused:
        send("person.relationship.recorded", then, agency="met-police")
    assert refused.value.reason == reason


def test_ties_follow_a_confirmed_match_and_leave_with_its_undoing(
        hub: PartnershipHub, send: Send) -> None:
    """The police hold the nominal under another date of birth; a person confirms they are
    one (match.decided): the family joins, and leaves again when the link is undone."""
    other_dob = (NOMINAL[0], "2006-03-02")
    send("case.opened", opened("G2", [person(*NOMINAL, "alleged_perpetrator",
                                             with_name_key=True)]), agency="wcc-asb")
    send("case.opened", opened("P1", [person(*other_dob, "alleged_perpetrator",
                                             with_name_key=True)]), agency="wcc-asb")
    send("person.relationship.recorded", tie("R1", BROTHER, "sibling", of=other_dob),
         agency="met-police")
    send("person.relationship.recorded", tie("R2", other_dob, "sibling", of=NOMINAL),
         agency="met-police")  # a tie between the two keys: the nominal and themselves

    def relatives() -> list[str]:
        view = build_family_view(hub, "wcc-asb", "G2", 0, "alleged_perpetrator", TODAY)
        assert view is not None
        return [t.relative.get("name", "") for t in view.ties]

    assert relatives() == [NOMINAL[0]]  # before the link the other key is someone else
    proposal = {"a": someone(NOMINAL)["match_key"], "b": someone(other_dob)["match_key"]}
    send("match.decided", {"proposal": proposal, "decision": "confirm",
                           "decided_by": "analyst-1", "at": T0.isoformat()},
         agency="wcc-asb")
    assert relatives() == [BROTHER[0]]
    send("match.decided", {"proposal": proposal, "decision": "unmerge",
                           "decided_by": "analyst-1", "at": T0.isoformat()},
         agency="wcc-asb")
    assert relatives() == [NOMINAL[0]]
