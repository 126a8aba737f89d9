"""Reading back the hub's dead letters for one agency, from its own topic
``hub.deadletter.<agency>`` (no agency can read another's: docs/envelope.md, "Dead letters").

Each letter says why a message was refused and where the original is (topic, partition,
offset), with its size, SHA-256 and first 4 KiB. This reads the topic from the beginning to its
current end, without joining a consumer group (so it never moves anyone's offsets).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from domain.contract.deadletter import deadletter_topic


def read_deadletters(bootstrap_servers: str, agency: str, *, timeout: float = 60.0,
                     idle: float = 1.5) -> Iterator[dict[str, Any]]:
    """Every dead letter for ``agency``, oldest first.

    Reads until nothing more arrives for ``idle`` seconds (or ``timeout``): the end is found by
    reading, not by asking for end offsets, which some Kafka-protocol brokers report per batch.
    """
    topic = deadletter_topic(agency)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assigned:
            return
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        deadline = time.monotonic() + timeout
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < idle and time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=300)
            if batch:
                idle_since = time.monotonic()
            for records in batch.values():
                for record in records:
                    yield json.loads(record.value)
    finally:
        consumer.close()


def has_deadletter_topic(bootstrap_servers: str, agency: str) -> bool:
    """Whether the hub has made this agency's dead-letter topic (it does so on registration)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None)
    try:
        return deadletter_topic(agency) in consumer.topics()
    finally:
        consumer.close()


def describe(letter: dict[str, Any]) -> str:
    where = f"{letter.get('topic')}:{letter.get('partition')}@{letter.get('offset')}"
    return (f"{letter.get('refused_at', '')}  {letter.get('reason')}  "
            f"event={letter.get('event_id') or '-'}  at {where} "
            f"({letter.get('original_bytes')} bytes, sha256 {letter.get('original_sha256')})"
            f"\n    {letter.get('message')}")
