"""The hub's service layer: an ``eventsourcing`` application over the partnership model.

Ingestion records each agency event together with its Kafka position (a tracking record) in
one transaction, so a redelivered message is recognised and changes nothing. Reading and
disclosing go through here too, so every adapter (worker, API, CLI) shares one set of rules.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Snapshot
from eventsourcing.persistence import (
    EventStore,
    InfrastructureFactory,
    IntegrityError,
    JSONTranscoder,
    ProcessRecorder,
    Tracking,
    Transcoding,
)
from eventsourcing.utils import Environment, EnvType, get_topic

from domain.contract.envelope import Envelope
from domain.model import Case, Disclosure, Household, Incident, Person, ids
from domain.model.audit import AuditCheckpoints, AuditLog
from domain.model.person import RecordLink
from domain.model.subjects import Location
from hub.recorders import RECORDERS, RecordRefused
from hub.recorders.reads import proposals_of, reads_of
from hub.store import STORE_ERRORS, construct_factory
from hub.working_set import DEFAULT_SIZE, WorkingSet

CONFLICT_RETRIES = 5
# Aggregates that hold only pseudonymous keys and record references, never personal data.
PSEUDONYMOUS = (Person, Location, Household)
# Recorded once and never amended: holding them in the worker's working set would only push
# out the people and places that come again and again.
WRITTEN_ONCE = (Incident,)
RefusalHandler = Callable[[int, RecordRefused], None]
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Unreadable:
    """A stored event whose bytes no longer decrypt or deserialise: altered or corrupted."""

    originator_id: UUID
    originator_version: int
    notification_id: int
    topic: str
    error: str

    @property
    def detail(self) -> str:
        return (f"unreadable record {self.originator_id} (version {self.originator_version}, "
                f"position {self.notification_id} in the store): {self.error}; run "
                "`hub audit verify` and restore it from a backup")


class UnitOfWork:
    """The aggregates a batch of agency events changes, stored in one transaction together
    with the position of the batch's last message.

    Tracking records compare positions ("recorded up to offset N"), so one record for the
    last offset of a partition's batch marks every message before it as handled. A refused
    message may have changed aggregates in memory before it was refused, so the caller
    discards the whole unit of work and redoes the batch without it (refusals are rare).

    ``preloaded`` are aggregates the worker's working set read for the batch and hands out
    without copies (hub/working_set.py): ``discard`` makes it forget them. Without it, each
    aggregate is a copy from the repository.
    """

    def __init__(self, app: PartnershipHub, preloaded: dict[UUID, Any] | None = None) -> None:
        self.app = app
        self.pending: dict[UUID, Any] = {}
        self.preloaded = preloaded
        self.recorded = 0

    def load(self, aggregate_id: UUID) -> Any:
        if aggregate_id in self.pending:
            return self.pending[aggregate_id]
        if self.preloaded is None:
            return self.app.get_or_none(aggregate_id)
        if aggregate_id not in self.preloaded:  # not foreseen (hub/recorders/reads.py)
            self.preloaded.update(self.app.working_set.load([aggregate_id]))
        return self.preloaded[aggregate_id]

    def record(self, envelope: Envelope) -> None:
        """Raises RecordRefused when the event contradicts what is held."""
        recorder = RECORDERS.get(envelope.type)
        if recorder is None:
            raise RecordRefused("unknown-type", f"no recorder for event type {envelope.type!r}")
        changed = recorder(self.load, envelope)
        self.pending.update((aggregate.id, aggregate) for aggregate in changed)
        self.recorded += bool(changed)

    def commit(self, position: Tracking) -> int:
        """Store everything with the position. Raises IntegrityError if the position was
        already recorded (a redelivery) or a concurrent writer changed an aggregate first."""
        events = [e for aggregate in self.pending.values() for e in aggregate.collect_events()]
        self.app.events.put(events, tracking=position)
        if self.preloaded is not None:
            self.app.working_set.keep(a for a in self.pending.values()
                                      if not isinstance(a, WRITTEN_ONCE))
        self.app.snapshot_if_due(self.pending.values(), events)
        return len(events)

    def discard(self) -> None:
        """Nothing of this unit of work was stored: forget what it may have changed."""
        if self.preloaded is not None:
            self.app.working_set.forget([*self.preloaded, *self.pending])


def _record_all(work: UnitOfWork, batch: Sequence[tuple[int, Envelope]]
                ) -> tuple[int, RecordRefused] | None:
    """Record each event; the first refusal (and its offset) stops the batch."""
    for offset, envelope in batch:
        try:
            work.record(envelope)
        except RecordRefused as refusal:
            return offset, refusal
    return None


class RecordLinkAsDict(Transcoding):
    """Lets a Person's links be stored in snapshots."""

    type = RecordLink
    name = "record_link"

    def encode(self, obj: RecordLink) -> dict[str, str]:
        return {"kind": obj.kind, "agency": obj.agency, "ref": obj.ref, "role": obj.role}

    def decode(self, data: dict[str, str]) -> RecordLink:
        return RecordLink(**data)


class PartnershipHub(Application[UUID]):
    name = "PartnershipHub"
    # People, places and long cases gather many events: a snapshot every so often keeps a
    # cold read (a new worker, an API replica) from replaying all of them.
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Person: 50, Location: 50, Household: 50, Case: 50,
        # The audit chain (a million entries in a few years) and its checkpoints: a new API
        # process reads the head from a snapshot and at most 99 entries (hub/audit/chain.py).
        AuditLog: 100, AuditCheckpoints: 20}

    def __init__(self, env: EnvType | None = None) -> None:
        try:
            super().__init__(env)
        except BaseException:
            # A store that is down or still being set up by another process: let the caller
            # try again (hub.runtime.open_hub) without leaking this attempt's connections.
            if getattr(self, "factory", None) is not None:
                self.factory.close()
            raise
        # The worker's own aggregates, as big as the repository's cache (HUB_AGGREGATE_CACHE).
        size = int(self.env.get(self.AGGREGATE_CACHE_MAXSIZE) or 0)
        self.working_set = WorkingSet(
            self.mapper, self.recorder, self.snapshots.recorder if self.snapshots else None,
            size if size > 0 else DEFAULT_SIZE)

    def close(self) -> None:
        keys = getattr(self.mapper.transcoder, "keys", None)  # hub/audit/subjects.py
        if keys is not None:
            keys.close()
        super().close()

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        return construct_factory(env)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(RecordLinkAsDict())

    def snapshot_if_due(self, aggregates: Iterable[Any], events: list[Any]) -> None:
        """The library snapshots in ``save()``; batches are stored with ``events.put``.

        An aggregate that holds no personal data is snapshotted as it is in memory (just
        stored, so the same); any other is read back from the store, so that nothing
        decrypted before an erasure can be sealed again under a new key.
        """
        versions: dict[UUID, list[int]] = {}
        for event in events:
            versions.setdefault(event.originator_id, []).append(event.originator_version)
        in_memory = []
        for aggregate in aggregates:
            interval = self.snapshotting_intervals.get(type(aggregate))
            if not interval or not any(v % interval == 0 for v in versions.get(aggregate.id, ())):
                continue
            if isinstance(aggregate, PSEUDONYMOUS):
                in_memory.append(getattr(type(aggregate), "Snapshot", Snapshot).take(aggregate))
            else:
                self.take_snapshot(aggregate.id, version=aggregate.version)
        if in_memory and self.snapshots is not None:
            self.snapshots.put(in_memory)

    def construct_recorder(self) -> ProcessRecorder:  # type: ignore[override]
        recorder = self.factory.process_recorder()
        recorder.sealing = self.mapper.transcoder  # type: ignore[attr-defined]  # store_writes
        return recorder

    def construct_snapshot_store(self) -> EventStore[UUID]:
        store = super().construct_snapshot_store()
        store.recorder.sealing = self.mapper.transcoder  # type: ignore[attr-defined]
        return store

    def construct_mapper(self) -> Any:
        """Personal fields are sealed under each person's own key (erasure: hub/audit)."""
        from hub.audit.subjects import install
        return install(super().construct_mapper(), self.env)

    @property
    def process_recorder(self) -> ProcessRecorder:
        assert isinstance(self.recorder, ProcessRecorder)
        return self.recorder

    # -- ingestion ---------------------------------------------------------------------------

    def last_position(self, source: str) -> int | None:
        """The highest offset recorded for a Kafka ``topic:partition``."""
        return self.process_recorder.max_tracking_id(source)

    def has_recorded(self, position: Tracking) -> bool:
        return self.process_recorder.has_tracking_id(position.application_name,
                                                     position.notification_id)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    def record_batch(self, source: str, items: Sequence[tuple[int, Envelope]], *,
                     last_offset: int, on_refused: RefusalHandler) -> int:
        """Record a batch of verified events from one ``source`` (a topic partition) in one
        transaction, with ``last_offset`` as its position; returns how many changed anything.

        The aggregates the batch touches are read together first (hub/working_set.py). A
        refused event is reported to ``on_refused`` once and the batch is redone without it
        (its in-memory changes are discarded with the unit of work). A conflict with another
        writer is retried from what is stored; a batch already recorded is left alone.
        """
        refused: set[int] = set()
        conflicts = 0
        with self.working_set.lock:
            while True:
                batch = [(offset, e) for offset, e in items if offset not in refused]
                work = UnitOfWork(self, self._read_ahead([e for _, e in batch]))
                try:
                    refusal = _record_all(work, batch)
                    if refusal is None:
                        work.commit(Tracking(source, last_offset))
                        return work.recorded
                except IntegrityError:
                    work.discard()
                    if self.has_recorded(Tracking(source, last_offset)):
                        return 0
                    conflicts += 1
                    if conflicts >= CONFLICT_RETRIES:
                        raise
                    continue
                except BaseException:
                    work.discard()
                    raise
                work.discard()
                refused.add(refusal[0])
                on_refused(*refusal)

    def _read_ahead(self, envelopes: list[Envelope]) -> dict[UUID, Any]:
        """What the batch will load, in at most three queries (hub/recorders/reads.py)."""
        loaded = self.working_set.load(reads_of(envelopes))
        proposals = proposals_of(envelopes, loaded) - loaded.keys()
        if proposals:  # never snapshotted
            loaded.update(self.working_set.load(proposals, snapshots=False))
        return loaded

    def record_agency_event(self, envelope: Envelope, position: Tracking) -> int:
        """Apply one verified, valid agency event on its own (see UnitOfWork for batches)."""
        work = self.unit_of_work()
        work.record(envelope)
        return work.commit(position)

    def get_or_none(self, aggregate_id: UUID) -> Any:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    # -- reading ------------------------------------------------------------------------------

    def case(self, agency: str, ref: str) -> Case | None:
        return self.get_or_none(ids.case_id(agency, ref))

    def incident(self, agency: str, ref: str) -> Incident | None:
        return self.get_or_none(ids.incident_id(agency, ref))

    def person(self, match_key: str) -> Person | None:
        return self.get_or_none(ids.person_id(match_key))

    # -- disclosure ---------------------------------------------------------------------------

    def record_disclosure(self, **fields: Any) -> Disclosure:
        """Store the disclosure first; only a stored disclosure lets data leave the hub."""
        disclosure = Disclosure(**fields)
        self.save(disclosure)
        return disclosure

    def disclosures(self) -> Iterator[Disclosure.Recorded]:
        """Every disclosure, oldest first; one that cannot be read is logged and skipped
        (``hub audit verify`` names it; the DPO's list shows it, hub/audit/queries.py)."""
        for event in self.records([get_topic(Disclosure.Recorded)]):
            if isinstance(event, Unreadable):
                log.warning("%s", event.detail)
                continue
            yield event

    def records(self, topics: Sequence[str], limit: int = 1000
                ) -> Iterator[Any]:
        """The events of these topics in the order they were stored (see ``stored``)."""
        start = 1
        while True:
            batch = self.stored(topics, start=start, limit=limit)
            for _, event in batch:
                yield event
            if len(batch) < limit:
                return
            start = batch[-1][0] + 1

    def stored(self, topics: Sequence[str], *, start: int, limit: int,
               stop: int | None = None) -> list[tuple[int, Any]]:
        """Up to ``limit`` events of these topics from position ``start`` (to ``stop``), each
        with its position. A stored row that no longer decrypts or deserialises is an
        ``Unreadable`` in its place, so one bad row never hides the rest; an outage of the
        store is still raised (StoreUnavailable)."""
        found: list[tuple[int, Any]] = []
        for notification in self.process_recorder.select_notifications(
                start=start, limit=limit, stop=stop, topics=topics):
            try:
                event = self.mapper.to_domain_event(notification)
            except STORE_ERRORS:
                raise
            except Exception as exc:
                event = Unreadable(UUID(str(notification.originator_id)),
                                   notification.originator_version, notification.id,
                                   notification.topic, f"{type(exc).__name__}: {exc}"[:200])
            found.append((notification.id, event))
        return found
