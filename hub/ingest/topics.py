"""Topic creation: agency topics with several partitions, one dead-letter topic per agency."""

from __future__ import annotations

import contextlib

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError

AGENCY_TOPIC_PARTITIONS = 3
# Dead letters hold excerpts of refused messages, personal data included: keep them 30 days
# (long enough to act on, as the original stays on the agency's own topic) and let no broker
# setting refuse one (each is at most 64 KiB; domain/contract/deadletter.py).
DEADLETTER_TOPIC_CONFIG = {"retention.ms": str(30 * 24 * 3600 * 1000),
                           "max.message.bytes": str(1024 * 1024)}


def ensure_topics(bootstrap_servers: str, topics: list[str],
                  partitions: int = AGENCY_TOPIC_PARTITIONS,
                  config: dict[str, str] | None = None) -> None:
    """Create the topics that do not exist yet (auto-created ones would have one partition,
    and production brokers do not auto-create)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        wanted = [NewTopic(t, partitions, 1, topic_configs=config or {})
                  for t in topics if t not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics(wanted)
    finally:
        admin.close()


def ensure_deadletter_topics(bootstrap_servers: str, topics: list[str]) -> None:
    """Dead-letter topics: one partition (a trickle, read back in order), bounded retention."""
    ensure_topics(bootstrap_servers, topics, partitions=1, config=DEADLETTER_TOPIC_CONFIG)
