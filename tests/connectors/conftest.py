"""Fixtures for the connector tests.

Connector behaviour does not depend on the hub's event store, so these tests run on SQLite
only (``store_env`` is overridden here); the store itself is tested on both elsewhere.
``live_hub`` is one broker, registry, store and running worker shared by a module's tests,
with every sample agency registered, so the consumer group joins once per module.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import get_topic
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from connectors import keys
from domain.model import Incident
from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import AGENCY_TOPIC_PREFIX, IngestWorker
from hub.registry import Registry
from hub.settings import Settings
from tests.conftest import Partnership

SAMPLES = Path(__file__).parents[2] / "connectors" / "samples"
SAMPLE_AGENCIES = {
    "police-csv": ("met-police", "police-incidents.csv"),
    "council-webhook": ("wcc-asb", "council-cases.json"),
    "housing-csv": ("wcc-housing", "housing-cases.csv"),
    "noise-csv": ("wcc-noise", "noise-complaints.csv"),
    "mash-csv": ("wcc-mash", "mash-referrals.csv"),
    "relationships-csv": ("met-police", "relationships.csv"),
}


@pytest.fixture
def store_env(tmp_path: Path) -> dict[str, str]:
    return {"HUB_DATA_DIR": str(tmp_path / "hub-data"),
            "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32)}


def count_created(hub: PartnershipHub, kind: type = Incident) -> tuple[int, int]:
    """(creation events, distinct aggregates) of ``kind``: equal means each exactly once."""
    topic = get_topic(kind.Reported if kind is Incident else kind.Opened)  # type: ignore[attr-defined]
    found = hub.process_recorder.select_notifications(start=1, limit=1_000_000, topics=[topic])
    return len(found), len({n.originator_id for n in found})


def last_offsets(bootstrap: str, agency: str, idle_s: float = 1.5) -> dict[int, tuple[int, int]]:
    """partition -> (messages, highest offset) on the agency's topic, read to the end.

    Read rather than asked for: this Tansu build's ListOffsets reports one offset per record
    *batch*, so ``end_offsets`` undercounts when a producer batches.
    """
    topic = AGENCY_TOPIC_PREFIX + agency
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             enable_auto_commit=False)
    found: dict[int, tuple[int, int]] = {}
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < idle_s:
            batch = consumer.poll(timeout_ms=300, max_records=10_000)
            if batch:
                idle_since = time.monotonic()
            for tp, records in batch.items():
                count, _ = found.get(tp.partition, (0, -1))
                found[tp.partition] = (count + len(records), records[-1].offset)
    finally:
        consumer.close()
    return found


def messages_on(bootstrap: str, agency: str) -> int:
    """Kafka messages on the agency's topic (a resend is a second message)."""
    return sum(count for count, _ in last_offsets(bootstrap, agency).values())


def caught_up(hub: PartnershipHub, bootstrap: str, agency: str) -> bool:
    """The hub has handled every message on the agency's topic."""
    topic = AGENCY_TOPIC_PREFIX + agency
    for partition, (_, last) in last_offsets(bootstrap, agency).items():
        held = hub.last_position(f"{topic}:{partition}")
        if held is None or held < last:
            return False
    return True


@dataclass
class LiveHub:
    broker: EmbeddedBroker
    settings: Settings
    hub: PartnershipHub
    worker: IngestWorker
    work: Path
    partnership_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    agency_keys: dict[str, Ed25519PrivateKey] = field(default_factory=dict)

    @property
    def bootstrap(self) -> str:
        return self.broker.bootstrap_servers

    def key_file(self, agency: str) -> Path:
        return self.work / "keys" / f"{agency}.pem"

    def partnership_key_file(self) -> Path:
        path = self.work / "partnership.key"
        if not path.exists():
            path.write_text(self.partnership_key.hex())
        return path


def _register(settings: Settings, work: Path, agencies: list[str]
              ) -> dict[str, Ed25519PrivateKey]:
    registry = Registry.load(settings.registry_path)
    found = {}
    for agency in agencies:
        key = keys.generate(work / "keys" / f"{agency}.pem")
        found[agency] = key
        registry.register_agency(agency, agency, keys.public_key_text(key))
    registry.save(settings.registry_path)
    return found


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    work = tmp_path_factory.mktemp("live-hub")
    agencies = sorted({agency for agency, _ in SAMPLE_AGENCIES.values()}
                      | {"kcat-agency", "wcc-replay", "wcc-watch"})
    with EmbeddedBroker(log_path=work / "broker.log") as broker:
        settings = Settings.from_env({"HUB_DATA_DIR": str(work / "hub-data"),
                                      "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32),
                                      "HUB_KAFKA_BOOTSTRAP": broker.bootstrap_servers})
        agency_keys = _register(settings, work, agencies)
        ensure_topics(broker.bootstrap_servers, [AGENCY_TOPIC_PREFIX + a for a in agencies])
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        hub = PartnershipHub(env=settings.store_env)
        with Partnership(settings, {}).running_worker(hub) as worker:
            yield LiveHub(broker, settings, hub, worker, work, agency_keys=agency_keys)


def register_more(partnership: Partnership, tmp_path: Path, *agencies: str) -> None:
    """Add publishing agencies (and their topics) to a ``partnership`` fixture."""
    partnership.agency_keys.update(_register(partnership.settings, tmp_path, list(agencies)))
    assert partnership.settings.bootstrap_servers
    ensure_topics(partnership.settings.bootstrap_servers,
                  [AGENCY_TOPIC_PREFIX + a for a in agencies])


