"""The aggregates the ingestion worker changes, read many at a time and kept between batches.

``Repository.get`` reads one aggregate per query and hands out a deep copy of a cached one, so
that a command that fails cannot corrupt the cache. The worker records a batch of hundreds of
events at once: here every aggregate the batch touches is read in at most two queries (the
latest snapshots of those not held, then the events of all of them after the version held),
and the objects held are handed out as they are. That is safe because:

- only the thread holding ``lock`` (``PartnershipHub.record_batch``) ever sees these objects:
  readers (the API, the matcher) go through the repository and its own copies;
- a batch that does not store what it changed (a refusal, a conflict, any error) forgets every
  aggregate it was handed (``forget``), so the next batch reads them from the store again;
- another writer (a second worker, the API, the matcher) is caught up with: each load reads
  the events stored after the version held, and a write that races ours fails on the store's
  unique version and is retried from what is stored.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Collection, Iterable
from typing import Any
from uuid import UUID

from eventsourcing.application import LRUCache
from eventsourcing.persistence import StoredEvent

DEFAULT_SIZE = 10_000


class WorkingSet:
    """Holds the store's recorders and mapper, not the application: no reference cycle, so
    an application nobody closes is still freed (and its connections with it) at once."""

    def __init__(self, mapper: Any, events: Any, snapshots: Any | None,
                 size: int = DEFAULT_SIZE) -> None:
        self.mapper, self.events, self.snapshots = mapper, events, snapshots
        self.size = size
        self.lock = threading.RLock()
        self._held: LRUCache[UUID, Any] = LRUCache(maxsize=size)
        self.queries = 0  # store reads issued, for benchmarks and tests

    def load(self, aggregate_ids: Collection[UUID], *, snapshots: bool = True
             ) -> dict[UUID, Any]:
        """Each aggregate as stored now, or None where there is none yet (``snapshots=False``
        for kinds never snapshotted: one query)."""
        try:
            found = self._read(aggregate_ids, snapshots)
        except BaseException:
            self.forget(aggregate_ids)  # one may have been caught up only halfway
            raise
        for aggregate_id, aggregate in found.items():
            self._held.put(aggregate_id, aggregate)
        return {i: found.get(i) for i in aggregate_ids}

    def keep(self, aggregates: Iterable[Any]) -> None:
        """Aggregates whose changes are now stored (new ones included)."""
        for aggregate in aggregates:
            self._held.put(aggregate.id, aggregate)

    def forget(self, aggregate_ids: Iterable[UUID]) -> None:
        """Aggregates that may have been changed in memory without being stored."""
        for aggregate_id in aggregate_ids:
            with contextlib.suppress(KeyError):
                self._held.get(aggregate_id, evict=True)

    def clear(self) -> None:
        """Forget everything (after an erasure: held aggregates hold decrypted values)."""
        with self.lock:
            self._held = LRUCache(maxsize=self.size)

    # -- reading ------------------------------------------------------------------------------

    def _read(self, aggregate_ids: Collection[UUID], snapshots: bool) -> dict[UUID, Any]:
        found: dict[Any, Any] = {}
        cold: list[UUID] = []
        for aggregate_id in aggregate_ids:
            try:
                found[aggregate_id] = self._held.get(aggregate_id)
            except KeyError:
                cold.append(aggregate_id)
        if cold and snapshots and self.snapshots is not None:
            for stored in self._latest(self.snapshots, cold):
                found[stored.originator_id] = self._decode(stored).mutate(None)
        after = [(i, found[i].version if i in found else 0) for i in aggregate_ids]
        for stored in self._after(self.events, after):
            held = found.get(stored.originator_id)
            found[stored.originator_id] = self._decode(stored).mutate(held)
        return found

    def _decode(self, stored: StoredEvent) -> Any:
        return self.mapper.to_domain_event(stored)

    def _latest(self, recorder: Any, ids: list[UUID]) -> list[StoredEvent]:
        self.queries += 1
        if hasattr(recorder, "select_latest_events"):
            return list(recorder.select_latest_events(ids))
        return [e for i in ids for e in recorder.select_events(i, desc=True, limit=1)]

    def _after(self, recorder: Any, after: list[tuple[UUID, int]]) -> list[StoredEvent]:
        self.queries += 1
        if hasattr(recorder, "select_events_after"):
            return list(recorder.select_events_after(after))
        return [e for i, v in after for e in recorder.select_events(i, gt=v)]
