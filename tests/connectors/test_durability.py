"""Durability at the agency: a broker outage and a killed connector lose and duplicate nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from connectors.publisher import SpoolSender
from connectors.registry import CONNECTORS
from connectors.runner import spool_source
from connectors.samples.generate import write_noise
from connectors.spool import Spool
from domain.model import ids
from hub.broker import EmbeddedBroker
from tests.conftest import Partnership, wait_until
from tests.connectors.conftest import count_created

AGENCY = "wcc-asb"
RECORDS = 10_000
pytestmark = pytest.mark.slow


@pytest.fixture
def store_env(tmp_path: Path) -> dict[str, str]:
    """In-memory SQLite: these tests are about the agency side; 10,000 records through the
    file-backed store would spend most of the time in fsync (that store is tested elsewhere)."""
    return {"HUB_DATA_DIR": str(tmp_path / "hub-data"),
            "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32),
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": f"file:hub-{uuid.uuid4().hex}?mode=memory&cache=shared"}


def spool_counts(path: Path) -> dict[str, int]:
    """Read the spool file as an operator's monitoring would, from outside the connector."""
    if not path.exists():
        return {}
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
        return dict(db.execute("SELECT state, COUNT(*) FROM events GROUP BY state").fetchall())


def assert_all_held_once(hub, worker, refs: list[str]) -> None:  # type: ignore[no-untyped-def]
    # worker.counts.recorded counts envelopes that changed the store (a re-sent one does not)
    wait_until(lambda: worker.counts.recorded >= len(refs), timeout=170,
               what=f"{len(refs)} incidents in the hub")
    created, distinct = count_created(hub)
    assert created == distinct == len(refs)
    held = {n.originator_id for n in hub.process_recorder.select_notifications(
        start=1, limit=1_000_000)}
    missing = [ref for ref in refs if ids.incident_id(AGENCY, ref) not in held]
    assert not missing


def noise_file(tmp_path: Path) -> tuple[Path, list[str]]:
    source = tmp_path / "noise.csv"
    write_noise(source, RECORDS, with_complainant=0.0)
    return source, [f"NS-{i + 1:07d}" for i in range(RECORDS)]


def test_records_wait_out_a_broker_outage_and_arrive_once(
        partnership: Partnership, broker: EmbeddedBroker, tmp_path: Path) -> None:
    source, refs = noise_file(tmp_path)
    hub = partnership.open_hub()
    spool = Spool(tmp_path / "agency.spool")
    assert partnership.settings.bootstrap_servers
    sender = SpoolSender(spool, partnership.settings.bootstrap_servers, AGENCY,
                         max_backoff=1.0, request_timeout_ms=5000, delivery_timeout_ms=8000)
    # The worker starts after the outage: this test is about the agency side (the worker's own
    # recovery from a broker outage is tested with the worker).
    broker.pause()
    try:
        def publish() -> None:
            spool_source(CONNECTORS["noise-csv"], source, agency=AGENCY,
                         partnership_key=partnership.partnership_key,
                         key=partnership.agency_keys[AGENCY], spool=spool,
                         rejects_path=tmp_path / "rejects.jsonl")
            sender.drain()

        connector = threading.Thread(target=publish, daemon=True)
        connector.start()
        wait_until(lambda: spool.status().pending == RECORDS, timeout=60,
                   what="the export to be spooled")
        time.sleep(4)  # the broker stays away a while: nothing is acknowledged
        assert spool.status().sent == 0
    finally:
        broker.resume()
    connector.join(120)
    assert not connector.is_alive()
    status = spool.status()
    assert (status.pending, status.sent, status.rejected) == (0, RECORDS, 0)
    with partnership.running_worker(hub) as worker:
        assert_all_held_once(hub, worker, refs)
    sender.close()
    spool.close()


def test_a_killed_connector_resumes_without_loss_or_duplicate(
        partnership: Partnership, tmp_path: Path) -> None:
    source, refs = noise_file(tmp_path)
    key_file = tmp_path / "keys" / f"{AGENCY}.pem"
    partnership_key = tmp_path / "partnership.key"
    partnership_key.write_text(partnership.partnership_key.hex())
    spool_file = tmp_path / "agency.spool"
    assert partnership.settings.bootstrap_servers
    command = [sys.executable, "-m", "connectors.cli", "run", "noise-csv",
               "--source", str(source), "--agency", AGENCY, "--key-file", str(key_file),
               "--bootstrap", partnership.settings.bootstrap_servers,
               "--partnership-key-file", str(partnership_key), "--spool", str(spool_file)]
    hub = partnership.open_hub()
    with partnership.running_worker(hub) as worker:
        first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            wait_until(lambda: spool_counts(spool_file).get("sent", 0) >= 2000, timeout=90,
                       what="the connector to be part-way through sending")
        finally:
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        assert first.returncode == -signal.SIGKILL
        part_way = spool_counts(spool_file)
        assert part_way.get("sent", 0) < RECORDS
        second = subprocess.run(command, capture_output=True, text=True, timeout=180)
        assert second.returncode == 0, second.stdout + second.stderr
        assert spool_counts(spool_file) == {"sent": RECORDS}
        assert_all_held_once(hub, worker, refs)
