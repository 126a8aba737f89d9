"""Shared fixtures: a real Kafka-protocol broker, real SQLite and PostgreSQL stores, agencies.

Every test that talks to Kafka gets its own broker (Tansu starts in well under a second), so no
test sees another's topics. Store-backed tests run on both SQLite and PostgreSQL.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.cryptography import AESCipher

from connectors import keys
from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import AGENCY_TOPIC_PREFIX, IngestWorker
from hub.registry import Registry
from hub.settings import Settings
from tests.stores import scratch_schema

FAST_CONSUMER = {"max_poll_interval_ms": 5000, "session_timeout_ms": 6000,
                 "heartbeat_interval_ms": 1000}
PUBLISHING_AGENCIES = ("met-police", "wcc-asb")


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(log_path=tmp_path / "broker.log") as running:
        yield running


@pytest.fixture(params=["sqlite", "postgres"])
def store_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment variables selecting the event store, as an operator would set them."""
    env = {"HUB_DATA_DIR": str(tmp_path / "hub-data"),
           "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32)}
    if request.param == "sqlite":
        yield env
        return
    with scratch_schema() as postgres:
        yield {**env, **postgres}


@dataclass
class Partnership:
    """A small partnership: settings, its registry, agency keys and a partnership key."""

    settings: Settings
    env: dict[str, str]
    partnership_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    agency_keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def registry(self) -> Registry:
        return Registry.load(self.settings.registry_path)

    def open_hub(self) -> PartnershipHub:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        return PartnershipHub(env=self.settings.store_env)

    @contextmanager
    def running_worker(self, hub: PartnershipHub) -> Iterator[IngestWorker]:
        worker = IngestWorker(self.settings, hub, consumer_options=FAST_CONSUMER)
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        try:
            yield worker
        finally:
            stop.set()
            thread.join(15)
            worker.close()


@pytest.fixture
def partnership(tmp_path: Path, broker: EmbeddedBroker, store_env: dict[str, str]
                ) -> Partnership:
    """Two publishing agencies with registered keys; API clients for several partners."""
    env = {**store_env, "HUB_KAFKA_BOOTSTRAP": broker.bootstrap_servers}
    settings = Settings.from_env(env)
    found = Partnership(settings, env)
    registry = Registry()
    for agency in PUBLISHING_AGENCIES:
        key = keys.generate(tmp_path / "keys" / f"{agency}.pem")
        found.agency_keys[agency] = key
        registry.register_agency(agency, agency, keys.public_key_text(key))
    for agency, role in (("wcc-housing", "case_officer"), ("gp-practice-x", "safeguarding_lead"),
                         ("met-police", "officer")):
        if agency not in registry.agencies:
            registry.register_agency(agency, agency, None)
        found.tokens[agency] = registry.create_client(agency, role)
    found.tokens["dpo"] = registry.create_client("wcc-asb", "dpo")
    registry.save(settings.registry_path)
    ensure_topics(broker.bootstrap_servers, [AGENCY_TOPIC_PREFIX + a for a in PUBLISHING_AGENCIES])
    return found


def wait_until(condition: Callable[[], bool], timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
