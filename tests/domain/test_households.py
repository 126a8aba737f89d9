"""Households: the people a record says live at an address, across agencies."""

from __future__ import annotations

from typing import Any

from domain.contract import matchkeys
from domain.model.household import household_id
from hub.application import PartnershipHub
from tests.domain.conftest import KEY, T0, Send, opened, person

HOME = matchkeys.location_key(KEY, address="Flat 2 Example Court", postcode="ZZ1 1AA")


def at_home() -> dict[str, Any]:
    return {"match_key": HOME, "address": "Flat 2 Example Court", "postcode": "ZZ1 1AA"}


def test_residents_from_two_agencies_form_one_household_and_a_neighbour_does_not(
        hub: PartnershipHub, send: Send) -> None:
    tenant = {**person("Ada Ashcombe", "1980-01-02", "complainant"), "lives_at_location": True}
    partner = {**person("Bo Ashcombe", "1979-05-06", "victim"), "lives_at_location": True}
    neighbour = person("Cy Noisome", "1990-07-08", "alleged_perpetrator")
    send("case.opened", {**opened("H1", [tenant, neighbour]), "location": at_home()})
    send("incident.reported", {
        "record": {"ref": "N-1", "version": 1}, "occurred_at": T0.isoformat(),
        "reported_at": T0.isoformat(), "category": "noise", "summary": "Music at 2am",
        "parties": [partner, neighbour], "location": at_home()}, agency="wcc-noise")

    home = hub.get_or_none(household_id(HOME))
    assert home is not None
    assert home.members == {tenant["match_key"]: ["wcc-housing:H1"],
                            partner["match_key"]: ["wcc-noise:N-1"]}
    assert neighbour["match_key"] not in home.members


def test_a_record_naming_nobody_as_resident_creates_no_household(
        hub: PartnershipHub, send: Send) -> None:
    send("case.opened", {**opened("H2"), "location": at_home()})
    assert hub.get_or_none(household_id(HOME)) is None
