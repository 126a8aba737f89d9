"""Writing a batch: a new person's sealing key with the events sealed under it, and the events
in a form PostgreSQL takes quickly.

A new person's key is stored with the events sealed under it (hub/audit/subjects.py).

PostgreSQL: the staged keys are inserted in the events' own transaction, so both are stored or
neither. SQLite: the keys live in a separate file (so that erasing one can overwrite it without
rewriting the event store), which cannot share the events' transaction; they are committed in
one transaction of their own just before the events, so a crash in between leaves a key that
nothing uses yet, never an event whose key is missing. Writing a key twice changes nothing, so
a batch that fails and is retried needs nothing special. Snapshots seal what events already
sealed, so their keys are written first the same way on both stores.

Mixed into the hub's recorders (hub/store.py); ``sealing`` is the application's transcoder
(``PartnershipHub`` sets it), read at each write.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composed, Identifier

KeyRows = list[tuple[str, str, bytes, str]]


class WritesSubjectKeys:
    sealing: Any = None

    def _key_store(self) -> Any:
        return getattr(self.sealing, "keys", None)

    def _write_keys_first(self) -> None:
        keys = self._key_store()
        if keys is not None:
            keys.write_staged()


class SQLiteKeysFirst(WritesSubjectKeys):
    """SQLite recorders: keys committed inside the events' write, before the events."""

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        self._write_keys_first()
        return super()._insert_events(c, stored_events, **kwargs)  # type: ignore[misc]


class PostgresSnapshotKeysFirst(WritesSubjectKeys, PostgresAggregateRecorder):
    """The PostgreSQL snapshot recorder (one autocommit statement): keys first."""

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        self._write_keys_first()
        super()._insert_stored_events(curs, stored_events, **kwargs)


class PostgresKeysInTransaction(WritesSubjectKeys, PostgresProcessRecorder):
    """The PostgreSQL event recorder: keys in the events' transaction, with the tracking
    record. ``insert_events`` (hub/store.py) opens ``staged_keys`` around its transaction
    and passes the rows on as ``subject_key_rows``."""

    @contextmanager
    def staged_keys(self) -> Iterator[KeyRows]:
        """The staged keys' rows; once the block (the transaction) ends without an error,
        they are stored and need writing no more."""
        keys = self._key_store()
        rows: KeyRows = keys.staged_rows() if keys is not None else []
        yield rows
        if rows:
            keys.stored(rows)

    def _insert_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> None:
        rows: KeyRows = kwargs.get("subject_key_rows") or []
        if rows:
            curs.executemany(self._key_store().insert_sql(), rows)
        super()._insert_events(curs, stored_events, **kwargs)


class PostgresPlainArrays(PostgresProcessRecorder):
    """Events sent as four plain arrays in binary, rather than the library's one array of a
    composite type, whose text form psycopg builds and escapes value by value (a third of
    the worker's time in the store). The same statement otherwise: lock, notify, insert."""

    _insert_arrays: Composed | None = None

    def _insert_stored_events(self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        if self._insert_arrays is None:
            self._insert_arrays = SQL(
                "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(%s::{id_type}[], %s::bigint[], %s::text[], %s::bytea[]) "
                "RETURNING notification_id").format(
                schema=Identifier(self.datastore.schema),
                table=Identifier(self.events_table_name),
                id_type=Identifier(self.datastore.originator_id_type))
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(self._insert_arrays, (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events], [e.state for e in stored_events]), binary=True)
