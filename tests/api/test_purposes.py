"""Purposes and recipients over the API (issue 12 part 2): MAPPA, a court-ordered disclosure
to a named court, publicity with Legal Services approval and care for young people, and
depersonalised statistics. Real app, real store, both sides of each rule."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import Tracking
from fastapi.testclient import TestClient

from domain.contract.envelope import new_envelope
from domain.contract.schemas import validate
from tests.api.conftest import SECRETS, Hub
from tests.panels.data import iso, party, place

CASE = {"agency": "wcc-asb", "ref": "ASB-90"}
PERP, YOUNG = "Mort Mallory", "Kit Kestrel"
NO_VIEW = "no case view available to you for this reference"
COURT = {"name": "Westminster Magistrates' Court", "reference": "WMC 2026/123"}
ORDER = {"gateway": "legal_obligation",
         "justification": "order WMC 2026/123 to produce the council's records of the case"}
APPROVED = {"gateway": "publicity_approved",
            "justification": "injunction granted against the perpetrator on 18 November",
            "necessity": "residents of the estate need to know the injunction exists",
            "proportionality": "name and the injunction only; no address or photograph",
            "third_parties_considered": "victims and witnesses are not named",
            "legal_services_approval": {"by": "J Legal (Legal Services)",
                                        "at": "2026-11-20T10:00:00Z"}}


def sender(seeded: Hub, first_offset: int) -> Callable[[str, str, dict[str, Any]], None]:
    """Record an agency's event in the seeded hub as the worker would."""
    offsets = itertools.count(first_offset)

    def send(agency: str, event_type: str, data: dict[str, Any]) -> None:
        envelope = new_envelope(event_id=str(uuid4()), source=f"urn:agency:{agency}",
                                event_type=event_type, subject="purposes-test", agency=agency,
                                data=data, time=seeded.now)
        validate(envelope)
        seeded.hub.record_agency_event(envelope, Tracking("purposes-test:0", next(offsets)))

    return send


def seed_council_case(seeded: Hub) -> None:
    """A council ASB case about two perpetrators, one of them 16, and a police incident."""
    now = seeded.now
    young_dob = (now - timedelta(days=16 * 365)).date().isoformat()
    perp = party(PERP, "1980-02-02", "alleged_perpetrator", contact="07700 900555")
    young = party(YOUNG, young_dob, "alleged_perpetrator")

    send = sender(seeded, 10_000)

    send("met-police", "incident.reported", {
        "record": {"ref": "CAD-500", "version": 1},
        "occurred_at": iso(now - timedelta(days=12)), "reported_at": iso(now - timedelta(days=12)),
        "category": "vandalism", "channel": "phone", "summary": "Door kicked in",
        "location": place(5), "parties": [perp], "flags": {}})
    send("wcc-asb", "case.opened", {
        "record": {"ref": CASE["ref"], "version": 1}, "opened_at": iso(now - timedelta(days=10)),
        "category": "vandalism", "summary": "Injunction sought against two perpetrators",
        "lead_officer": "ASB Officer 2", "location": place(5), "parties": [perp, young],
        "flags": {}})


def dpo_row(client: TestClient, seeded: Hub, disclosure_id: str) -> dict[str, Any]:
    rows = client.get("/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()
    return next(r for r in rows if r["disclosure_id"] == disclosure_id)


def parties(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p.get("name", f"#{i}"): p for i, p in enumerate(view["case"].get("party", []))
            if p is not None}


def test_mappa_probation_gets_only_what_the_councils_duties_allow(client: TestClient,
                                                                  seeded: Hub) -> None:
    seed_council_case(seeded)
    asked = client.post("/v1/case-views", json={"case": CASE, "purpose": "mappa"},
                        headers=seeded.headers("offender_manager"))
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    assert answer["agreement"] == "swp-isp"
    view = answer["view"]
    # The council's case, names and address go to the Responsible Authority ...
    assert view["case"]["summary"] == "Injunction sought against two perpetrators"
    assert PERP in parties(view) and view["case"]["location"]["address"] == "5 Heron Walk"
    # ... the perpetrator's phone number (contact) is beyond the council's duty to cooperate,
    # while the police's own incident goes to probation under the protocol.
    assert "contact" not in parties(view)[PERP]
    withheld = {w["field"]: w["reason"] for w in answer["withheld"]}
    contact = [f for f in withheld if f.startswith("case.party.") and f.endswith(".contact")]
    assert contact and "seeds/002 L898" in withheld[contact[0]]
    assert view["incident"][0]["summary"] == "Door kicked in"
    row = dpo_row(client, seeded, answer["disclosure_id"])
    assert (row["purpose"], row["recipient"], row["requester"]["role"]) == (
        "mappa", "probation", "offender_manager")
    assert "contact" in row["withheld_categories"]
    # The council's own staff may not ask for MAPPA; a housing case officer is refused.
    refused = client.post("/v1/case-views", json={"case": CASE, "purpose": "mappa"},
                          headers=seeded.headers("case_officer"))
    assert refused.status_code == 404 and refused.json()["detail"] == NO_VIEW
    assert any("may not request data for purpose mappa" in r
               for r in dpo_row(client, seeded, refused.json()["disclosure_id"])["reasons"])


def test_mappa_carries_the_offenders_offences_but_a_victims_health_needs_its_own_claim(
        client: TestClient, seeded: Hub) -> None:
    """Sch 1 para 6 (the duty to co-operate, CJA 2003 s325) covers the offender whose risk
    MAPPA manages; the victim's health (here from the NHS) needs a claim naming a condition,
    a claim scoped to other categories does not lift it, and para 6 serves MAPPA alone."""
    now = seeded.now
    victim = party("Vera Vane", "1979-03-03", "victim")
    perp = party(PERP, "1980-02-02", "alleged_perpetrator")

    send = sender(seeded, 20_000)

    def reported(ref: str, summary: str, people: list[dict[str, Any]]) -> dict[str, Any]:
        at = iso(now - timedelta(days=5))
        return {"record": {"ref": ref, "version": 1}, "occurred_at": at, "reported_at": at,
                "category": "physical_violence", "channel": "phone", "summary": summary,
                "location": place(6), "parties": people, "flags": {}}

    send("met-police", "incident.reported", reported("CAD-600", "Assault on a neighbour", [
        victim, {**perp, "previous_offences": [{"offence": "Wounding", "outcome": "convicted"}]}]))
    send("nw-icb", "incident.reported", reported("ICB-7", "Seen in A&E after an assault", [
        {**victim, "health": [{"kind": "mental_health", "note": "PTSD after the assaults"}]}]))
    send("wcc-asb", "case.opened", {
        "record": {"ref": "ASB-91", "version": 1}, "opened_at": iso(now - timedelta(days=3)),
        "category": "physical_violence", "summary": "Assaults on a neighbour",
        "location": place(6), "parties": [victim, perp], "flags": {}})
    case = {"agency": "wcc-asb", "ref": "ASB-91"}

    def ask(who: str, claims: list[dict[str, Any]], purpose: str = "mappa") -> dict[str, Any]:
        asked = client.post("/v1/case-views", json={"case": case, "purpose": purpose,
                                                    "gateway_claims": claims},
                            headers=seeded.headers(who))
        assert asked.status_code == 200, asked.text
        return asked.json()

    def shown(answer: dict[str, Any]) -> str:
        return json.dumps(answer["view"])

    # The offender's convictions go to probation under the statute's own condition ...
    assert "Wounding" in shown(ask("offender_manager", []))
    # ... the victim's health does not go to the police without a condition for it.
    plain = ask("police_officer", [])
    assert "Assault on a neighbour" in shown(plain) and "PTSD" not in shown(plain)
    assert any("special category data (health)" in w["reason"] for w in plain["withheld"])
    claim = {"gateway": "cda_s115", "special_category_condition": "sch1_para18",
             "justification": "the victim's safety plan needs her health needs",
             "proportionality": "her mental health needs only, not her records",
             "third_parties_considered": "nobody else's health is asked for"}
    assert "PTSD" not in shown(ask("police_officer", [{**claim, "categories": ["identity"]}]))
    released = ask("police_officer", [{**claim, "categories": ["health"]}])
    assert "PTSD after the assaults" in shown(released)
    assert "cda_s115" in released["gateways"]
    para6 = ask("police_officer", [{**claim, "special_category_condition": "sch1_para6"}],
                purpose="asb_case_management")
    assert "PTSD" not in shown(para6)
    assert any("sch1_para6 only for purposes" in r
               for r in dpo_row(client, seeded, para6["disclosure_id"])["reasons"])


def test_court_order_goes_to_the_named_court_under_para_5_1(client: TestClient,
                                                            seeded: Hub) -> None:
    seed_council_case(seeded)
    body = {"case": CASE, "purpose": "required_by_law", "recipient": "court",
            "recipient_detail": COURT, "gateway_claims": [ORDER]}
    asked = client.post("/v1/case-views", json=body, headers=seeded.headers("legal_officer"))
    assert asked.status_code == 200, asked.text
    answer = asked.json()
    assert answer["gateways"] == ["legal_obligation"] and answer["agreement"] is None
    assert answer["view"]["case"]["summary"] == "Injunction sought against two perpetrators"
    # The police's incident is the police's to disclose: the council hands over its own.
    assert "incident" not in answer["view"]
    assert any("met-police supplied it" in w["reason"] for w in answer["withheld"])

    row = dpo_row(client, seeded, answer["disclosure_id"])
    assert (row["recipient"], row["purpose"], row["gateways"]) == (
        "court", "required_by_law", ["legal_obligation"])
    assert row["recipient_detail"] == {"id": "court", **COURT}
    assert row["requester"] == {"user": "legal_officer.user", "agency": "wcc-legal",
                                "role": "legal_officer"}
    assert "WMC 2026/123" in row["justification"] and row["agreement"] is None

    # Unnamed: refused and recorded. A discretionary gateway is no basis for a court.
    unnamed = client.post("/v1/case-views", headers=seeded.headers("legal_officer"),
                          json={**body, "recipient_detail": {"name": COURT["name"]}})
    assert unnamed.status_code == 404
    assert any("recipient_detail.reference" in r for r in
               dpo_row(client, seeded, unnamed.json()["disclosure_id"])["reasons"])
    s35_2 = client.post("/v1/case-views", headers=seeded.headers("legal_officer"), json={
        **body, "gateway_claims": [{**ORDER, "gateway": "dpa_sch2_para5",
                                    "proportionality": "the case only",
                                    "third_parties_considered": "none named"}]})
    assert s35_2.status_code == 404
    # A partner may not name another recipient for its own purposes (it would see the view).
    picked = client.post("/v1/case-views", headers=seeded.headers("case_officer"), json={
        "case": CASE, "purpose": "asb_case_management", "recipient": "met-police"})
    assert picked.status_code == 403 and "only for purposes" in picked.json()["detail"]


def test_publicity_needs_legal_services_approval_and_extra_care_for_young_people(
        client: TestClient, seeded: Hub) -> None:
    seed_council_case(seeded)
    comms = seeded.headers("communications_officer")
    body = {"case": CASE, "purpose": "publicity", "recipient": "public",
            "recipient_detail": {"name": "Press release: injunction granted on the estate"}}
    unapproved = client.post("/v1/case-views", headers=comms, json={
        **body, "gateway_claims": [{**APPROVED, "legal_services_approval": None}]})
    assert unapproved.status_code == 404 and PERP not in unapproved.text
    refusal = dpo_row(client, seeded, unapproved.json()["disclosure_id"])
    assert not refusal["allowed"] and refusal["recipient"] == "public"
    assert any("missing legal_services_approval.by" in r for r in refusal["reasons"])

    approved = client.post("/v1/case-views", headers=comms,
                           json={**body, "gateway_claims": [APPROVED]})
    assert approved.status_code == 200, approved.text
    answer = approved.json()
    named = parties(answer["view"])
    assert PERP in named and YOUNG not in named and YOUNG not in approved.text
    # The ward may be named ("residents on a specific estate", seeds/002 L1038); no address.
    assert "contact" not in named[PERP]
    assert answer["view"]["case"]["location"] == {"ward": "Church Street"}
    assert any("youth_justification" in w["reason"] for w in answer["withheld"])
    row = dpo_row(client, seeded, answer["disclosure_id"])
    assert row["gateways"] == ["publicity_approved"]
    assert row["legal_services_approval"] == APPROVED["legal_services_approval"]
    assert "residents of the estate need to know" in row["necessity"]
    assert row["recipient_detail"]["name"].startswith("Press release")

    # With a recorded reason for naming the young person (e.g. reporting restrictions lifted).
    young = client.post("/v1/case-views", headers=comms, json={**body, "gateway_claims": [
        {**APPROVED, "youth_justification": "the youth court lifted reporting restrictions"}]})
    assert YOUNG in parties(young.json()["view"])
    # Publicity is the council's: housing may not ask for it.
    housing = client.post("/v1/case-views", headers=seeded.headers("case_officer"),
                          json={**body, "gateway_claims": [APPROVED]})
    assert housing.status_code == 404


def test_statistics_contain_no_person_and_suppress_small_numbers(client: TestClient,
                                                                 seeded: Hub) -> None:
    analyst = seeded.headers("analyst")
    by_category = client.get("/v1/statistics", params={"group_by": "category"},
                             headers=analyst)
    assert by_category.status_code == 200, by_category.text
    answer = by_category.json()
    # The seeded partnership: 4 domestic abuse and 3 noise incidents, all in one ward. Every
    # category is listed; 0 and 1-4 alike are "<5".
    assert answer["suppressed_below"] == 5
    assert answer["counts"]["domestic_abuse"] == answer["counts"]["noise"] == "<5"
    assert set(answer["counts"].values()) == {"<5"} and len(answer["counts"]) == 15
    by_ward = client.get("/v1/statistics", params={"group_by": "ward"}, headers=analyst).json()
    # One ward: its count would be the total, so it is suppressed too.
    assert by_ward["counts"] == {"Church Street": ">=5"}
    for text in (by_category.text, str(by_ward)):
        assert not any(secret in text for secret in SECRETS)
        assert "mk1:" not in text
    year_before = f"{seeded.now.year - 2:04d}-{seeded.now.month:02d}"
    before = client.get("/v1/statistics", headers=analyst,
                        params={"group_by": "month", "since": year_before,
                                "until": year_before})
    assert before.status_code == 200 and before.json()["counts"] == {year_before: "<5"}

    row = dpo_row(client, seeded, answer["disclosure_id"])
    assert (row["record_kind"], row["purpose"], row["subjects"]) == (
        "statistics", "statistics", [])
    assert row["released_categories"] == ["statistics"] and row["allowed"]
    assert row["agreement"] is None and row["suppliers"] == ["partnership"]

    # Not a relevant authority (the IDVA service), not a role with the purpose: refused, logged.
    idva = client.get("/v1/statistics", headers=seeded.headers("idva"))
    assert idva.status_code == 403
    assert "not one" in idva.json()["detail"]["reasons"]
    assert not dpo_row(client, seeded, idva.json()["detail"]["disclosure_id"])["allowed"]
    assert client.get("/v1/statistics").status_code == 401


def test_support_referral_hands_over_with_the_persons_consent(client: TestClient,
                                                               seeded: Hub) -> None:
    """The housing officer refers the victim of HASB-1 to the IDVA service: nothing about her
    goes without her consent; with it, housing's own records go (consent is the basis)."""
    victim = party("Victim HASB-1", "1980-01-10", "victim")["match_key"]
    officer = seeded.headers("case_officer")
    body = {"case": {"agency": "wcc-housing", "ref": "HASB-1"}, "purpose": "support_referral",
            "recipient": "advance-idva"}
    before = client.post("/v1/case-views", headers=officer, json=body)
    assert before.status_code == 404 and "Victim HASB" not in before.text
    refusal = dpo_row(client, seeded, before.json()["disclosure_id"])
    assert (refusal["recipient"], refusal["requester"]["agency"]) == (
        "advance-idva", "wcc-housing")
    assert any("only with the person's consent" in r for r in refusal["withheld"].values())

    given = client.post("/v1/consents", headers=officer, json={
        "subject": victim, "status": "given", "method": "written",
        "collected_at": (seeded.now - timedelta(hours=1)).isoformat(),
        "scope": {"purposes": ["support_referral"], "recipients": ["advance-idva"],
                  "categories": ["identity", "contact", "case", "domestic_abuse"]}})
    assert given.status_code == 201, given.text
    after = client.post("/v1/case-views", headers=officer, json=body)
    assert after.status_code == 200, after.text
    answer = after.json()
    assert answer["gateways"] == ["consent"] and len(answer["consent_ids"]) == 1
    assert parties(answer["view"])["Victim HASB-1"]["contact"].startswith("07700")
    # Her partner (the alleged perpetrator) did not consent: nothing about him is handed over.
    assert "Partner HASB-1" not in after.text
    row = dpo_row(client, seeded, answer["disclosure_id"])
    assert row["recipient"] == "advance-idva" and row["consent_ids"] == answer["consent_ids"]
    # Not a service that works on consent: no referral to the police under this purpose.
    police = client.post("/v1/case-views", headers=officer,
                         json={**body, "recipient": "met-police"})
    assert police.status_code == 404
