"""Agency topics: created with several partitions, so one agency's load spreads over workers."""

from __future__ import annotations

import contextlib

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

AGENCY_TOPIC_PARTITIONS = 3


def ensure_topics(bootstrap_servers: str, topics: list[str],
                  partitions: int = AGENCY_TOPIC_PARTITIONS) -> None:
    """Create agency topics with several partitions (auto-created ones would have one)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(t, partitions, 1) for t in topics if t not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(wanted)
    finally:
        admin.close()
