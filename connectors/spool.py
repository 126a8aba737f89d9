"""The agency-side spool: a SQLite file between reading records and publishing them.

Records are signed and written here first (``INSERT OR IGNORE`` on the event id, so reading
the same export twice adds nothing), then sent in spool order and marked ``sent`` only after
the broker has acknowledged them. A connector killed at any moment therefore resumes without
loss: on restart whatever is still ``pending`` is sent again. A message that reached the
broker but whose acknowledgement was not yet recorded is sent twice; the hub keeps one (the
envelope id is deterministic and the hub's recorders treat a known id as already applied).

WAL journal with ``synchronous=NORMAL``: durable across a killed process; after a power cut the
last few transactions may be lost, which only means those records are read and sent again.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from connectors.toolkit import Reject

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    subject TEXT NOT NULL,
    payload BLOB NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    spooled_at TEXT NOT NULL,
    sent_at TEXT,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_pending ON events (state, seq);
CREATE TABLE IF NOT EXISTS rejects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    source TEXT NOT NULL,
    row INTEGER NOT NULL,
    ref TEXT NOT NULL,
    field TEXT NOT NULL,
    reason TEXT NOT NULL,
    rejected_at TEXT NOT NULL,
    UNIQUE (source, row, ref, field, reason)
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Spooled:
    seq: int
    event_id: str
    subject: str
    payload: bytes


@dataclass(frozen=True)
class SpoolStatus:
    pending: int
    sent: int
    rejected: int
    oldest_pending: str | None = None
    last_sent: str | None = None


class Spool:
    """Thread-safe: one connection guarded by a lock (the webhook receiver shares it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                   timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def add(self, items: Iterable[tuple[str, str, bytes]]) -> int:
        """Spool ``(event_id, subject, signed_payload)``; returns how many were new."""
        rows = [(event_id, subject, payload, _now()) for event_id, subject, payload in items]
        if not rows:
            return 0
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany(
                    "INSERT OR IGNORE INTO events (event_id, subject, payload, spooled_at) "
                    "VALUES (?, ?, ?, ?)", rows)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            return self._db.total_changes - before

    def add_rejects(self, rejects: Iterable[Reject]) -> int:
        rows = [(r.source, r.row, r.ref, r.field, r.reason, _now()) for r in rejects]
        if not rows:
            return 0
        with self._lock:
            before = self._db.total_changes
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "INSERT OR IGNORE INTO rejects (source, row, ref, field, reason, rejected_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", rows)
            self._db.execute("COMMIT")
            return self._db.total_changes - before

    def pending(self, limit: int = 1000, after_seq: int = 0) -> list[Spooled]:
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, subject, payload FROM events "
                "WHERE state = 'pending' AND seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit)).fetchall()
        return [Spooled(*row) for row in rows]

    def mark_sent(self, seqs: Iterable[int]) -> None:
        now = _now()
        rows = [(now, seq) for seq in seqs]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(
                "UPDATE events SET state = 'sent', sent_at = ?, attempts = attempts + 1 "
                "WHERE seq = ?", rows)
            self._db.execute("COMMIT")

    def requeue(self, since: str) -> int:
        """Mark events spooled at or after ``since`` (ISO 8601) pending again: a re-export."""
        with self._lock:
            cursor = self._db.execute(
                "UPDATE events SET state = 'pending' WHERE state = 'sent' AND spooled_at >= ?",
                (since,))
            return cursor.rowcount

    def status(self) -> SpoolStatus:
        with self._lock:
            counts = dict(self._db.execute(
                "SELECT state, COUNT(*) FROM events GROUP BY state").fetchall())
            rejected = self._db.execute("SELECT COUNT(*) FROM rejects").fetchone()[0]
            oldest = self._db.execute(
                "SELECT MIN(spooled_at) FROM events WHERE state = 'pending'").fetchone()[0]
            last = self._db.execute("SELECT MAX(sent_at) FROM events").fetchone()[0]
        return SpoolStatus(counts.get("pending", 0), counts.get("sent", 0), rejected,
                           oldest, last)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
