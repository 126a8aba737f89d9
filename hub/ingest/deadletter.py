"""The dead-letter topic: every message the hub would not accept, with a reason to act on."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from kafka import KafkaProducer


@dataclass(frozen=True)
class DeadLetter:
    reason: str          # short code, e.g. bad-signature, schema-invalid, unknown-agency
    message: str         # what is wrong and what to change, for a person
    topic: str
    partition: int
    offset: int
    agency: str | None   # the agency whose topic carried it
    event_id: str | None
    original: str        # the message as received: UTF-8 text, or base64 if not text
    original_encoding: str
    refused_at: str


def dead_letter(reason: str, message: str, *, topic: str, partition: int, offset: int,
                agency: str | None, event_id: str | None, raw: bytes) -> DeadLetter:
    try:
        original, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        original, encoding = base64.b64encode(raw).decode(), "base64"
    return DeadLetter(reason, message, topic, partition, offset, agency, event_id, original,
                      encoding, datetime.now(UTC).isoformat())


class DeadLetterPublisher:
    """Publishes synchronously: a message is only marked handled once its dead letter is safe."""

    def __init__(self, bootstrap_servers: str, topic: str) -> None:
        self.topic = topic
        self._producer = KafkaProducer(bootstrap_servers=bootstrap_servers,
                                       enable_idempotence=True, acks="all")

    def send(self, letter: DeadLetter) -> None:
        key = (letter.agency or "unknown").encode()
        future = self._producer.send(self.topic, key=key,
                                     value=json.dumps(asdict(letter)).encode(),
                                     headers=[("reason", letter.reason.encode())])
        self._producer.flush(30)
        future.get(30)

    def close(self) -> None:
        self._producer.close()
