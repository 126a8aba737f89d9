"""Every process may start at once on a fresh store: the library sets the store up without a
lock, so the second of two processes used to crash (``Failed to record tracking for
__migration__ 1``, or a duplicate type); now it waits and tries again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker, free_port
from hub.runtime import open_hub
from tests.conftest import Partnership, wait_until
from tests.outage.cluster import PrivateCluster
from tests.outage.conftest import ASK, demo_records, fresh_schema, make_partnership, publish

ROOT = Path(__file__).parents[2]


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_store(request: pytest.FixtureRequest) -> dict[str, str]:
    """The store variables of a store nobody has opened yet."""
    if request.param == "sqlite":
        return {}
    cluster: PrivateCluster = request.getfixturevalue("cluster")
    return fresh_schema(cluster)


def test_many_processes_opening_a_fresh_store_at_once_all_open_it(
        fresh_store: dict[str, str], broker: EmbeddedBroker, tmp_path: Path) -> None:
    settings = make_partnership(tmp_path, broker.bootstrap_servers, fresh_store).settings
    start = threading.Barrier(4)
    opened: list[PartnershipHub] = []
    failed: list[BaseException] = []

    def open_one() -> None:
        start.wait()
        try:
            opened.append(open_hub(settings, patience=30))
        except BaseException as exc:
            failed.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failed, failed
    assert len(opened) == 4
    for hub in opened:
        assert hub.last_position("hub.agency.x:0") is None  # each one works
        hub.close()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()


def spawn(partnership: Partnership, processes: list[subprocess.Popen[str]], *args: str,
          log: Path) -> subprocess.Popen[str]:
    env = {**os.environ, **partnership.env, "PYTHONPATH": str(ROOT),
           "HUB_KAFKA_MAX_POLL_INTERVAL_MS": "5000", "HUB_KAFKA_SESSION_TIMEOUT_MS": "6000"}
    process = subprocess.Popen([sys.executable, "-m", "hub.cli", "-v", *args], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=log.open("w"), text=True)
    processes.append(process)
    return process


def test_two_workers_and_the_api_started_together_on_a_fresh_store_all_run(
        fresh_store: dict[str, str], broker: EmbeddedBroker, tmp_path: Path,
        processes: list[subprocess.Popen[str]]) -> None:
    partnership = make_partnership(tmp_path, broker.bootstrap_servers, fresh_store)
    port = free_port()
    logs = [tmp_path / name for name in ("worker-1.log", "worker-2.log", "api.log")]
    spawn(partnership, processes, "worker", log=logs[0])
    spawn(partnership, processes, "worker", log=logs[1])
    spawn(partnership, processes, "api", "--port", str(port), log=logs[2])
    for agency, envelopes in demo_records(partnership).items():
        publish(partnership, agency, envelopes)

    partner = {"Authorization": f"Bearer {partnership.tokens['wcc-housing']}",
               "X-Hub-User": "h.officer"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
        def served() -> bool:
            try:
                return http.post("/v1/case-views", json=ASK, headers=partner).status_code == 200
            except httpx.TransportError:
                return False
        wait_until(served, timeout=120, what="the workers to record the case and the API to "
                                             "release it")
    crashed = {log.name: log.read_text()[-2000:] for log, process in zip(logs, processes,
                                                                        strict=True)
               if process.poll() is not None}
    assert not crashed, crashed
    for log in logs:
        assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
