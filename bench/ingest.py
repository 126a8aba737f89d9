"""Ingest throughput: events/s from the broker into the event store, beside the raw rate of a
bare kafka-python consumer reading the same topic, on SQLite and on PostgreSQL.

    python bench/ingest.py [--events 20000] [--stores sqlite,postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import secrets
import sys
import tempfile
import threading
import time
from pathlib import Path

from eventsourcing.cryptography import AESCipher
from kafka import KafkaConsumer, TopicPartition

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors import keys
from connectors.csv_incidents import row_to_envelope
from connectors.publisher import AgencyPublisher, agency_topic
from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import IngestWorker
from hub.registry import Registry
from hub.settings import Settings
from tests.stores import scratch_schema
from tests.test_worker_crash import incident_rows


def bare_consumer_rate(bootstrap: str, topic: str, expected: int) -> float:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_poll_records=2000)
    partitions = consumer.partitions_for_topic(topic) or set()
    consumer.assign([TopicPartition(topic, p) for p in partitions])
    consumer.seek_to_beginning()
    seen, started = 0, None
    while seen < expected:
        for records in consumer.poll(timeout_ms=1000).values():
            started = started or time.perf_counter()
            seen += len(records)
    rate = seen / (time.perf_counter() - (started or time.perf_counter()))
    consumer.close()
    return rate


def hub_rate(kind: str, bootstrap: str, registry: Registry, expected: int, work: Path) -> float:
    env = {"HUB_DATA_DIR": str(work / kind), "HUB_CIPHER_KEY": AESCipher.create_key(32)}
    with contextlib.ExitStack() as stack:
        if kind == "postgres":
            env.update(stack.enter_context(scratch_schema("bench")))
        return _hub_rate(kind, env, bootstrap, registry, expected)


def _hub_rate(kind: str, env: dict[str, str], bootstrap: str, registry: Registry,
              expected: int) -> float:
    settings = Settings.from_env({**env, "HUB_KAFKA_BOOTSTRAP": bootstrap,
                                  "HUB_CONSUMER_GROUP": f"bench-{kind}",
                                  "HUB_KAFKA_MAX_POLL_INTERVAL_MS": "10000",
                                  "HUB_KAFKA_SESSION_TIMEOUT_MS": "6000"})
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    registry.save(settings.registry_path)
    hub = PartnershipHub(env=settings.store_env)
    worker = IngestWorker(settings, hub)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    while worker.counts.handled == 0:
        time.sleep(0.01)
    started, first = time.perf_counter(), worker.counts.handled
    last_report = started
    while worker.counts.handled < expected:
        time.sleep(0.05)
        if time.perf_counter() - last_report > 5:
            last_report = time.perf_counter()
            print(f"  {kind}: {worker.counts.handled}/{expected} ingested", flush=True)
    rate = (expected - first) / (time.perf_counter() - started)
    stop.set()
    thread.join(15)
    worker.close()
    hub.close()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        work = Path(tmp)
        key = keys.generate(work / "met-police.pem")
        registry = Registry()
        registry.register_agency("met-police", "Metropolitan Police", keys.public_key_text(key))
        topic = agency_topic("met-police")
        ensure_topics(broker.bootstrap_servers, [topic])
        partnership_key = secrets.token_bytes(32)
        envelopes = [row_to_envelope(row, agency="met-police", source="urn:bench",
                                     partnership_key=partnership_key)
                     for row in incident_rows(args.events)]
        with AgencyPublisher(broker.bootstrap_servers, "met-police", key) as publisher:
            publisher.publish(envelopes)
        print(f"published {args.events} signed incident.reported events over 3 partitions")
        raw = bare_consumer_rate(broker.bootstrap_servers, topic, args.events)
        print(f"bare kafka-python consumer:            {raw:10,.0f} messages/s")
        for kind in args.stores.split(","):
            rate = hub_rate(kind, broker.bootstrap_servers, registry, args.events, work)
            print(f"hub ingest, broker -> {kind:<10} store: {rate:10,.0f} events/s "
                  "(verify, validate, record with tracking, encrypted)")


if __name__ == "__main__":
    main()
