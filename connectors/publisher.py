"""Publishing signed envelopes to the agency's topic with an idempotent Kafka producer."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from typing import Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from connectors.spool import Spool, Spooled
from domain.contract.envelope import KAFKA_HEADERS, Envelope, sign

log = logging.getLogger(__name__)

TOPIC_PREFIX = "hub.agency."


def agency_topic(agency: str) -> str:
    return f"{TOPIC_PREFIX}{agency}"


class AgencyPublisher:
    """Signs and sends one agency's events.

    Idempotence plus acks=all means a retry after a network blip never writes a message
    twice; keying by subject puts every event about one person on one partition, in order.
    """

    def __init__(self, bootstrap_servers: str, agency: str, key: Ed25519PrivateKey,
                 **producer_options: object) -> None:
        self.agency = agency
        self.topic = agency_topic(agency)
        self._key = key
        options: dict[str, object] = {
            "enable_idempotence": True,
            "acks": "all",
            "linger_ms": 5,
            "retries": 2**31 - 1,
            "max_in_flight_requests_per_connection": 5,
        }
        options.update(producer_options)
        self._producer = KafkaProducer(bootstrap_servers=bootstrap_servers, **options)

    def publish(self, envelopes: Iterable[Envelope], timeout: float = 60.0) -> int:
        """Send and wait until the broker has acknowledged every one."""
        futures = []
        for envelope in envelopes:
            if envelope.agency != self.agency:
                raise ValueError(f"envelope {envelope.id} is for agency {envelope.agency!r}, "
                                 f"this publisher signs for {self.agency!r}")
            signed = sign(envelope, self._key)
            futures.append(self._producer.send(self.topic, key=signed.subject.encode(),
                                               value=signed.to_bytes(),
                                               headers=KAFKA_HEADERS))
        self._producer.flush(timeout)
        for future in futures:
            future.get(timeout)
        return len(futures)

    def close(self) -> None:
        self._producer.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class SpoolSender:
    """Sends what the spool holds, in spool order, marking each sent only once acknowledged.

    If the broker is unreachable or stops acknowledging, the same in-flight messages are waited
    for (the idempotent producer retries them itself); if the producer gives up on one, it is
    discarded and everything still pending is resent from the spool after a backoff (doubling
    from ``min_backoff`` up to ``max_backoff`` seconds). Nothing is lost: the spool is the
    source of truth, and a resend of an already-delivered event is harmless at the hub.
    """

    def __init__(self, spool: Spool, bootstrap_servers: str, agency: str, *,
                 batch_size: int = 2000, min_backoff: float = 0.5, max_backoff: float = 30.0,
                 **producer_options: object) -> None:
        self.spool = spool
        self.bootstrap_servers = bootstrap_servers
        self.topic = agency_topic(agency)
        self.batch_size = batch_size
        self.min_backoff, self.max_backoff = min_backoff, max_backoff
        self.options: dict[str, object] = {
            "enable_idempotence": True, "acks": "all", "linger_ms": 20,
            "retries": 2**31 - 1, "max_in_flight_requests_per_connection": 5,
            "batch_size": 256 * 1024, "max_block_ms": 10_000,
            "delivery_timeout_ms": 120_000, "reconnect_backoff_max_ms": 2_000,
        }
        self.options.update(producer_options)
        self._producer: KafkaProducer | None = None
        self.sent = 0
        self.failures = 0

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(bootstrap_servers=self.bootstrap_servers,
                                           **self.options)
        return self._producer

    def _discard(self) -> None:
        if self._producer is not None:
            with contextlib.suppress(Exception):
                self._producer.close(timeout=0)
            self._producer = None

    def drain(self, stop: threading.Event | None = None, deadline: float | None = None) -> int:
        """Send until the spool has nothing pending (or ``stop`` / ``deadline``); returns the
        number acknowledged in this call."""
        stop = stop or threading.Event()
        acked_total = 0
        backoff = self.min_backoff
        while not stop.is_set():
            if deadline is not None and time.monotonic() > deadline:
                break
            batch = self.spool.pending(self.batch_size)
            if not batch:
                break
            try:
                acked_total += self._send_batch(batch, stop, deadline)
                backoff = self.min_backoff
            except (KafkaError, OSError) as exc:
                self.failures += 1
                log.warning("broker unavailable (%s); retrying in %.1fs", exc, backoff)
                self._discard()
                stop.wait(backoff * (0.75 + random.random() / 2))
                backoff = min(backoff * 2, self.max_backoff)
        self.sent += acked_total
        return acked_total

    def _send_batch(self, batch: list[Spooled], stop: threading.Event,
                    deadline: float | None) -> int:
        producer = self._connect()
        in_flight = [(item.seq, producer.send(self.topic, key=item.subject.encode(),
                                              value=item.payload, headers=KAFKA_HEADERS))
                     for item in batch]
        acked: list[int] = []
        total = 0

        def record_progress() -> None:
            nonlocal total, acked
            self.spool.mark_sent(acked)
            total += len(acked)
            acked = []

        try:
            for seq, future in in_flight:
                if not self._await(future, stop, deadline, record_progress):
                    break
                acked.append(seq)
                if len(acked) >= 500:
                    record_progress()
        finally:
            record_progress()
        return total

    @staticmethod
    def _await(future: object, stop: threading.Event, deadline: float | None,
               while_waiting: Callable[[], None]) -> bool:
        """Wait for one acknowledgement; False if told to stop first."""
        while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            try:
                future.get(timeout=1.0)  # type: ignore[attr-defined]
                return True
            except KafkaTimeoutError:
                if future.is_done:  # type: ignore[attr-defined]
                    raise  # the producer gave up on it: resend from the spool
                while_waiting()  # the broker is slow or away: keep what is acknowledged
        return False

    def close(self) -> None:
        if self._producer is not None:
            with contextlib.suppress(Exception):
                self._producer.close(timeout=5)
            self._producer = None
