"""Reading back the hub's dead letters for one agency (topic ``hub.deadletter``, keyed by agency).

The hub writes a JSON dead letter ``{reason, message, topic, partition, offset, agency,
event_id, original, ...}`` for every message it would not accept. This reads the topic from the
beginning to its current end, without joining a consumer group (so it never moves anyone's
offsets), and keeps the letters whose key is the agency.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

DEADLETTER_TOPIC = "hub.deadletter"


def read_deadletters(bootstrap_servers: str, agency: str, *, topic: str = DEADLETTER_TOPIC,
                     timeout: float = 60.0, idle: float = 1.5) -> Iterator[dict[str, Any]]:
    """Every dead letter for ``agency``, oldest first per partition.

    Reads until nothing more arrives for ``idle`` seconds (or ``timeout``): the end is found by
    reading, not by asking for end offsets, which some Kafka-protocol brokers report per batch.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap_servers, group_id=None,
                             enable_auto_commit=False, auto_offset_reset="earliest")
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
        if not assigned:
            return
        consumer.assign(assigned)
        consumer.seek_to_beginning(*assigned)
        wanted = agency.encode()
        deadline = time.monotonic() + timeout
        idle_since = time.monotonic()
        while time.monotonic() - idle_since < idle and time.monotonic() < deadline:
            batch = consumer.poll(timeout_ms=300)
            if batch:
                idle_since = time.monotonic()
            for records in batch.values():
                for record in records:
                    if record.key == wanted:
                        yield json.loads(record.value)
    finally:
        consumer.close()


def describe(letter: dict[str, Any]) -> str:
    where = f"{letter.get('topic')}:{letter.get('partition')}@{letter.get('offset')}"
    return (f"{letter.get('refused_at', '')}  {letter.get('reason')}  "
            f"event={letter.get('event_id') or '-'}  at {where}\n    {letter.get('message')}")
