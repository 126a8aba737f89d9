"""The DPO's tools: overrides and their review, searches, subject access, partner reports,
and notifications to the agency whose data went onward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from hub.audit.queries import access_rows, disclosure_rows
from hub.sharing import OverrideNotPermitted, Requester, disclose_case_view
from tests.audit.conftest import CASE, Hub

pytestmark = pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)

HOUSING = Requester("h.officer", "wcc-housing", "case_officer")
GP = Requester("dr.example", "gp-practice-x", "safeguarding_lead")
POLICE = Requester("pc.example", "met-police", "police_officer")
PANEL = {"type": "hccp", "id": "HCCP-2026-10"}
WHY = "child at immediate risk: the GP needs the address to arrange a same-day visit"
CRIME_CLAIM = {"gateway": "dpa_sch2_para2",
               "justification": "investigating the assault on the stairwell",
               "proportionality": "this case only", "third_parties_considered": "witness unnamed",
               "prejudice_test": {"prejudice": "detection would be prejudiced",
                                  "causal_link": "suspect would be alerted",
                                  "likelihood": "likely"}}


def share(hub: Hub, who: Requester, purpose: str = "asb_case_management", **kw):  # type: ignore[no-untyped-def]
    return disclose_case_view(hub.app, hub.engine, who, case_agency=CASE["agency"],
                              case_ref=CASE["ref"], purpose=purpose, **kw)


def test_override_is_recorded_with_what_policy_would_have_withheld_and_reviewed(
        hub: Hub, api: TestClient) -> None:
    hub.record_samples()
    with pytest.raises(OverrideNotPermitted, match="HUB_OVERRIDE_ROLES"):
        share(hub, HOUSING, override={"justification": WHY})
    with pytest.raises(OverrideNotPermitted, match="justification"):
        share(hub, GP, "safeguarding", override={"justification": "urgent"})
    assert disclosure_rows(hub.app) == []

    refused = share(hub, GP, "safeguarding")
    assert not refused.allowed and refused.released == {}
    broke_glass = share(hub, GP, "safeguarding", override={"justification": WHY})
    assert broke_glass.allowed and broke_glass.override
    assert broke_glass.released["case"]["party"][0]["name"] == "Alex Sample"

    pending = api.get("/v1/dpo/overrides", headers=hub.headers("dpo"))
    assert [r["disclosure_id"] for r in pending.json()] == [broke_glass.disclosure_id]
    row = pending.json()[0]
    assert row["override"]["justification"] == WHY
    assert row["override"]["policy_allowed"] is False
    assert set(row["override"]["policy_withheld"]) == set(row["released"])
    assert row["justification"] == f"override: {WHY}" and row["withheld"] == {}
    assert row["decision_id"] == broke_glass.decision.decision_id

    url = f"/v1/dpo/overrides/{broke_glass.disclosure_id}/review"
    body = {"outcome": "upheld", "note": "proportionate; child protection"}
    assert api.post(url, json=body, headers=hub.headers("wcc-housing")).status_code == 403
    reviewed = api.post(url, json=body, headers=hub.headers("dpo", "the.dpo"))
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["reviewer"]["user"] == "the.dpo"
    assert api.post(url, json=body, headers=hub.headers("dpo")).status_code == 409
    not_override = f"/v1/dpo/overrides/{refused.disclosure_id}/review"
    assert api.post(not_override, json=body, headers=hub.headers("dpo")).status_code == 409
    assert api.post("/v1/dpo/overrides/nope/review", json=body,
                    headers=hub.headers("dpo")).status_code == 404
    assert api.get("/v1/dpo/overrides", headers=hub.headers("dpo")).json() == []
    done = api.get("/v1/dpo/overrides?status=all", headers=hub.headers("dpo")).json()
    assert done[0]["override_review"]["outcome"] == "upheld"

    verified = api.get("/v1/dpo/audit/verify", headers=hub.headers("dpo")).json()
    assert verified["ok"], verified
    # refusal, override, 3 override listings, the review (verifying is logged after)
    assert verified["entries"] == 6


def test_searches_reports_subject_access_and_supplier_notifications(
        hub: Hub, api: TestClient) -> None:
    hub.record_samples()
    case = hub.app.case(CASE["agency"], CASE["ref"])
    assert case is not None
    victim = next(p["match_key"] for p in case.parties if p["role"] == "victim")
    made = [share(hub, HOUSING), share(hub, HOUSING, "hccp", panel=PANEL),
            share(hub, GP, "safeguarding"),
            share(hub, POLICE, gateway_claims=[CRIME_CLAIM]),
            share(hub, GP, "safeguarding", override={"justification": WHY})]
    housing, hccp, refused, police, override = (m.disclosure_id for m in made)
    assert not made[2].allowed and made[3].decision.gateways == ("dpa_sch2_para2",)

    def search(**params: str) -> list[str]:
        answer = api.get("/v1/dpo/disclosures", params=params, headers=hub.headers("dpo"))
        assert answer.status_code == 200, answer.text
        return [r["disclosure_id"] for r in answer.json()]

    assert search(person=victim) == [housing, hccp, refused, police, override]
    assert search(person="mk1:" + "0" * 64) == []
    assert search(partner="gp-practice-x") == [refused, override]
    assert search(purpose="hccp") == [hccp]
    rows = {r["disclosure_id"]: r for r in disclosure_rows(hub.app)}
    assert rows[hccp]["referral"] == "hccp:HCCP-2026-10"
    assert rows[police]["justification"].startswith("dpa_sch2_para2: investigating")
    assert "third parties: witness unnamed" in rows[police]["necessity"]
    assert search(gateway="dpa_sch2_para2") == [police]
    assert search(outcome="refused") == [refused]
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert search(since=later) == [] and search(until=later) != []
    refusals = api.get("/v1/dpo/refusals", headers=hub.headers("dpo")).json()
    assert [r["disclosure_id"] for r in refusals] == [refused] and refusals[0]["reasons"]

    sar = api.get(f"/v1/dpo/subject-access/{victim}", headers=hub.headers("dpo")).json()
    assert [e["disclosure_id"] for e in sar["disclosures"]] == [housing, hccp, override]
    assert [e["disclosure_id"] for e in sar["held_back"]] == [police]
    released = api.post(f"/v1/dpo/subject-access/{police}/release",
                        json={"note": "investigation closed"}, headers=hub.headers("dpo"))
    assert released.status_code == 200
    sar = api.get(f"/v1/dpo/subject-access/{victim}", headers=hub.headers("dpo")).json()
    assert [e["disclosure_id"] for e in sar["disclosures"]] == [housing, hccp, police, override]
    assert sar["held_back"] == []
    assert "Alex" not in str(sar)

    report = {r["partner"]: r for r in api.get("/v1/dpo/partner-report",
                                               headers=hub.headers("dpo")).json()}
    assert report["wcc-housing"]["released"] == 2
    assert report["wcc-housing"]["purposes"] == ["asb_case_management", "hccp"]
    assert (report["gp-practice-x"]["refused"], report["gp-practice-x"]["overrides"]) == (1, 1)
    assert report["met-police"]["gateways"] == ["dpa_sch2_para2"]
    assert api.get("/v1/dpo/partner-report", params={"since": later},
                   headers=hub.headers("dpo")).json() == []

    police_notes = api.get("/v1/notifications", headers=hub.headers("met-police")).json()
    assert [n["disclosure_id"] for n in police_notes] == [housing, hccp, override]
    assert all(f.startswith("incident.") for n in police_notes for f in n["fields"])
    assert api.get("/v1/notifications", headers=hub.headers("wcc-housing")).json() == []

    actions = [(a["user"], a["action"]) for a in access_rows(hub.app)]
    assert actions.count(("a.person", "dpo.search_disclosures")) == 8
    assert ("a.person", "notifications") in actions
    assert api.get("/v1/dpo/access-log", params={"user": "nobody"},
                   headers=hub.headers("dpo")).json() == []
