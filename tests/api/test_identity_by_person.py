"""Identity protection is the person's, not one record's (docs/policies.md "Identity protection
by person"; seeds/002 L1208, L261, L316; seeds/000 L433): the most protected role any record
gives a person, and anonymity asked in any record, hold in every field of the case view about
them, and the perpetrator's side gets nothing about a protected person but redacted free text.
Found by an outside probe (probe12)."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import Tracking
from fastapi.testclient import TestClient

from domain.contract.envelope import new_envelope
from domain.contract.schemas import validate
from tests.api.conftest import Hub
from tests.panels.data import WITNESS, iso, party, place

COMPLAINANT = ("Nadia Quennell", "1979-03-14")
PERP = ("Rory Dunstable", "1988-08-08")
_offsets = itertools.count(50_000)


def send(seeded: Hub, agency: str, event_type: str, data: dict[str, Any]) -> None:
    envelope = new_envelope(event_id=str(uuid4()), source=f"urn:agency:{agency}",
                            event_type=event_type, subject="identity-by-person", agency=agency,
                            data=data, time=seeded.now)
    validate(envelope)
    seeded.hub.record_agency_event(envelope, Tracking("identity-by-person:0", next(_offsets)))


def test_a_complainant_stays_protected_where_a_linked_incident_names_her_victim(client: TestClient,
                                                                  seeded: Hub) -> None:
    """The council's noise case: Nadia is the complainant. A police incident (criminal damage
    to her door) names her as its victim. On the perpetrator's side, the linked incident must
    not give her name, date of birth or home address (it did: the bars read each record's
    role), nor undo the case summary's redaction."""
    now = seeded.now
    nadia = party(*COMPLAINANT, "complainant", lives_at_location=True)
    rory = party(*PERP, "alleged_perpetrator")
    send(seeded, "wcc-asb", "case.opened", {
        "record": {"ref": "ASB-P12", "version": 1}, "opened_at": iso(now - timedelta(days=5)),
        "category": "noise", "summary": "Nadia Quennell reports loud music from the flat below",
        "lead_officer": "ASB Officer 9", "location": place(12), "parties": [nadia, rory],
        "flags": {}})
    send(seeded, "met-police", "incident.reported", {
        "record": {"ref": "CAD-P12", "version": 1}, "occurred_at": iso(now - timedelta(days=3)),
        "reported_at": iso(now - timedelta(days=3)), "category": "vandalism", "channel": "phone",
        "summary": "Door of the flat damaged", "location": place(12),
        "parties": [{**nadia, "role": "victim"}, rory], "flags": {}})
    asked = client.post("/v1/case-views", headers=seeded.headers("case_officer"), json={
        "case": {"agency": "wcc-asb", "ref": "ASB-P12"}, "purpose": "asb_case_management",
        "acting_for": "alleged_perpetrator"})
    assert asked.status_code == 200, asked.text
    view = asked.json()["view"]
    text = json.dumps(view)
    leaked = [s for s in ("Nadia", "Quennell", COMPLAINANT[1], "12 Heron Walk") if s in text]
    assert not leaked, f"the complainant reaches the perpetrator's side: {leaked}\n{text}"
    # What that side is given: the case, its summary with her name redacted, the incident, and
    # the alleged perpetrator's own identity (a test that withholds everything fails here).
    assert view["case"]["summary"] == "[complainant] reports loud music from the flat below"
    assert view["incident"][0]["summary"] == "Door of the flat damaged"
    for record in (view["case"], view["incident"][0]):
        assert {"role": "alleged_perpetrator", "name": PERP[0], "date_of_birth": PERP[1]} in \
            record["party"], text


def test_anonymity_asked_of_the_police_holds_in_a_council_record(client: TestClient,
                                                                   seeded: Hub) -> None:
    """Wren asked the police for anonymity (CAD-1, tests/panels/data.py). The council's case
    names her as a victim without the flag: her name still goes to no partner (seeds/000 L433:
    anonymity on request is a person's, not one record's)."""
    wren = party(WITNESS, "1990-05-05", "victim")
    send(seeded, "wcc-asb", "case.opened", {
        "record": {"ref": "ASB-W12", "version": 1},
        "opened_at": iso(seeded.now - timedelta(days=2)), "category": "noise",
        "summary": "Noise nuisance", "lead_officer": "ASB Officer 9", "location": place(13),
        "parties": [wren], "flags": {}})
    asked = client.post("/v1/case-views", headers=seeded.headers("case_officer"), json={
        "case": {"agency": "wcc-asb", "ref": "ASB-W12"}, "purpose": "asb_case_management"})
    assert asked.status_code == 200, asked.text
    view = asked.json()["view"]
    assert WITNESS not in json.dumps(view), view
    assert view["case"]["ref"] == "ASB-W12" and view["case"]["summary"] == "Noise nuisance"
    assert view["case"]["party"] == [{"role": "victim"}], "her role, not who she is"


def test_perpetrator_side_gets_no_health_or_hate_motivation_of_the_complainant(
        client: TestClient, seeded: Hub) -> None:
    """Acting for the alleged perpetrator with a claim naming a Sch 1 condition, the housing
    officer is not given the complainant's mental health note ("anxiety, takes sertraline") nor
    the mental health motivation of the hate incident against her: the perpetrator-side bar
    covers everything about her but redacted free text (policies/hub/controls.rego)."""
    now = seeded.now
    nadia = party(*COMPLAINANT, "complainant", lives_at_location=True,
                  health=[{"kind": "mental_health", "note": "anxiety, takes sertraline"}])
    rory = party(*PERP, "alleged_perpetrator")
    send(seeded, "wcc-asb", "case.opened", {
        "record": {"ref": "ASB-H12", "version": 1}, "opened_at": iso(now - timedelta(days=5)),
        "category": "hate_related", "summary": "Abuse shouted at a neighbour",
        "lead_officer": "ASB Officer 9", "location": place(16), "parties": [nadia, rory],
        "flags": {}})
    send(seeded, "met-police", "incident.reported", {
        "record": {"ref": "CAD-H12", "version": 1}, "occurred_at": iso(now - timedelta(days=3)),
        "reported_at": iso(now - timedelta(days=3)), "category": "hate_related",
        "channel": "phone", "summary": "Abuse shouted", "location": place(16),
        "hate_motivation": ["mental_health"], "parties": [nadia, rory], "flags": {}})
    asked = client.post("/v1/case-views", headers=seeded.headers("case_officer"), json={
        "case": {"agency": "wcc-asb", "ref": "ASB-H12"}, "purpose": "asb_case_management",
        "acting_for": "alleged_perpetrator", "gateway_claims": [{
            "gateway": "cda_s115", "justification": "tenancy enforcement",
            "proportionality": "p", "third_parties_considered": "t",
            "special_category_condition": "sch1_para10"}]})
    assert asked.status_code == 200, asked.text
    view = asked.json()["view"]
    text = json.dumps(view)
    leaked = [s for s in ("sertraline", "mental_health") if s in text]
    assert not leaked, f"the complainant's health reaches the perpetrator's side: {text}"
    assert view["case"]["summary"] == "Abuse shouted at a neighbour"
    assert view["incident"][0]["category"] == "hate_related"
    assert {"role": "alleged_perpetrator", "name": PERP[0], "date_of_birth": PERP[1]} in \
        view["case"]["party"], text


def test_a_counter_allegation_does_not_put_the_complainant_in_a_press_release(client: TestClient,
                                                                    seeded: Hub) -> None:
    """Neighbour dispute: Nadia complains about Rory (the council's case, injunction against
    Rory); Rory's counter-allegation, logged by the council's ASB team as an incident, names
    her as its alleged perpetrator. Publicity of the injunction against Rory (Legal Services
    approved, 'victims and witnesses are not named') does not give the public her name: the
    perpetrators-only rule reads her most protected role (complainant), not the incident's."""
    from tests.api.test_purposes import APPROVED
    now = seeded.now
    nadia = party(*COMPLAINANT, "complainant", lives_at_location=True)
    rory = party(*PERP, "alleged_perpetrator")
    send(seeded, "wcc-asb", "case.opened", {
        "record": {"ref": "ASB-C12", "version": 1}, "opened_at": iso(now - timedelta(days=9)),
        "category": "noise", "summary": "Injunction granted against the neighbour",
        "lead_officer": "ASB Officer 9", "location": place(17), "parties": [nadia, rory],
        "flags": {}})
    send(seeded, "wcc-asb", "incident.reported", {
        "record": {"ref": "ASB-INC-C12", "version": 1},
        "occurred_at": iso(now - timedelta(days=8)), "reported_at": iso(now - timedelta(days=8)),
        "category": "noise", "channel": "phone", "summary": "Counter-allegation of banging",
        "location": place(17), "flags": {},
        "parties": [{**rory, "role": "complainant"}, {**nadia, "role": "alleged_perpetrator"}]})
    asked = client.post("/v1/case-views", headers=seeded.headers("communications_officer"),
                        json={"case": {"agency": "wcc-asb", "ref": "ASB-C12"},
                              "purpose": "publicity", "recipient": "public",
                              "recipient_detail": {"name": "Press release: injunction"},
                              "gateway_claims": [APPROVED]})
    assert asked.status_code == 200, asked.text
    view = asked.json()["view"]
    text = json.dumps(view)
    assert "Quennell" not in text, f"the complainant goes to the public: {text}"
    # The case itself is published (Rory's name is not: his counter-allegation makes him a
    # complainant too, and the perpetrators-only rule reads his most protected role).
    assert (view["case"]["ref"], view["case"]["category"]) == ("ASB-C12", "noise"), text
