"""The API end to end: agencies publish, the worker ingests, partners ask, the DPO audits."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from connectors.csv_cases import read_cases
from connectors.publisher import AgencyPublisher
from hub.api import create_app
from hub.policy import load_engine
from hub.registry import Registry
from hub.runtime import ApiServer
from tests.conftest import Partnership, wait_until
from tests.stores import store_locked
from tests.test_ingest import SAMPLES, publish_samples

ASK = {"case": {"agency": "wcc-asb", "ref": "CASE-2026-0042"}, "purpose": "asb_case_management"}


def headers(partnership: Partnership, client: str, user: str = "a.person") -> dict[str, str]:
    return {"Authorization": f"Bearer {partnership.tokens[client]}", "X-Hub-User": user}


def ingest_demo_case(partnership: Partnership):  # type: ignore[no-untyped-def]
    hub = partnership.open_hub()
    publish_samples(partnership)
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    with AgencyPublisher(bootstrap, "wcc-asb", partnership.agency_keys["wcc-asb"]) as publisher:
        publisher.publish(read_cases(SAMPLES / "wcc-asb-cases.csv", agency="wcc-asb",
                                     partnership_key=partnership.partnership_key))
    with partnership.running_worker(hub) as worker:
        wait_until(lambda: worker.counts.handled == 4, what="3 incidents and a case")
    return hub


def test_partner_sees_merged_view_stranger_is_refused_both_are_logged(
        partnership: Partnership) -> None:
    hub = ingest_demo_case(partnership)
    with ApiServer(partnership.settings, hub, load_engine()) as server, \
            httpx.Client(base_url=server.url) as http:
        housing = http.post("/v1/case-views", json=ASK,
                            headers=headers(partnership, "wcc-housing", "h.officer"))
        gp = http.post("/v1/case-views", json={**ASK, "purpose": "safeguarding"},
                       headers=headers(partnership, "gp-practice-x", "dr.example"))
        log = http.get("/v1/disclosures", headers=headers(partnership, "dpo", "the.dpo"))

    assert housing.status_code == 200, housing.text
    view = housing.json()["view"]
    # One view, three incidents from two agencies, linked through the victim's match key.
    assert view["case"]["ref"] == "CASE-2026-0042"
    assert sorted(i["agency"] + ":" + i["ref"] for i in view["incident"] if i) == [
        "met-police:MP-24-0001", "met-police:MP-24-0002", "wcc-asb:ASB-7781"]
    assert view["case"]["party"][0]["name"] == "Alex Sample"
    assert housing.json()["agreement"] == "swp-isp"

    # Refused: the same answer as for a case that does not exist; the reasons are the DPO's.
    assert gp.status_code == 404
    assert set(gp.json()) == {"detail", "disclosure_id", "decision_id", "bundle_revision"}
    assert gp.json()["detail"] == "no case view available to you for this reference"

    assert log.status_code == 200
    rows = {row["disclosure_id"]: row for row in log.json()}
    granted, refused = rows[housing.json()["disclosure_id"]], rows[gp.json()["disclosure_id"]]
    assert granted["requester"] == {"user": "h.officer", "agency": "wcc-housing",
                                    "role": "case_officer"}
    assert granted["allowed"] and len(granted["released"]) > 10
    assert granted["decision_id"] == housing.json()["decision_id"]
    assert granted["bundle_revision"].startswith("sha256:")
    assert not refused["allowed"] and refused["released"] == []
    assert refused["recipient"] == "gp-practice-x" and refused["purpose"] == "safeguarding"
    assert any("gp-practice-x" in reason and "agreement" in reason
               for reason in refused["reasons"]), refused["reasons"]


@pytest.fixture
def client(partnership: Partnership) -> Iterator[TestClient]:
    hub = partnership.open_hub()
    with TestClient(create_app(partnership.settings, hub, load_engine())) as test_client:
        yield test_client


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_only_health_and_openapi_are_open(client: TestClient, partnership: Partnership) -> None:
    assert client.get("/health").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    for method, path in (("post", "/v1/case-views"), ("get", "/v1/disclosures")):
        anonymous = client.request(method, path, json=ASK)
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        forged = client.request(method, path, json=ASK,
                                headers={"Authorization": "Bearer wcc-housing-x.guess",
                                         "X-Hub-User": "x"})
        assert forged.status_code == 401
    unnamed = client.post("/v1/case-views", json=ASK,
                          headers={"Authorization": f"Bearer {partnership.tokens['wcc-housing']}"})
    assert unnamed.status_code == 400 and "X-Hub-User" in unnamed.json()["detail"]
    not_dpo = client.get("/v1/disclosures", headers=headers(partnership, "wcc-housing"))
    assert not_dpo.status_code == 403 and "dpo" in not_dpo.json()["detail"]


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_unknown_case_is_404_discloses_nothing_and_is_logged(client: TestClient,
                                                             partnership: Partnership) -> None:
    answer = client.post("/v1/case-views", json={**ASK, "case": {"agency": "wcc-asb",
                                                                 "ref": "NOPE"}},
                         headers=headers(partnership, "wcc-housing"))
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no case view available to you for this reference"
    log = client.get("/v1/disclosures", headers=headers(partnership, "dpo")).json()
    assert [(r["disclosure_id"], r["record_ref"], r["allowed"], r["released"]) for r in log] == [
        (answer.json()["disclosure_id"], "wcc-asb:NOPE", False, [])]
    assert "no case_view wcc-asb:NOPE exists" in log[0]["reasons"][0]


def test_nothing_is_released_when_the_disclosure_cannot_be_recorded(
        partnership: Partnership) -> None:
    partnership.settings.store_env["SQLITE_LOCK_TIMEOUT"] = "1"
    partnership.settings.store_env["POSTGRES_LOCK_TIMEOUT"] = "1"
    hub = ingest_demo_case(partnership)
    with TestClient(create_app(partnership.settings, hub, load_engine())) as test_client:
        with store_locked(partnership.settings):
            locked = test_client.post("/v1/case-views", json=ASK,
                                      headers=headers(partnership, "wcc-housing"))
        after = test_client.post("/v1/case-views", json=ASK,
                                 headers=headers(partnership, "wcc-housing"))
        log: list[dict[str, Any]] = test_client.get(
            "/v1/disclosures", headers=headers(partnership, "dpo")).json()
    assert locked.status_code == 503
    assert "nothing was released" in locked.json()["detail"]
    assert "Alex" not in locked.text
    assert after.status_code == 200  # the hub recovers once the store is writable again
    assert [row["disclosure_id"] for row in log] == [after.json()["disclosure_id"]]


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_break_glass_needs_the_role_and_a_justification_and_awaits_dpo_review(
        partnership: Partnership) -> None:
    hub = ingest_demo_case(partnership)
    urgent = {**ASK, "purpose": "safeguarding",
              "override": {"justification": "Child at immediate risk tonight; duty manager "
                                            "authorised release pending a gateway"}}
    with TestClient(create_app(partnership.settings, hub, load_engine())) as test_client:
        not_allowed = test_client.post("/v1/case-views", json=urgent,
                                       headers=headers(partnership, "wcc-housing"))
        terse = test_client.post("/v1/case-views",
                                 json={**urgent, "override": {"justification": "urgent"}},
                                 headers=headers(partnership, "gp-practice-x"))
        broken = test_client.post("/v1/case-views", json=urgent,
                                  headers=headers(partnership, "gp-practice-x", "dr.duty"))
        waiting = test_client.get("/v1/dpo/overrides", headers=headers(partnership, "dpo"))

    assert not_allowed.status_code == 403 and "HUB_OVERRIDE_ROLES" in not_allowed.text
    assert terse.status_code == 403 and "justification" in terse.text
    assert broken.status_code == 200, broken.text
    assert broken.json()["override"] is True
    assert broken.json()["view"]["case"]["party"][0]["name"] == "Alex Sample"
    assert waiting.status_code == 200
    pending = [row["disclosure_id"] for row in waiting.json()]
    assert pending == [broken.json()["disclosure_id"]]


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_acting_for_is_a_party_role_or_refused(client: TestClient,
                                               partnership: Partnership) -> None:
    """Free text such as "alleged perpetrator" would not match the identity protection, so the
    API takes only the policy's party roles (seeds/002 L1208) and stores nothing otherwise."""
    loose = client.post("/v1/case-views", json={**ASK, "acting_for": "alleged perpetrator"},
                        headers=headers(partnership, "wcc-housing"))
    assert loose.status_code == 422
    assert "alleged_perpetrator" in loose.text
    assert client.get("/v1/disclosures", headers=headers(partnership, "dpo")).json() == []
    side = client.post("/v1/case-views", json={**ASK, "acting_for": "alleged_perpetrator"},
                       headers=headers(partnership, "wcc-housing"))
    assert side.status_code == 404  # taken, and answered (no case is recorded in this hub)
    assert len(client.get("/v1/disclosures", headers=headers(partnership, "dpo")).json()) == 1


def test_court_order_and_statistics_end_to_end(partnership: Partnership) -> None:
    """Published over Kafka, ingested by the worker, asked over HTTP: a court-ordered disclosure
    goes to the named court under para 5(1) with the council's own records only, and the
    partnership's statistics name no one (issue 12 part 2)."""
    registry = Registry.load(partnership.settings.registry_path)
    for agency in ("wcc-legal",):
        if agency not in registry.agencies:
            registry.register_agency(agency, agency, None)
    legal = registry.create_client("wcc-legal", "legal_officer")
    analyst = registry.create_client("met-police", "analyst")
    registry.save(partnership.settings.registry_path)
    hub = ingest_demo_case(partnership)
    court = {"name": "Westminster Magistrates' Court", "reference": "WMC 2026/123"}
    with ApiServer(partnership.settings, hub, load_engine()) as server, \
            httpx.Client(base_url=server.url) as http:
        ordered = http.post("/v1/case-views", headers={
            "Authorization": f"Bearer {legal}", "X-Hub-User": "l.officer"}, json={
            **ASK, "purpose": "required_by_law", "recipient": "court",
            "recipient_detail": court, "gateway_claims": [{
                "gateway": "legal_obligation",
                "justification": "order WMC 2026/123: produce the council's case records"}]})
        counts = http.get("/v1/statistics", params={"group_by": "category"}, headers={
            "Authorization": f"Bearer {analyst}", "X-Hub-User": "an.alyst"})
        log = http.get("/v1/disclosures", headers=headers(partnership, "dpo", "the.dpo"))

    assert ordered.status_code == 200, ordered.text
    answer = ordered.json()
    assert answer["gateways"] == ["legal_obligation"]
    incidents = [i for i in answer["view"]["incident"] if i]
    assert [i["agency"] for i in incidents] == ["wcc-asb"]  # police records are theirs to give
    rows = {r["disclosure_id"]: r for r in log.json()}
    row = rows[answer["disclosure_id"]]
    assert (row["recipient"], row["purpose"], row["gateways"]) == (
        "court", "required_by_law", ["legal_obligation"])
    assert row["recipient_detail"] == {"id": "court", **court}
    assert row["requester"]["agency"] == "wcc-legal"

    assert counts.status_code == 200, counts.text
    assert set(counts.json()["counts"].values()) <= {"<5", ">=5"} | set(range(5, 10_000))
    assert "Alex Sample" not in counts.text and "mk1:" not in counts.text
    assert rows[counts.json()["disclosure_id"]]["record_kind"] == "statistics"
