"""Household children and DASH answers in the case view (docs/domain.md "Sensitive facts";
docs/policies.md "Identity protection by person"): a child of the case's household carries the
case's flags and stands as the household's most protected adult, and the DASH is the adult
victim's. Found by an outside probe (probe12)."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient

from tests.api.conftest import Hub
from tests.api.test_identity_by_person import COMPLAINANT, PERP, send
from tests.panels.data import iso, party, place

CHILD = "Sam Quennell"
S115 = {"gateway": "cda_s115", "justification": "child at risk in the household",
        "proportionality": "the case only", "third_parties_considered": "the family",
        "special_category_condition": "sch1_para18"}
CHILD_IN_NEED = {"gateway": "safeguarding_child_in_need",
                 "justification": "a child in the household is at risk of significant harm",
                 "proportionality": "the household only",
                 "third_parties_considered": "the child's welfare is paramount",
                 "special_category_condition": "sch1_para18"}
DA_GATE = ("domestic abuse information from the council is forwarded only with the person's "
           "consent or if required by law")


def seed_da_case(seeded: Hub) -> None:
    """Housing's domestic abuse case: Nadia (tenant, complainant), her ex-partner Rory, her
    son Sam (14, a victim of the abuse, DA Act 2021 s3, as connectors/housing.py records)."""
    now = seeded.now
    kid_dob = (now - timedelta(days=14 * 365)).date().isoformat()
    send(seeded, "wcc-housing", "case.opened", {
        "record": {"ref": "HDA-12", "version": 1}, "opened_at": iso(now - timedelta(days=5)),
        "category": "domestic_abuse", "summary": "Nadia Quennell reports abuse by her ex-partner",
        "lead_officer": "Officer 3", "location": place(15),
        "parties": [party(*COMPLAINANT, "complainant", lives_at_location=True),
                    party(*PERP, "alleged_perpetrator"),
                    party(CHILD, kid_dob, "victim", lives_at_location=True)],
        "flags": {"domestic_abuse": True}})
    send(seeded, "wcc-housing", "case.risk.assessed", {
        "record": {"ref": "HDA-12", "version": 2}, "at": iso(now - timedelta(days=4)),
        "dash_answers": ["q2", "q5", "q9"],
        "risk_summary": "Nadia Quennell is pregnant and frightened; she moved to her sister"})


def test_a_household_child_is_under_the_domestic_abuse_consent_gate(client: TestClient,
                                                                 seeded: Hub) -> None:
    """Every field of the council's DA case is withheld from the police ("only with consent
    or if required by law", seeds/002 L447), the household's child included: his name and date
    of birth carry the case's domestic abuse flag (they did not: child_fields passed no record
    flags)."""
    seed_da_case(seeded)
    asked = client.post("/v1/case-views", headers=seeded.headers("police_officer"), json={
        "case": {"agency": "wcc-housing", "ref": "HDA-12"}, "purpose": "safeguarding",
        "gateway_claims": [S115]})
    # Nothing released: the same answer as for a reference that does not exist.
    assert asked.status_code == 404, asked.text
    assert asked.json()["detail"] == "no case view available to you for this reference"
    assert "view" not in asked.json() and CHILD not in asked.text
    log = {r["disclosure_id"]: r for r in client.get(
        "/v1/dpo/disclosures", headers=seeded.headers("dpo")).json()}
    row = log[asked.json()["disclosure_id"]]
    assert not row["allowed"] and row["released"] == [], row
    for path in ("case.summary", "household.child.0.name", "household.child.0.date_of_birth"):
        assert row["withheld"][path].startswith(DA_GATE), (path, row["withheld"].get(path))
    # The exception on the same line: Children's Services, told of a child in need, get him.
    childrens = client.post("/v1/case-views", headers=seeded.headers("safeguarding_lead"), json={
        "case": {"agency": "wcc-housing", "ref": "HDA-12"}, "purpose": "safeguarding",
        "gateway_claims": [CHILD_IN_NEED]})
    assert childrens.status_code == 200, childrens.text
    assert childrens.json()["gateways"] == ["safeguarding_child_in_need"]
    assert childrens.json()["view"]["household"]["child"][0]["name"] == CHILD


def test_perpetrator_side_gets_neither_the_complainants_dash_nor_her_childs_name(
        client: TestClient, seeded: Hub) -> None:
    """Acting for the alleged perpetrator (the bars apply to the supplier too): neither the name
    of the child who lives with her (her surname, her household, seeds/002 L1208) nor her DASH
    answers and risk summary (pregnant, moved to her sister) are given, and the DASH answers
    are hers, not the child's (the first victim named was the 14-year-old)."""
    seed_da_case(seeded)
    asked = client.post("/v1/case-views", headers=seeded.headers("case_officer"), json={
        "case": {"agency": "wcc-housing", "ref": "HDA-12"}, "purpose": "asb_case_management",
        "acting_for": "alleged_perpetrator"})
    assert asked.status_code == 200, asked.text
    text = json.dumps(asked.json()["view"])
    leaked = [s for s in ("Quennell", "pregnant", "suicidal", "her sister") if s in text]
    assert not leaked, f"the complainant's household and risk reach the perpetrator: {leaked}"
