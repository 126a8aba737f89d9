"""Consent over the real API and store: recorded and withdrawn by staff, used by the very next
decision (a MARAC pack for a meeting already scheduled), refused when it says something the hub
cannot hold, exported as a Kantara receipt, listed for the DPO and in subject access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Hub
from tests.panels.data import party

VICTIM = party("Victim HASB-1", "1980-01-10", "victim")["match_key"]
CHILD = party("Child HASB-1", "2015-02-02", "victim")["match_key"]
VICTIM_NAME = "case.party.0.name"
IDVA_SCOPE = {"purposes": ["marac"], "recipients": ["advance-idva"],
              "categories": ["identity", "contact", "case", "domestic_abuse"]}


def give(client: TestClient, seeded: Hub, who: str = "case_officer", **changes: Any) -> Any:
    body = {"subject": VICTIM, "status": "given", "method": "written",
            "collected_at": (seeded.now - timedelta(hours=2)).isoformat(),
            "scope": IDVA_SCOPE, **changes}
    return client.post("/v1/consents", json=body, headers=seeded.headers(who))


def listed(client: TestClient, seeded: Hub, subject: str = VICTIM) -> list[dict[str, Any]]:
    found = client.get("/v1/consents", params={"subject": subject},
                       headers=seeded.headers("dpo"))
    assert found.status_code == 200, found.text
    return list(found.json())


def marac_meeting(client: TestClient, seeded: Hub) -> str:
    """A MARAC meeting scheduled for next week with HASB-1 on its agenda."""
    chair = seeded.headers("panel_chair")
    referral = client.post("/v1/panels/referrals", headers=chair, json={
        "panel_type": "marac", "case": {"agency": "wcc-housing", "ref": "HASB-1"},
        "reason": "high risk"}).json()["referral_id"]
    client.post(f"/v1/panels/referrals/{referral}/decision", headers=chair,
                json={"accept": True, "reason": "threshold met"})
    meeting = client.post("/v1/panels/meetings", headers=chair, json={
        "panel_type": "marac", "held_at": (seeded.now + timedelta(days=7)).isoformat()})
    mid = meeting.json()["meeting_id"]
    client.post(f"/v1/panels/meetings/{mid}/agenda", headers=chair,
                json={"referral_ids": [referral]})
    return str(mid)


def idva_view(client: TestClient, seeded: Hub, mid: str) -> dict[str, Any]:
    answer = client.get(f"/v1/panels/meetings/{mid}/cases/wcc-housing/HASB-1",
                        headers=seeded.headers("idva"))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_consent_opens_the_idva_pack_and_withdrawal_closes_it_for_the_next_decision(
        client: TestClient, seeded: Hub) -> None:
    mid = marac_meeting(client, seeded)
    # Without anyone's consent the IDVA is shown nothing of the case, not even its facts.
    before = idva_view(client, seeded, mid)
    assert before["allowed"] is False and not before.get("view")
    withheld = {r["disclosure_id"]: r for r in client.get(
        "/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()}[
        before["disclosure_id"]]["withheld"]
    assert "only with the person's consent" in withheld[VICTIM_NAME]
    assert "only with the person's consent" in withheld["case.ref"]

    given = give(client, seeded, ref="DV-FORM-1", note="consent form at interview")
    assert given.status_code == 201, given.text
    consent = given.json()
    assert consent["consent_id"] == "wcc-housing:DV-FORM-1"
    assert consent["collected_by"] == {"agency": "wcc-housing", "officer": "case_officer.user"}
    assert consent["status"] == "given" and consent["withdrawn_at"] is None

    released = idva_view(client, seeded, mid)
    assert released["view"]["case"]["party"][0]["name"] == "Victim HASB-1"
    party = released["view"]["case"]["party"]
    assert all(p is None for p in party[1:])  # the partner gave no consent
    log = {r["disclosure_id"]: r for r in client.get(
        "/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()}
    assert log[released["disclosure_id"]]["consent_ids"] == ["wcc-housing:DV-FORM-1"]
    assert log[released["disclosure_id"]]["recipient"] == "advance-idva"

    withdrawn = client.post("/v1/consents/wcc-housing:DV-FORM-1/withdrawal",
                            json={"reason": "asked by phone to stop"},
                            headers=seeded.headers("case_officer"))
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert [h["status"] for h in withdrawn.json()["history"]] == ["given", "withdrawn"]

    after = idva_view(client, seeded, mid)
    assert after["allowed"] is False and not after.get("view")
    again = client.post("/v1/consents/wcc-housing:DV-FORM-1/withdrawal",
                        json={"reason": "again"}, headers=seeded.headers("case_officer"))
    assert again.status_code == 409 and "already withdrawn" in again.json()["detail"]

    # The earlier release stays in the log; the DPO's list names it and its recipient.
    listed_withdrawn = client.get("/v1/dpo/withdrawn-consents", headers=seeded.headers("dpo"))
    assert listed_withdrawn.status_code == 200
    rows = listed_withdrawn.json()
    assert [r["disclosure_id"] for r in rows] == [released["disclosure_id"]]
    assert rows[0]["recipient"] == "advance-idva"
    assert rows[0]["withdrawn_consents"][0]["reason"] == "asked by phone to stop"
    paged = client.get("/v1/dpo/withdrawn-consents", params={"since": after_now(seeded)},
                       headers=seeded.headers("dpo"))
    assert paged.json() == []

    # Subject access lists the person's consents; the access log names each change.
    report = client.get(f"/v1/dpo/subject-access/{VICTIM}", headers=seeded.headers("dpo"))
    assert [c["consent_id"] for c in report.json()["consents"]] == ["wcc-housing:DV-FORM-1"]
    actions = [r["action"] for r in client.get("/v1/dpo/access-log",
                                               headers=seeded.headers("dpo")).json()]
    assert {"consents.give", "consents.withdraw", "dpo.withdrawn_consents"} <= set(actions)
    verified = client.get("/v1/dpo/audit/verify", headers=seeded.headers("dpo")).json()
    assert verified["ok"], verified["problems"]


def after_now(seeded: Hub) -> str:
    return (seeded.now + timedelta(days=365)).isoformat()


@pytest.mark.parametrize(("change", "field", "reason"), [
    ({"scope": {**IDVA_SCOPE, "purposes": ["marketing"]}}, "purposes", "unknown purpose"),
    ({"scope": {**IDVA_SCOPE, "recipients": ["acme-ltd"]}}, "recipients",
     "unknown recipient agency"),
    ({"scope": {**IDVA_SCOPE, "recipient_kinds": ["press"]}}, "recipient_kinds",
     "unknown kind of agency"),
    ({"scope": {**IDVA_SCOPE, "categories": ["shoe_size"]}}, "categories",
     "unknown data category"),
    ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at", "not after collected_at"),
    ({"scope": {**IDVA_SCOPE, "categories": ["health"]}}, "explicit",
     "special category data"),
    ({"method": "verbal", "scope": {**IDVA_SCOPE, "explicit": True}}, "method",
     "cannot evidence it"),
    ({"scope": {**IDVA_SCOPE, "purposes": []}}, "purposes", "at least one purpose"),
])
def test_bad_consent_is_refused_naming_the_field_and_nothing_is_stored(
        client: TestClient, seeded: Hub, change: dict[str, Any], field: str,
        reason: str) -> None:
    answer = give(client, seeded, **change)
    assert answer.status_code == 422, answer.text
    problem = answer.json()["detail"][0]
    assert problem["loc"][-1] == field and reason in problem["msg"], problem
    assert listed(client, seeded) == []


def test_withdrawal_refusals_change_nothing(client: TestClient, seeded: Hub) -> None:
    assert give(client, seeded, ref="C-1").status_code == 201
    body = {"reason": "asked"}
    unknown = client.post("/v1/consents/wcc-housing:NOPE/withdrawal", json=body,
                          headers=seeded.headers("case_officer"))
    assert unknown.status_code == 404
    other_agency = client.post("/v1/consents/wcc-housing:C-1/withdrawal", json=body,
                               headers=seeded.headers("idva"))
    assert other_agency.status_code == 403
    assert "only wcc-housing" in other_agency.json()["detail"]
    not_staff = client.post("/v1/consents/wcc-housing:C-1/withdrawal", json=body,
                            headers=seeded.headers("panel_member"))
    assert not_staff.status_code == 403 and "HUB_CONSENT_ROLES" in not_staff.json()["detail"]
    duplicate = give(client, seeded, ref="C-1")
    assert duplicate.status_code == 409 and "never amended" in duplicate.json()["detail"]
    [held] = listed(client, seeded)
    assert held["status"] == "given" and held["withdrawn_at"] is None
    # Another agency's staff cannot read it either: the same answer as an unknown record.
    assert client.get("/v1/consents/wcc-housing:C-1",
                      headers=seeded.headers("idva")).status_code == 404


def test_a_refusal_overridden_only_by_a_child_in_need_claim(client: TestClient,
                                                            seeded: Hub) -> None:
    refused = client.post("/v1/consents", headers=seeded.headers("case_officer"), json={
        "subject": VICTIM, "status": "refused", "method": "verbal",
        "collected_at": (seeded.now - timedelta(hours=1)).isoformat(),
        "scope": {}, "note": "does not want other agencies told"})
    assert refused.status_code == 201, refused.text
    assert refused.json()["scope"]["purposes"] is None  # every purpose

    def ask(client_name: str, claims: list[dict[str, Any]]) -> Any:
        return client.post("/v1/case-views", headers=seeded.headers(client_name), json={
            "case": {"agency": "wcc-housing", "ref": "HASB-1"}, "purpose": "safeguarding",
            "gateway_claims": claims})

    claim = {"gateway": "safeguarding_child_in_need",
             "justification": "a child in the household is at risk of significant harm",
             "proportionality": "only the victim's details", "third_parties_considered":
             "the child's welfare is paramount"}
    childrens = ask("safeguarding_lead", [claim])
    assert childrens.status_code == 200, childrens.text
    assert childrens.json()["view"]["case"]["party"][0]["name"] == "Victim HASB-1"
    assert "safeguarding_child_in_need" in childrens.json()["gateways"]
    # Nothing else overrides it: not the police's own agreement, not a MARAC pack.
    mid = marac_meeting(client, seeded)
    police = client.get(f"/v1/panels/meetings/{mid}/cases/wcc-housing/HASB-1",
                        headers=seeded.headers("police_officer"))
    reasons = {w["field"]: w["reason"] for w in police.json()["withheld"]}
    assert reasons[VICTIM_NAME].startswith("the person refused consent"), police.text
    log = {r["disclosure_id"]: r for r in client.get(
        "/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()}
    assert VICTIM_NAME in log[police.json()["disclosure_id"]]["withheld"]
    assert log[childrens.json()["disclosure_id"]]["gateways"] == ["safeguarding_child_in_need"]


def test_receipt_is_kantara_shaped(client: TestClient, seeded: Hub) -> None:
    given = give(client, seeded, ref="R-1", expires_at=after_now(seeded),
                 scope={**IDVA_SCOPE, "categories": ["identity", "health"], "explicit": True,
                        "recipient_kinds": ["childrens_services"]})
    assert given.status_code == 201, given.text
    receipt = client.get("/v1/consents/wcc-housing:R-1/receipt",
                         headers=seeded.headers("case_officer")).json()
    assert receipt["version"] == "KI-CR-v1.1.0" and receipt["jurisdiction"] == "GB"
    assert receipt["piiPrincipalId"] == VICTIM
    assert receipt["consentReceiptID"] == given.json()["receipt_id"]
    assert receipt["consentTimestamp"] == int(
        (seeded.now - timedelta(hours=2)).timestamp())
    assert receipt["collectionMethod"] == "written consent form"
    assert receipt["piiControllers"][0]["piiController"].startswith("Westminster City Council")
    [service] = receipt["services"]
    [purpose] = service["purposes"]
    assert purpose["purposeCategory"] == ["marac"] and purpose["consentType"] == "EXPLICIT"
    assert purpose["thirdPartyDisclosure"] is True
    assert "ADVANCE" in purpose["thirdPartyName"]
    assert "childrens services" in purpose["thirdPartyName"]
    assert "when withdrawn" in purpose["termination"]
    assert receipt["sensitive"] is True and receipt["spiCat"] == [
        "Physical and mental health (UK GDPR Art 9)"]
    refusal = client.post("/v1/consents", headers=seeded.headers("case_officer"), json={
        "subject": CHILD, "status": "refused", "ref": "R-2", "method": "verbal",
        "given_by": "parental_responsibility",
        "collected_at": (seeded.now - timedelta(hours=1)).isoformat(), "scope": {}})
    assert refusal.status_code == 201
    none = client.get("/v1/consents/wcc-housing:R-2/receipt",
                      headers=seeded.headers("case_officer"))
    assert none.status_code == 409 and "refusal" in none.json()["detail"]


def test_a_consent_naming_a_kind_of_service_opens_the_pack(
        client: TestClient, seeded: Hub) -> None:
    """The scope a member of staff records over the API reaches the policy: a consent to share
    with "support" services covers the IDVA service, one to another kind does not."""
    mid = marac_meeting(client, seeded)
    other_kind = {**IDVA_SCOPE, "recipients": [], "recipient_kinds": ["childrens_services"]}
    assert give(client, seeded, ref="K-1", scope=other_kind).status_code == 201
    assert idva_view(client, seeded, mid)["allowed"] is False  # nothing, the name included
    by_kind = {**IDVA_SCOPE, "recipients": [], "recipient_kinds": ["support"]}
    assert give(client, seeded, ref="K-2", scope=by_kind).status_code == 201
    view = idva_view(client, seeded, mid)
    assert view["view"]["case"]["party"][0]["name"] == "Victim HASB-1"
    log = {r["disclosure_id"]: r for r in client.get(
        "/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()}
    assert log[view["disclosure_id"]]["consent_ids"] == ["wcc-housing:K-2"]


def test_a_consent_only_recipient_learns_no_record_fact_without_a_persons_consent(
        client: TestClient, seeded: Hub) -> None:
    """Nobody in HASB-1 consented to the IDVA service: asking for the housing case for
    safeguarding, the IDVA got the police's linked domestic abuse incident CAD-1 (ref, time,
    ward: fields with no subject), where an unknown reference gave 404. The facts of a record
    about people now go only once one of them consented (seeds/002 L1451, L2026)."""
    ask = {"case": {"agency": "wcc-housing", "ref": "HASB-1"}, "purpose": "safeguarding"}
    idva = seeded.headers("idva")
    before = client.post("/v1/case-views", headers=idva, json=ask)
    unknown = client.post("/v1/case-views", headers=idva, json={
        **ask, "case": {"agency": "wcc-housing", "ref": "HASB-404"}})
    assert (before.status_code, unknown.status_code) == (404, 404), before.text
    assert set(before.json()) == set(unknown.json()) and "CAD-1" not in before.text
    refusal = {r["disclosure_id"]: r for r in client.get(
        "/v1/disclosures", headers=seeded.headers("dpo")).json()}[before.json()["disclosure_id"]]
    assert "only with the person's consent" in refusal["withheld"]["case.ref"]

    scope = {**IDVA_SCOPE, "purposes": ["safeguarding"]}
    assert give(client, seeded, scope=scope).status_code == 201
    after = client.post("/v1/case-views", headers=idva, json=ask)
    assert after.status_code == 200, after.text
    assert "Victim HASB-1" in after.text and "Partner HASB-1" not in after.text
    assert after.json()["gateways"] == ["consent"]
