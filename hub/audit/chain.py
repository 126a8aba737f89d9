"""Appending to the audit chain in the same transaction as the record it audits.

``AuditTrail.commit(kind, record, *aggregates)`` stores the aggregates' new events and one new
chain entry in one transaction: either both are stored or neither is. Concurrent callers in
one process share that transaction (a group commit, hub/audit/group_commit.py): one of them
appends every queued entry to the chain and saves all of them, with every queued record, in
one ``app.save``. Another API replica on the same store that appended first makes the save
fail with an IntegrityError on the ``AuditLog`` aggregate; the trail reloads the head and
stores the whole batch again. Any other failure fails every caller of the batch, each of which
turns it into a refusal: nothing may be released.

The ``AuditLog`` aggregate is snapshotted (``PartnershipHub.snapshotting_intervals``), so a new
process loads the head from the latest snapshot and the few entries after it, not the whole
chain; after each batch the trail keeps the head it stored in the repository's cache, so the
next batch reads nothing unless another process appended meanwhile.

Checkpoints (Ed25519 signatures over the head's sequence number and hash) are written after
every ``checkpoint_every`` entries or ``checkpoint_seconds``, and on demand, to the
``AuditCheckpoints`` aggregate and to an append-only JSONL file in the data directory.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.postgres import PostgresDatastore

from domain.model.audit import (
    AUDIT_LOG_ID,
    CHECKPOINTS_ID,
    AuditCheckpoints,
    AuditLog,
    checkpoint_message,
)
from hub.application import PartnershipHub
from hub.audit import keys
from hub.audit.config import AuditConfig
from hub.audit.group_commit import GroupCommit, Queued

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 50


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@contextmanager
def one_writer(app: PartnershipHub) -> Iterator[None]:
    """On PostgreSQL, one batch at a time across every API process on the store (a session
    advisory lock, keyed by schema): two leaders that loaded the same head would make one
    store its batch twice. SQLite's own write lock does the same there."""
    datastore = getattr(app.recorder, "datastore", None)
    if not isinstance(datastore, PostgresDatastore):
        yield
        return
    key = (zlib.crc32(f"{datastore.schema}/{AUDIT_LOG_ID}".encode()) & 0x7FFFFFFF, 1)
    with datastore.get_connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s, %s)", key)
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", key)


class AuditTrail:
    """One per application object; thread-safe."""

    def __init__(self, app: PartnershipHub, config: AuditConfig | None = None) -> None:
        self.app = app
        self.config = config
        self._group = GroupCommit(self._write)
        self._checkpointing = threading.Lock()
        self._signer: Ed25519PrivateKey | None = None
        self._last_checkpoint: tuple[int, float] | None = None

    # -- the chain ------------------------------------------------------------------------------

    def _load_log(self) -> AuditLog:
        found = self.app.get_or_none(AUDIT_LOG_ID)
        return found if found is not None else AuditLog()

    def head(self) -> tuple[int, str]:
        current = self._load_log()
        return current.seq, current.head

    def commit(self, kind: str, record: dict[str, Any], *aggregates: Aggregate,
               ref: str | None = None) -> int:
        """Store the aggregates' pending events and a chain entry atomically; the entry's
        sequence number. Raises whatever the store raises if it cannot be written."""
        if ref is None and aggregates:
            ref = str(aggregates[0].id)
        entry = {"kind": kind, "ref": ref, "at": now_iso(), "record": record}
        events = [e for a in aggregates for e in a.collect_events()]
        seq = self._group.submit(Queued(entry, events))
        self._maybe_checkpoint(seq)
        return seq

    def _write(self, batch: list[Queued]) -> None:
        """Append the batch to the chain and store it in one transaction (the group commit's
        leader calls this; one batch at a time per process, and per store on PostgreSQL)."""
        with one_writer(self.app):
            self._store(batch)

    def _store(self, batch: list[Queued]) -> None:
        for attempt in range(MAX_ATTEMPTS):
            chain = self._load_log()
            first = chain.seq
            try:
                self._save(chain, batch)
                return
            except IntegrityError:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
                if self._load_log().seq == first:  # a record conflicted, not the chain
                    self._store_alone(batch)
                    return
                time.sleep(0.001 * attempt)
        raise AssertionError("unreachable")

    def _save(self, chain: AuditLog, batch: list[Queued]) -> None:
        """Each record's events just before its entry, all in one ``app.save``; then the
        head is kept for the next batch, and snapshotted when it passes an interval."""
        before = chain.version
        events: list[Any] = []
        seqs = []
        for item in batch:
            seqs.append(chain.append(item.entry))
            events += item.events
            events += chain.collect_events()
        self.app.save(*events)
        for item, seq in zip(batch, seqs, strict=True):
            item.seq = seq
        cache = self.app.repository.cache
        if cache is not None:  # the next batch starts from here, unless another replica wrote
            cache.put(chain.id, chain)
        self._snapshot(chain, before)

    def _snapshot(self, chain: AuditLog, before: int) -> None:
        """From the head just stored: the library would read back up to an interval of
        entries to rebuild it (hub/application.py holds the interval)."""
        interval = self.app.snapshotting_intervals.get(AuditLog)
        if not interval or self.app.snapshots is None or \
                chain.version // interval == before // interval:
            return
        try:
            self.app.snapshots.put([AuditLog.Snapshot.take(chain)])
        except Exception:  # the entries are stored; a later batch snapshots again
            log.exception("could not snapshot the audit chain at %d", chain.seq)

    def _store_alone(self, batch: list[Queued]) -> None:
        """A record in the batch changed since its caller read it (two reviews of one
        disclosure): only that caller fails, so each entry is stored in its own transaction."""
        if len(batch) == 1:
            raise IntegrityError("a record in this entry was changed by another writer")
        for item in batch:
            try:
                self._store([item])
            except Exception as exc:
                item.error = exc

    # -- checkpoints ----------------------------------------------------------------------------

    def signer(self) -> Ed25519PrivateKey:
        if self._signer is None:
            if self.config is None:
                raise RuntimeError("the audit trail has no configuration: cannot sign")
            self._signer = keys.load(self.config.require_key_file(),
                                     create=self.config.may_create_key)
        return self._signer

    def _maybe_checkpoint(self, seq: int) -> None:
        # Every caller of a batch gets here at once: one of them signs, the others go on.
        if self.config is None or not self._checkpointing.acquire(blocking=False):
            return
        try:
            if self._last_checkpoint is None:
                self._last_checkpoint = (self._stored_last_checkpoint(), time.monotonic())
            last_seq, last_at = self._last_checkpoint
            if seq - last_seq >= self.config.checkpoint_every or \
                    time.monotonic() - last_at >= self.config.checkpoint_seconds:
                self.checkpoint()
        except Exception:  # the entry is stored; the next append tries again
            log.exception("could not write an audit checkpoint")
        finally:
            self._checkpointing.release()

    def last_checkpoint_seq(self) -> int:
        """The chain position the last signed checkpoint covers (0: none yet)."""
        return self._stored_last_checkpoint()

    def _stored_last_checkpoint(self) -> int:
        found = self.app.get_or_none(CHECKPOINTS_ID)
        return found.last_seq if found is not None else 0

    def checkpoint(self) -> dict[str, Any]:
        """Sign the current head and keep the signature in both places."""
        if self.config is None:
            raise RuntimeError("the audit trail has no configuration: cannot sign")
        key = self.signer()
        seq, head = self.head()
        signed_at = now_iso()
        signature = base64.b64encode(key.sign(checkpoint_message(seq, head, signed_at))).decode()
        doc: dict[str, Any] = {"seq": seq, "hash": head, "signed_at": signed_at,
               "public_key": keys.public_text(key), "signature": signature}
        path = self.config.checkpoints_file
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(doc, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        for attempt in range(MAX_ATTEMPTS):
            found = self.app.get_or_none(CHECKPOINTS_ID)
            checkpoints = found if found is not None else AuditCheckpoints()
            checkpoints.sign(**doc)
            try:
                self.app.save(checkpoints)
                break
            except IntegrityError:
                if attempt == MAX_ATTEMPTS - 1:
                    raise
        self._last_checkpoint = (seq, time.monotonic())
        return doc


_TRAILS: weakref.WeakKeyDictionary[PartnershipHub, AuditTrail] = weakref.WeakKeyDictionary()
_TRAILS_LOCK = threading.Lock()


def audit_trail(app: PartnershipHub, config: AuditConfig | None = None) -> AuditTrail:
    """The application's trail; a config given later enables checkpoints on it."""
    with _TRAILS_LOCK:
        trail = _TRAILS.get(app)
        if trail is None:
            trail = _TRAILS[app] = AuditTrail(app, config)
        elif config is not None:
            trail.config = config
        return trail
