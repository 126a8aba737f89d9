"""Operations: /health, /ready and /metrics of the API, and the worker's metrics and logs,
after real traffic through the real broker, store and policy engine."""

from __future__ import annotations

import dataclasses
import logging
import re
import socket
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import hub.ingest.worker as worker_module
from connectors.csv_incidents import read_incidents
from connectors.publisher import AgencyPublisher
from hub.api import create_app
from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker
from hub.ingest.metrics_server import serve_metrics
from hub.policy import load_engine
from hub.policy.opa_engine import OpaEngine
from hub.registry import Registry
from tests.api.conftest import add_clients
from tests.conftest import Partnership, wait_until
from tests.panels.data import make_settings, seed
from tests.policy.opa_server import opa_data_api

SAMPLES = Path(__file__).parents[1] / "hub" / "demo_data"
OPERATOR = "operator"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text, 0 if absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        series, value = line.rsplit(" ", 1)
        metric, _, label_text = series.partition("{")
        found = ",".join(sorted(label_text.rstrip("}").split(","))) if label_text else ""
        if metric == name and found == wanted:
            return float(value)
    return 0.0


def operator_token(partnership: Partnership) -> tuple[str, str]:
    registry = partnership.registry()
    operator = registry.create_client("met-police", OPERATOR)
    officer = registry.create_client("met-police", "police_officer")
    registry.save(partnership.settings.registry_path)
    return operator, officer


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seeded_api(tmp_path: Path, broker: EmbeddedBroker) -> tuple[TestClient, dict[str, str], str]:
    """The API over a seeded SQLite store and the real broker: the client, the tokens of
    tests/api's clients and an operator's token."""
    settings, tokens = make_settings(tmp_path)
    settings = dataclasses.replace(settings, bootstrap_servers=broker.bootstrap_servers)
    add_clients(settings, tokens)
    registry = Registry.load(settings.registry_path)
    operator = registry.create_client("wcc-asb", OPERATOR)
    registry.save(settings.registry_path)
    hub = PartnershipHub(env=settings.store_env)
    seed(hub, datetime.now(UTC))
    return TestClient(create_app(settings, hub, load_engine())), tokens, operator


def test_ready_metrics_and_health_of_the_api_after_real_disclosures(
        tmp_path: Path, broker: EmbeddedBroker) -> None:
    client, tokens, operator = seeded_api(tmp_path, broker)

    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    ready = client.get("/ready")
    assert ready.status_code == 200, ready.text
    body = ready.json()
    assert body["ready"] is True and body["bundle_revision"].startswith("sha256:")
    assert set(body["checks"]) == {"broker", "store", "policy_engine"}

    officer = {"Authorization": f"Bearer {tokens['case_officer']}", "X-Hub-User": "A Officer"}
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=officer).status_code == 403
    before = client.get("/metrics", headers={"Authorization": f"Bearer {operator}",
                                             "X-Hub-User": "ops"}).text
    released = client.post("/v1/case-views", headers=officer, json={
        "case": {"agency": "wcc-asb", "ref": "ASB-77"}, "purpose": "asb_case_management"})
    assert released.status_code == 200, released.text
    for _ in range(2):  # a refusal (no such case), twice
        refused = client.post("/v1/case-views", headers=officer, json={
            "case": {"agency": "wcc-asb", "ref": "NO-SUCH"}, "purpose": "asb_case_management"})
        assert refused.status_code == 404
    scrape = client.get("/metrics", headers={"Authorization": f"Bearer {operator}"})
    assert scrape.status_code == 200
    text = scrape.text

    def grew(name: str, **labels: str) -> float:
        return sample(text, name, **labels) - sample(before, name, **labels)

    assert grew("hub_request_seconds_count", method="POST", route="/v1/case-views",
                status="404") == 2
    assert grew("hub_request_seconds_count", method="POST", route="/v1/case-views",
                status="200") == 1
    outcome = "partial" if released.json()["withheld"] else "released"
    basis = (released.json()["gateways"] or ["agreement"])[0]
    assert grew("hub_decisions_total", outcome=outcome, gateway=basis) == 1
    assert grew("hub_decision_seconds_count", engine="regorus") == 1
    assert sample(text, "hub_audit_chain_length") >= 3  # the release and the two refusals
    assert "NO-SUCH" not in text and "ASB-77" not in text  # ids never become labels


def test_metrics_count_a_refusal_and_follow_a_signed_checkpoint(
        tmp_path: Path, broker: EmbeddedBroker) -> None:
    """A refusal of a case that exists is a decision (outcome refused, basis none), and the
    checkpoint gauge is what tells an operator how much of the chain is vouched for."""
    client, tokens, operator = seeded_api(tmp_path, broker)
    scraper = {"Authorization": f"Bearer {operator}"}
    before = client.get("/metrics", headers=scraper).text
    gp = {"Authorization": f"Bearer {tokens['gp']}", "X-Hub-User": "Dr Gee"}  # no agreement
    refused = client.post("/v1/case-views", headers=gp, json={
        "case": {"agency": "wcc-asb", "ref": "ASB-77"}, "purpose": "asb_case_management"})
    assert refused.status_code == 404, refused.text
    officer = {"Authorization": f"Bearer {tokens['case_officer']}", "X-Hub-User": "A Officer"}
    released = client.post("/v1/case-views", headers=officer, json={
        "case": {"agency": "wcc-asb", "ref": "ASB-77"}, "purpose": "asb_case_management"})
    assert released.status_code == 200, released.text
    after_traffic = client.get("/metrics", headers=scraper).text
    assert (sample(after_traffic, "hub_decisions_total", outcome="refused", gateway="none")
            - sample(before, "hub_decisions_total", outcome="refused", gateway="none")) == 1
    unsigned = sample(after_traffic, "hub_audit_last_checkpoint_seq")
    length = sample(after_traffic, "hub_audit_chain_length")
    assert length >= 2 and unsigned < length  # the two decisions are not yet signed for

    dpo = {"Authorization": f"Bearer {tokens['dpo']}", "X-Hub-User": "the.dpo"}
    signed = client.post("/v1/dpo/audit/checkpoints", headers=dpo)
    assert signed.status_code == 200, signed.text
    after = client.get("/metrics", headers=scraper).text
    assert sample(after, "hub_audit_last_checkpoint_seq") == signed.json()["seq"] >= length
    assert sample(after, "hub_audit_chain_length") > signed.json()["seq"]  # the DPO's access


def test_ready_says_which_part_is_down_within_seconds(partnership: Partnership) -> None:
    settings = dataclasses.replace(partnership.settings,
                                   bootstrap_servers=f"127.0.0.1:{closed_port()}")
    client = TestClient(create_app(settings, partnership.open_hub(), load_engine()))
    started = time.monotonic()
    ready = client.get("/ready")
    assert time.monotonic() - started < 15
    assert ready.status_code == 503
    checks = ready.json()["checks"]
    assert checks["broker"]["ok"] is False and "unreachable" in checks["broker"]["detail"]
    assert checks["store"]["ok"] is True and checks["policy_engine"]["ok"] is True


def test_ready_is_503_naming_the_policy_engine_when_opa_cannot_answer(
        tmp_path: Path, broker: EmbeddedBroker) -> None:
    """An OPA that does not answer means nothing can be released, so the replica must leave
    the load balancer; the same app over an OPA that answers is ready."""
    settings, _ = make_settings(tmp_path)
    settings = dataclasses.replace(settings, bootstrap_servers=broker.bootstrap_servers)
    hub = PartnershipHub(env=settings.store_env)
    port = closed_port()
    engine = OpaEngine(f"http://127.0.0.1:{port}", timeout=1.0, retries=0)
    ready = TestClient(create_app(settings, hub, engine)).get("/ready")
    assert ready.status_code == 503, ready.text
    body = ready.json()
    assert body["ready"] is False
    assert {name for name, check in body["checks"].items() if not check["ok"]} == {
        "policy_engine"}
    detail = body["checks"]["policy_engine"]["detail"]
    assert detail.startswith("policy engine opa:") and f"127.0.0.1:{port}" in detail
    assert "unavailable" in detail

    with opa_data_api() as url:
        answering = TestClient(create_app(settings, hub, OpaEngine(url))).get("/ready")
    assert answering.status_code == 200, answering.text
    assert answering.json()["checks"]["policy_engine"]["ok"] is True


def test_the_worker_reports_handled_dead_lettered_and_lag_and_logs_its_progress(
        partnership: Partnership, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setattr(worker_module, "PROGRESS_SECONDS", 0.2)
    operator, officer = operator_token(partnership)
    server = serve_metrics("127.0.0.1", 0, partnership.settings.registry_path)
    url = f"http://127.0.0.1:{server.server_port}/metrics"

    def scrape(token: str) -> str:
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            return str(answer.read().decode())

    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            scrape(officer)
        assert refused.value.code == 401
        before = scrape(operator)
        bootstrap = partnership.settings.bootstrap_servers or ""
        with AgencyPublisher(bootstrap, "met-police",
                             partnership.agency_keys["met-police"]) as publisher:
            publisher.publish(read_incidents(SAMPLES / "met-police-incidents.csv",
                                             agency="met-police",
                                             partnership_key=partnership.partnership_key))
        from kafka import KafkaProducer
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        producer.send("hub.agency.met-police", b"not json").get(30)
        producer.close()

        hub = partnership.open_hub()
        caplog.set_level(logging.INFO, logger="hub.ingest.worker")
        with partnership.running_worker(hub):
            def handled() -> bool:
                text = scrape(operator)
                return sample(text, "hub_events_dead_lettered_total", agency="met-police",
                              reason="malformed-json") > sample(
                    before, "hub_events_dead_lettered_total", agency="met-police",
                    reason="malformed-json")
            wait_until(handled, what="the dead letter counted")
            wait_until(lambda: "hub_consumer_lag{" in scrape(operator), what="lag reported")
            while_running = scrape(operator)
        after = scrape(operator)
    finally:
        server.shutdown()
    recorded = (sample(after, "hub_events_handled_total", agency="met-police",
                       outcome="recorded")
                - sample(before, "hub_events_handled_total", agency="met-police",
                         outcome="recorded"))
    assert recorded == 2  # the sample file's two police incidents
    lags = [float(v) for v in re.findall(r'hub_consumer_lag\{[^}]*\} (\S+)', while_running)]
    assert lags and all(v >= 0 for v in lags)
    assert "hub_consumer_lag{" not in after  # a revoked partition's lag is not left behind
    messages = [r.getMessage() for r in caplog.records]
    assert any(m.startswith("joined group") and "hub.agency.met-police" in m for m in messages)
    assert any(m.startswith("progress:") and "dead-lettered" in m for m in messages)


def test_metrics_need_an_operator_client_of_the_registry(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    registry = Registry()
    registry.register_agency("wcc-asb", "Westminster", None)
    token = registry.create_client("wcc-asb", OPERATOR)
    registry.save(path)
    server = serve_metrics("127.0.0.1", 0, path)
    try:
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(url, timeout=10)
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert b"hub_events_handled" in answer.read()
        registry.clients.clear()  # revoked: the next scrape reads the registry again
        registry.save(path)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=10)
    finally:
        server.shutdown()
