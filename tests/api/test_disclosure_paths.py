"""Every path out of the API is a disclosure: referral facts, suggestions and agenda lines are
decided by the policy and recorded like case views, and a partner cannot learn which case
references exist."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from tests.api.conftest import SECRETS, Hub

NOISE_CASE = {"agency": "wcc-asb", "ref": "ASB-77"}
NO_VIEW = "no case view available to you for this reference"


def dpo_log(client: TestClient, seeded: Hub) -> dict[str, dict[str, Any]]:
    rows = client.get("/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()
    return {r["disclosure_id"]: r for r in rows}


def test_referral_facts_and_agenda_lines_are_decided_and_logged(client: TestClient,
                                                               seeded: Hub) -> None:
    chair, housing = seeded.headers("police-chair"), seeded.headers("gmap-housing")
    # The GMAP chair (police) refers the noise case by hand and sees the prefill as the policy
    # releases it to police for the GMAP purpose, as a recorded disclosure.
    made = client.post("/v1/panels/referrals", headers=chair, json={
        "panel_type": "gmap", "case": NOISE_CASE, "reason": "Linked to a gang's noise nuisance"})
    assert made.status_code == 201, made.text
    facts = made.json()["facts"]
    assert facts["released"] and facts["facts"]["category"] == "noise"
    assert facts["facts"]["incidents"] == {"met-police": 3}
    referral_id = made.json()["referral_id"]
    row = dpo_log(client, seeded)[facts["disclosure_id"]]
    assert (row["record_kind"], row["record_ref"], row["purpose"], row["recipient"]) == (
        "referral_facts", "wcc-asb:ASB-77", "gmap", "met-police")
    assert row["referral"] == f"gmap:{referral_id}" and row["allowed"]
    assert "facts.category" in row["released"] and row["suppliers"] == ["met-police", "wcc-asb"]
    # The agency that supplied the case hears of it, as for a case view.
    told = client.get("/v1/notifications", headers=seeded.headers("asb-chair")).json()
    assert any(n["disclosure_id"] == facts["disclosure_id"] and "facts.category" in n["fields"]
               for n in told)

    client.post(f"/v1/panels/referrals/{referral_id}/decision", headers=chair,
                json={"accept": True, "reason": "agreed"})
    meeting = client.post("/v1/panels/meetings", headers=chair, json={
        "panel_type": "gmap", "held_at": (seeded.now + timedelta(days=3)).isoformat()}).json()
    listed = client.post(f"/v1/panels/meetings/{meeting['meeting_id']}/agenda", headers=chair,
                         json={})
    assert listed.json()["agenda"][0]["facts"] is None  # no facts in a chair's write answer

    # Housing sits on GMAP but has no agreement covering it: its agenda shows the line and
    # nothing about the case; that refusal is recorded too.
    agenda = client.get(f"/v1/panels/meetings/{meeting['meeting_id']}", headers=housing)
    assert agenda.status_code == 200
    line = agenda.json()["agenda"][0]
    assert line["facts"]["released"] is False and line["facts"]["facts"] == {}
    assert not any(secret in agenda.text for secret in SECRETS)
    assert "noise" not in agenda.text
    refusal = dpo_log(client, seeded)[line["facts"]["disclosure_id"]]
    assert (refusal["record_kind"], refusal["recipient"], refusal["allowed"]) == (
        "agenda_line", "wcc-housing", False)
    assert any("no active sharing agreement" in r for r in refusal["reasons"])
    police = client.get(f"/v1/panels/meetings/{meeting['meeting_id']}",
                        headers=seeded.headers("police_officer")).json()
    assert police["agenda"][0]["facts"]["facts"]["category"] == "noise"


def test_suggestions_are_decided_per_case(client: TestClient, seeded: Hub) -> None:
    found = client.get("/v1/panels/marac/suggestions", headers=seeded.headers("police-chair"))
    assert found.status_code == 200
    shown = {s["case"]["ref"]: s["facts"] for s in found.json()}
    assert set(shown) == {"HASB-1", "HASB-2", "HASB-3", "HASB-4"}
    assert shown["HASB-1"]["facts"]["dash_score"] == 18
    assert shown["HASB-1"]["facts"]["triggers"] == ["visible_high_risk"]
    log = dpo_log(client, seeded)
    assert {log[f["disclosure_id"]]["record_kind"] for f in shown.values()} == {
        "referral_suggestion"}


def test_a_partner_cannot_tell_a_missing_case_from_a_withheld_one(client: TestClient,
                                                                 seeded: Hub) -> None:
    gp = seeded.headers("gp")  # a partner with no sharing agreement
    ask = {"purpose": "safeguarding"}
    existing = client.post("/v1/case-views", headers=gp, json={**ask, "case": NOISE_CASE})
    missing = client.post("/v1/case-views", headers=gp, json={
        **ask, "case": {"agency": "wcc-asb", "ref": "ASB-78"}})
    assert existing.status_code == missing.status_code == 404
    assert set(existing.json()) == set(missing.json()) == {
        "detail", "disclosure_id", "decision_id", "bundle_revision"}
    assert existing.json()["detail"] == missing.json()["detail"] == NO_VIEW

    # A panel member without an agreement probing through a referral gets the same answer.
    housing = seeded.headers("gmap-housing")
    probes = [client.post("/v1/panels/referrals", headers=housing, json={
        "panel_type": "gmap", "case": case, "reason": "probing"})
        for case in (NOISE_CASE, {"agency": "wcc-asb", "ref": "ASB-78"})]
    assert [p.status_code for p in probes] == [404, 404]
    assert probes[0].json()["detail"] == probes[1].json()["detail"] == NO_VIEW

    # Both misses and both refusals are in the log the DPO reads, with the real reasons.
    log = dpo_log(client, seeded)
    rows = [log[a.json()["disclosure_id"]] for a in (existing, missing, *probes)]
    # (the referrer's own reason is all a refused referral gave back to its author)
    assert [(r["record_ref"], r["released"]) for r in rows] == [
        ("wcc-asb:ASB-77", []), ("wcc-asb:ASB-78", []),
        ("wcc-asb:ASB-77", ["facts.note"]), ("wcc-asb:ASB-78", [])]
    assert "exists" in rows[1]["reasons"][0] and "exists" in rows[3]["reasons"][0]
    refusals = client.get("/v1/dpo/refusals", headers=seeded.headers("dpo")).json()
    assert {r["disclosure_id"] for r in refusals} >= {
        r["disclosure_id"] for r in rows if not r["allowed"]}
    assert client.get("/v1/panels/referrals", headers=housing).json() == []  # none was made


def test_a_complainants_home_address_follows_her_identity(client: TestClient,
                                                          seeded: Hub) -> None:
    """The noise case's location is the complainant's home: someone acting for the alleged
    perpetrator gets neither her name nor her address (seeds/002 L1208), and a service that
    takes personal data only with consent does not get the address either (seeds/002 L1451)."""
    ask = {"case": {"agency": "wcc-asb", "ref": "ASB-77"}, "purpose": "asb_case_management",
           "acting_for": "alleged_perpetrator"}
    side = client.post("/v1/case-views", json=ask, headers=seeded.headers("police_officer"))
    assert side.status_code == 200, side.text
    assert "Heron Walk" not in side.text and "Nettlefold" not in side.text
    assert "case.location.address" in {w["field"] for w in side.json()["withheld"]}
    plain = client.post("/v1/case-views", json={**ask, "acting_for": None},
                        headers=seeded.headers("police_officer"))
    assert "Heron Walk" in plain.text  # the police, working for nobody in particular, see it
    idva = client.post("/v1/case-views", json={**ask, "acting_for": None,
                                               "purpose": "safeguarding"},
                       headers=seeded.headers("idva"))
    assert "Heron Walk" not in idva.text
