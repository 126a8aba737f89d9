"""Reading topics back in tests, without a consumer group (so no rebalance wait)."""

from __future__ import annotations

import json
import time
from typing import Any

from kafka import KafkaConsumer, TopicPartition


def read_topic(bootstrap: str, topic: str, expected: int, timeout: float = 30.0
               ) -> list[dict[str, Any]]:
    """Every JSON message on ``topic``, waiting until at least ``expected`` have arrived."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    found: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    try:
        partitions: set[int] | None = None
        while partitions is None and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if partitions is None:
                time.sleep(0.2)
        if partitions is None:
            return found
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        while len(found) < expected and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                found.extend(json.loads(r.value) for r in records)
    finally:
        consumer.close()
    return found
