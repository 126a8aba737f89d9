"""Group commit: concurrent appends to the audit chain share one transaction.

Every entry is stored in the same transaction as the record it audits, and the entries form
one chain, so two appends can never be stored side by side. Taking turns (a lock, load the
head, save, release) made every disclosure wait for every other one's transaction. Instead a
caller queues its entry; whichever caller finds no write under way becomes the leader, takes
everything queued so far and hands it to ``write`` (which stores the whole batch in one
transaction), then hands each caller its own outcome. Callers that arrive meanwhile queue for
the next batch, so the busier the hub, the more entries share a transaction.

``write`` sets each item's ``seq`` or raises; if it raises, every caller in the batch gets the
failure (a copy of the exception, caused by the original), so none of them may release data.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

MAX_BATCH = 100  # entries per transaction: bounds a statement's size and a batch's latency


@dataclass(eq=False)
class Queued:
    """One caller's entry and the events of the records it audits."""

    entry: dict[str, Any]
    events: list[Any] = field(default_factory=list)
    seq: int | None = None
    error: BaseException | None = None
    done: bool = False


class GroupCommit:
    """Thread-safe; one per audit trail (that is, per process and store)."""

    def __init__(self, write: Callable[[list[Queued]], None], max_batch: int = MAX_BATCH
                 ) -> None:
        self._write = write
        self.max_batch = max_batch
        self._changed = threading.Condition()
        self._queue: list[Queued] = []
        self._writing = False

    @property
    def queued(self) -> int:
        """Entries waiting for the next batch (not the one being written)."""
        with self._changed:
            return len(self._queue)

    def submit(self, item: Queued) -> int:
        """Wait until the item is stored; its sequence number. Raises if its batch failed."""
        with self._changed:
            self._queue.append(item)
            while not item.done:
                if self._writing:
                    self._changed.wait()
                    continue
                self._writing = True
                batch = self._queue[:self.max_batch]
                del self._queue[:len(batch)]
                self._changed.release()
                try:
                    self._run(batch)
                finally:
                    self._changed.acquire()
                    self._writing = False
                    self._changed.notify_all()
        if item.error is not None:
            raise _twin(item.error)
        assert item.seq is not None
        return item.seq

    def _run(self, batch: list[Queued]) -> None:
        try:
            self._write(batch)
        except BaseException as exc:  # every caller of the batch must see it
            for item in batch:
                item.error = exc
        for item in batch:
            if item.error is None and item.seq is None:
                item.error = RuntimeError("the audit batch stored no entry for this caller")
            item.done = True


def _twin(error: BaseException) -> BaseException:
    """A copy of ``error`` for one caller, so that callers in other threads do not all raise
    (and so extend the traceback of) one exception object; the original is its cause."""
    try:
        twin = copy.copy(error)
    except Exception:
        return error
    if type(twin) is not type(error):
        return error
    twin.__cause__ = error
    return twin
