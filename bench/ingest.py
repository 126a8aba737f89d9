"""Ingest throughput: the worker's events/s from the broker into the event store, beside a bare
kafka-python consumer reading the same messages, on SQLite and on PostgreSQL, in one run.

    python bench/ingest.py [--events 20000] [--stores sqlite,postgres] [--json FILE]

Both sides are counted the same way: from the moment the first messages are in hand (the
worker's group join and each side's first poll are left out) to the last message. The bare
consumer reads the topic again just before each store is measured, with the worker's own fetch
settings, so that other work on a shared machine slows both sides of each ratio alike.
Targets (issue 13): the worker at >= 0.5x the bare consumer on SQLite, >= 0.3x on PostgreSQL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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

TARGETS = {"sqlite": 0.5, "postgres": 0.3}
FETCH = {"max_poll_records": 500, "fetch_max_wait_ms": 100}  # as the worker fetches


def bare_consumer_rate(bootstrap: str, topic: str, expected: int) -> float:
    """Messages/s of a consumer that only reads, counted after its first poll."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **FETCH)
    partitions = consumer.partitions_for_topic(topic) or set()
    consumer.assign([TopicPartition(topic, p) for p in partitions])
    consumer.seek_to_beginning()
    seen, first, started = 0, 0, 0.0
    while seen < expected:
        for records in consumer.poll(timeout_ms=1000).values():
            seen += len(records)
            if not started:
                started, first = time.perf_counter(), seen
    rate = (seen - first) / (time.perf_counter() - started)
    consumer.close()
    return rate


def worker_rate(kind: str, bootstrap: str, registry: Registry, expected: int,
                work: Path) -> dict[str, float]:
    env = {"HUB_DATA_DIR": str(work / kind), "HUB_CIPHER_KEY": AESCipher.create_key(32)}
    with contextlib.ExitStack() as stack:
        if kind == "postgres":
            env.update(stack.enter_context(scratch_schema("bench")))
        settings = Settings.from_env({**env, "HUB_KAFKA_BOOTSTRAP": bootstrap,
                                      "HUB_CONSUMER_GROUP": f"bench-{kind}",
                                      "HUB_KAFKA_MAX_POLL_INTERVAL_MS": "10000",
                                      "HUB_KAFKA_SESSION_TIMEOUT_MS": "6000"})
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        registry.save(settings.registry_path)
        hub = PartnershipHub(env=settings.store_env)
        try:
            return _run_worker(kind, settings, hub, expected)
        finally:
            hub.close()


def _run_worker(kind: str, settings: Settings, hub: PartnershipHub, expected: int
                ) -> dict[str, float]:
    worker = IngestWorker(settings, hub)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
    thread.start()
    try:
        while worker.counts.handled == 0:
            time.sleep(0.005)
        started, first = time.perf_counter(), worker.counts.handled
        queries, last_report = _store_reads(hub), started
        while worker.counts.handled < expected:
            time.sleep(0.01)
            if time.perf_counter() - last_report > 5:
                last_report = time.perf_counter()
                print(f"  {kind}: {worker.counts.handled:,}/{expected:,} ingested", flush=True)
        elapsed = time.perf_counter() - started
    finally:
        stop.set()
        thread.join(15)
        worker.close()
    if worker.counts.recorded != expected:
        raise RuntimeError(f"{kind}: recorded {worker.counts.recorded} of {expected}: "
                           f"{worker.counts}")
    return {"events_per_s": (expected - first) / elapsed, "seconds": elapsed,
            "store_reads": _store_reads(hub) - queries}


def _store_reads(hub: PartnershipHub) -> int:
    """Batched reads so far (none where the hub has no working set: a baseline's code)."""
    working_set = getattr(hub, "working_set", None)
    return working_set.queries if working_set is not None else 0


def publish(bootstrap: str, events: int, work: Path) -> tuple[Registry, str]:
    key = keys.generate(work / "met-police.pem")
    registry = Registry()
    registry.register_agency("met-police", "Metropolitan Police", keys.public_key_text(key))
    topic = agency_topic("met-police")
    ensure_topics(bootstrap, [topic])
    partnership_key = secrets.token_bytes(32)
    envelopes = [row_to_envelope(row, agency="met-police", source="urn:bench",
                                 partnership_key=partnership_key)
                 for row in incident_rows(events)]
    with AgencyPublisher(bootstrap, "met-police", key) as publisher:
        publisher.publish(envelopes)
    return registry, topic


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    figures: dict[str, Any] = {"benchmark": "ingest", "events": args.events, "stores": {}}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        registry, topic = publish(broker.bootstrap_servers, args.events, Path(tmp))
        print(f"published {args.events:,} signed incident.reported events over 3 partitions",
              flush=True)
        for kind in args.stores.split(","):
            bare = bare_consumer_rate(broker.bootstrap_servers, topic, args.events)
            hub = worker_rate(kind, broker.bootstrap_servers, registry, args.events, Path(tmp))
            ratio = hub["events_per_s"] / bare
            figures["stores"][kind] = {
                "bare_consumer_per_s": round(bare), "worker_per_s": round(hub["events_per_s"]),
                "ratio": round(ratio, 3), "target_ratio": TARGETS.get(kind),
                "met": ratio >= TARGETS.get(kind, 0), "worker_seconds": round(hub["seconds"], 2),
                "store_reads": hub["store_reads"]}
            print(f"{kind:<9} bare consumer {bare:9,.0f} msg/s | worker {hub['events_per_s']:9,.0f}"
                  f" events/s (verify, validate, record with tracking, sealed, encrypted) | "
                  f"{ratio:.2f}x (target {TARGETS.get(kind, 0):.1f}x)", flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main()
