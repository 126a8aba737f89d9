"""Publishing dead letters, each to the dead-letter topic of the agency whose message it was.

Letters are bounded (domain/contract/deadletter.py), so none can be too large to publish. The
topics are created on first use: production brokers do not create topics by themselves.
"""

from __future__ import annotations

from kafka import KafkaProducer

from domain.contract.deadletter import DeadLetter
from hub.ingest.topics import ensure_deadletter_topics


class DeadLetterPublisher:
    """Publishes and waits: a message is only marked handled once its dead letter is safe."""

    def __init__(self, bootstrap_servers: str) -> None:
        self._bootstrap = bootstrap_servers
        self._ready: set[str] = set()
        self._producer = KafkaProducer(bootstrap_servers=bootstrap_servers,
                                       enable_idempotence=True, acks="all")

    def send(self, letters: list[tuple[str, DeadLetter]]) -> None:
        """Send every ``(topic, letter)`` and return once the broker holds them all."""
        if not letters:
            return
        missing = {topic for topic, _ in letters} - self._ready
        if missing:
            ensure_deadletter_topics(self._bootstrap, sorted(missing))
            self._ready |= missing
        futures = [self._producer.send(topic, key=(letter.agency or "").encode(),
                                       value=letter.to_bytes(),
                                       headers=[("reason", letter.reason.encode())])
                   for topic, letter in letters]
        self._producer.flush(30)
        for future in futures:
            future.get(30)

    def close(self) -> None:
        self._producer.close()
