"""The ingestion worker: one member of a Kafka consumer group.

Exactly-once in effect: each message's position (topic, partition, offset) is stored as an
eventsourcing tracking record in the same transaction as the domain events it produced. On
(re)assignment the worker seeks to the position after the last one stored, and commits Kafka
offsets only after the store has them, so a crash at any point neither loses nor duplicates.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from eventsourcing.persistence import IntegrityError, PersistenceError
from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord
from kafka.consumer.subscription_state import ConsumerRebalanceListener
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

from domain.contract.deadletter import deadletter_topic
from domain.contract.envelope import Envelope
from hub.application import PartnershipHub, RefusalHandler
from hub.ingest.accept import AGENCY_TOPIC_PREFIX, Agencies, Refused, accept, refuse
from hub.ingest.deadletter import DeadLetterPublisher
from hub.ingest.topics import ensure_deadletter_topics, ensure_topics
from hub.metrics import CONSUMER_LAG, DEAD_LETTERS, EVENTS_HANDLED, topic_agency
from hub.recorders import RecordRefused
from hub.settings import Settings
from hub.store import StoreUnavailable, backoff

log = logging.getLogger(__name__)

AGENCY_TOPIC_PATTERN = r"^hub\.agency\..+"
REGISTRY_SECONDS = 1.0  # how often the worker looks for newly registered agencies
PROGRESS_SECONDS = 10.0  # how often the worker logs its progress and refreshes the lag metric
__all__ = ["AGENCY_TOPIC_PREFIX", "IngestWorker"]


@dataclass
class IngestCounts:
    handled: int = 0
    recorded: int = 0
    duplicates: int = 0
    dead_lettered: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


class _SeekToStoredPosition(ConsumerRebalanceListener):
    """The event store, not Kafka's committed offset, decides where to resume."""

    def __init__(self, worker: IngestWorker) -> None:
        self.worker = worker

    def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        revoked = list(revoked)
        if revoked:
            log.info("partitions revoked: %s", _names(revoked))
        for tp in revoked:
            with contextlib.suppress(KeyError):
                CONSUMER_LAG.remove(tp.topic, str(tp.partition))

    def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        assigned = list(assigned)
        group = self.worker.settings.consumer_group
        log.info("joined group %s; assigned %s", group,
                 _names(assigned) or "nothing yet (no agency topics, or all taken)",
                 extra={"group": group})
        for tp in assigned:
            try:
                last = self.worker.app.last_position(
                    self.worker.settings.position_source(tp.topic, tp.partition))
            except StoreUnavailable as exc:  # safe: each batch is checked against the store
                log.warning("%s: starting from the committed offset (%s)", tp, exc)
                continue
            if last is not None:
                self.worker.consumer.seek(tp, last + 1)
            offset = 0 if last is None else last + 1
            log.info("%s:%s resumes at offset %s", tp.topic, tp.partition, offset,
                     extra={"topic": tp.topic, "partition": tp.partition, "offset": offset})


def _names(partitions: Iterable[TopicPartition]) -> str:
    return ", ".join(sorted(f"{tp.topic}:{tp.partition}" for tp in partitions))


class IngestWorker:
    def __init__(self, settings: Settings, app: PartnershipHub, *,
                 consumer_options: dict[str, object] | None = None) -> None:
        if not settings.bootstrap_servers:
            raise ValueError("HUB_KAFKA_BOOTSTRAP is not set: the worker needs a Kafka broker")
        self.settings = settings
        self.app = app
        self.agencies = Agencies(settings.registry_path)
        self.counts = IngestCounts()
        options: dict[str, object] = {
            "bootstrap_servers": settings.bootstrap_servers,
            "group_id": settings.consumer_group,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": 500,
            "fetch_max_wait_ms": 100,  # do not idle while a batch is being recorded
            "metadata_max_age_ms": 5000,
            **settings.consumer_options(),
        }
        options.update(consumer_options or {})
        self.consumer = KafkaConsumer(**options)
        self._listener = _SeekToStoredPosition(self)
        self._publishers: set[str] = set()
        self._registry_checked = 0.0
        self._follow_registry()
        self.consumer.subscribe(pattern=AGENCY_TOPIC_PATTERN, listener=self._listener)
        self.deadletters = DeadLetterPublisher(settings.bootstrap_servers)
        self._last_report = 0.0
        self.progress_seconds = PROGRESS_SECONDS
        self.lag: tuple[float, int] = (0.0, -1)  # when measured (monotonic), messages behind

    def run(self, stop: threading.Event | None = None, idle_exit_s: float | None = None) -> None:
        """Poll and record until ``stop`` is set (or nothing arrives for ``idle_exit_s``)."""
        stop = stop or threading.Event()
        last_activity = time.monotonic()
        while not stop.is_set():
            batch = self.consumer.poll(timeout_ms=500)
            if batch:
                try:
                    for tp, records in batch.items():
                        self.handle_partition_batch(
                            self.settings.position_source(tp.topic, tp.partition), records)
                except StoreUnavailable as exc:
                    self._wait_for_store(stop, exc)
                    self._rewind(batch)
                    continue
                self._commit()
                last_activity = time.monotonic()
            elif idle_exit_s is not None and time.monotonic() - last_activity > idle_exit_s:
                return
            self._report_progress()
            if self._follow_registry():
                # Ask the broker for topic metadata now rather than at the next refresh; the
                # pattern subscription then assigns the new topic in the next rebalance.
                self.consumer._client.cluster.request_update()

    def _follow_registry(self) -> bool:
        """Every second: an agency registered since the last look gets its topics now, and
        True says to look for them at once (a new subscription asks the broker), so its events
        are read within seconds rather than at the next metadata refresh."""
        now = time.monotonic()
        if now - self._registry_checked < REGISTRY_SECONDS:
            return False
        self._registry_checked = now
        publishers = self.agencies.publishers()
        new = sorted(publishers - self._publishers)
        self._publishers = publishers
        if not new:
            return False
        bootstrap = self.settings.bootstrap_servers
        assert bootstrap
        try:
            ensure_topics(bootstrap, [AGENCY_TOPIC_PREFIX + a for a in new])
            ensure_deadletter_topics(bootstrap, [deadletter_topic(a) for a in new])
        except KafkaError as exc:
            log.warning("could not create the topics of %s (%s); trying again",
                        ", ".join(new), exc)
            self._publishers -= set(new)
            return False
        log.info("publishing agencies now: %s (topics in place for %s)",
                 ", ".join(sorted(publishers)), ", ".join(new))
        return True

    def _report_progress(self) -> None:
        """Every PROGRESS_SECONDS: the consumer lag per partition (a metric) and a log line."""
        now = time.monotonic()
        if now - self._last_report < self.progress_seconds:
            return
        self._last_report = now
        assigned = list(self.consumer.assignment())
        lag = 0
        try:
            ends = self.consumer.end_offsets(assigned) if assigned else {}
        except KafkaError as exc:
            log.warning("could not read end offsets for the lag metric (%s)", exc)
            ends = {}
        for tp, end in ends.items():
            position = self.consumer.position(tp)
            behind = max(0, end - position) if position is not None else end
            CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(behind)
            lag += behind
        if len(ends) == len(assigned):
            self.lag = (time.monotonic(), lag)
        c = self.counts
        log.info("progress: %d handled (%d recorded, %d duplicate, %d dead-lettered); "
                 "%d behind on %d partition(s)", c.handled, c.recorded, c.duplicates,
                 c.dead_lettered, lag, len(assigned),
                 extra={"handled": c.handled, "recorded": c.recorded,
                        "duplicates": c.duplicates, "dead_lettered": c.dead_lettered,
                        "lag": lag, "partitions": len(assigned)})

    def _wait_for_store(self, stop: threading.Event, exc: StoreUnavailable) -> None:
        """Wait (with backoff, a log line per attempt) until the store answers again."""
        for attempt in itertools.count(1):
            delay = backoff(attempt)
            log.warning("store unavailable, attempt %d (%s); trying again in %.1fs", attempt,
                        exc, delay)
            if stop.wait(delay):
                return
            try:
                self.app.process_recorder.max_notification_id()
            except StoreUnavailable as again:
                exc = again
                continue
            log.warning("store available again after %d attempt(s); resuming", attempt)
            return

    def _rewind(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        """Fetch the failed poll again; what the store already holds is skipped as usual."""
        assigned = self.consumer.assignment()
        for tp, records in batch.items():
            if tp in assigned:
                self.consumer.seek(tp, records[0].offset)

    def _commit(self) -> None:
        """Tell Kafka how far we got. Only an optimisation: the store's tracking records are
        the truth, so a commit lost in a rebalance costs a few skipped redeliveries, no more."""
        try:
            self.consumer.commit()
        except KafkaError as exc:
            log.warning("offset commit failed (%s); positions are safe in the store", exc)

    def close(self) -> None:
        self.consumer.close(autocommit=False)
        self.deadletters.close()

    def handle_partition_batch(self, source: str, records: list[ConsumerRecord]) -> None:
        """Record one partition's share of a poll in a single transaction."""
        last = self.app.last_position(source)
        fresh = [r for r in records if last is None or r.offset > last]
        self.counts.duplicates += len(records) - len(fresh)
        agency = topic_agency(records[0].topic) if records else ""
        EVENTS_HANDLED.labels(agency, "duplicate").inc(len(records) - len(fresh))
        if not fresh:
            return
        by_offset = {r.offset: r for r in fresh}
        accepted: list[tuple[int, Envelope]] = []
        refused: list[Refused] = []
        for record in fresh:
            outcome = accept(record, self.agencies)
            if isinstance(outcome, Refused):
                refused.append(outcome)
            else:
                accepted.append((record.offset, outcome))
        self._dead_letter(refused)

        unrecorded: set[int] = set()

        def unrecordable(offset: int, refusal: RecordRefused) -> None:
            unrecorded.add(offset)
            envelope = next(e for o, e in accepted if o == offset)
            self._dead_letter([refuse(by_offset[offset], refusal.reason, str(refusal),
                                      envelope, self.agencies)])

        try:
            recorded = self._record(source, accepted, fresh[-1].offset, unrecordable)
        except IntegrityError:
            raise RuntimeError(f"batch for {source} kept conflicting with other writers; "
                               "stopping so that the group can reassign the partition") from None
        # Accepted but changing nothing: an event the store already holds under its id (sent
        # again, at a new offset): a duplicate too.
        already_held = max(0, len(accepted) - len(unrecorded) - recorded)
        self.counts.recorded += recorded
        self.counts.duplicates += already_held
        self.counts.handled += len(fresh)
        EVENTS_HANDLED.labels(agency, "recorded").inc(recorded)
        EVENTS_HANDLED.labels(agency, "duplicate").inc(already_held)

    def _record(self, source: str, accepted: list[tuple[int, Envelope]], last_offset: int,
                on_refused: RefusalHandler) -> int:
        """Record the batch. If that fails for any reason but the store or the broker (a bug
        that some content triggers), record its events one at a time and dead-letter the ones
        that fail, so that no event can stop its partition."""
        try:
            return self.app.record_batch(source, accepted, last_offset=last_offset,
                                         on_refused=on_refused)
        except (PersistenceError, KafkaError):
            raise
        except Exception:
            log.exception("recording %s failed; recording its events one at a time", source)
        recorded = 0
        for offset, envelope in accepted:
            try:
                recorded += self.app.record_batch(source, [(offset, envelope)],
                                                  last_offset=offset, on_refused=on_refused)
            except (PersistenceError, KafkaError):
                raise
            except Exception as exc:
                log.exception("recording %s@%s failed", source, offset)
                on_refused(offset, RecordRefused(
                    "internal-error", f"the hub failed while recording event {envelope.id} "
                    f"({type(exc).__name__}); the hub operator has the details in the worker's "
                    "log"))
                self.app.record_batch(source, [], last_offset=offset, on_refused=on_refused)
        return recorded + self.app.record_batch(source, [], last_offset=last_offset,
                                                on_refused=on_refused)

    def _dead_letter(self, refused: list[Refused]) -> None:
        """Sent before the batch commits: a crash in between repeats a dead letter (each names
        its topic, partition and offset) rather than losing one."""
        self.deadletters.send([(r.topic, r.letter) for r in refused])
        for r in refused:
            self.counts.dead_lettered += 1
            self.counts.reasons[r.letter.reason] = self.counts.reasons.get(r.letter.reason, 0) + 1
            agency = topic_agency(r.letter.topic)
            EVENTS_HANDLED.labels(agency, "dead_lettered").inc()
            DEAD_LETTERS.labels(agency, r.letter.reason).inc()
            log.warning("dead-lettered %s:%s@%s to %s: %s", r.letter.topic, r.letter.partition,
                        r.letter.offset, r.topic, r.letter.message,
                        extra={"agency": agency, "topic": r.letter.topic,
                               "partition": r.letter.partition, "offset": r.letter.offset,
                               "reason": r.letter.reason, "deadletter_topic": r.topic})
