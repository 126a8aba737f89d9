"""/ready while PostgreSQL is stopped (a private cluster, tests/outage/cluster.py): 503 naming the
event store, within seconds, so an orchestrator takes the replica out; 200 again once it is
back."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from hub.api import create_app
from hub.broker import EmbeddedBroker
from hub.policy import load_engine
from hub.runtime import open_hub
from tests.conftest import wait_until
from tests.outage.cluster import PrivateCluster
from tests.outage.conftest import fresh_schema, make_partnership


def test_ready_is_503_naming_the_store_while_postgres_is_stopped(
        cluster: PrivateCluster, broker: EmbeddedBroker, tmp_path: Path) -> None:
    settings = make_partnership(tmp_path, broker.bootstrap_servers,
                                fresh_schema(cluster)).settings
    with open_hub(settings) as hub:
        client = TestClient(create_app(settings, hub, load_engine()))
        assert client.get("/ready").status_code == 200
        cluster.stop()
        try:
            started = time.monotonic()
            ready = client.get("/ready")
            took = time.monotonic() - started
        finally:
            cluster.start()
        assert ready.status_code == 503, ready.text
        body = ready.json()
        assert body["ready"] is False and took < 10, took
        assert {name for name, check in body["checks"].items() if not check["ok"]} == {"store"}
        assert body["checks"]["store"]["detail"].startswith("event store unavailable")
        wait_until(lambda: client.get("/ready").status_code == 200, timeout=30,
                   what="ready again once PostgreSQL is back")
