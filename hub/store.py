"""The event store with bounded waits: a store that cannot answer is reported promptly.

``eventsourcing`` retries every failed PostgreSQL call ten times, each waiting up to
``POSTGRES_CONNECT_TIMEOUT`` for a pooled connection, so an outage held a request for minutes.
Here the same recorders try ``ATTEMPTS`` times when the store cannot be reached (once when it
is busy: a lock or statement timeout) and then raise ``StoreUnavailable``, which the API answers
with 503 and the worker waits out. With the hub's defaults (``hub.settings``) a call gives up
within about ``ATTEMPTS * POSTGRES_CONNECT_TIMEOUT`` seconds, and while the store is down other
calls give up at once (``Breaker``).

The library's own settings do the rest: ``POSTGRES_PRE_PING`` drops connections the server
closed, ``POSTGRES_LOCK_TIMEOUT`` bounds the table lock of a write and
``POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT`` ends abandoned transactions. libpq's own
connect timeout and ``POSTGRES_STATEMENT_TIMEOUT`` (the hub's, in seconds) bound a connection
attempt and a statement, which the library leaves unbounded.
"""

from __future__ import annotations

import functools
import random
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import (
    PostgresDatastore,
    PostgresFactory,
)
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteFactory, SQLiteProcessRecorder
from eventsourcing.utils import Environment

from hub.store_reads import PostgresManyReads, SQLiteManyReads
from hub.store_writes import (
    PostgresKeysInTransaction,
    PostgresPlainArrays,
    PostgresSnapshotKeysFirst,
    SQLiteKeysFirst,
)

ATTEMPTS = 2  # a second try on a fresh connection rides out a server restart
RETRY_WAIT_S = 0.2
RECONNECT_S = 5.0
TRIAL_INTERVAL_S = 1.0
STORE_CALLS = ("insert_events", "select_events", "select_notifications", "max_notification_id",
               "insert_tracking", "max_tracking_id", "has_tracking_id", "select_events_after",
               "select_latest_events")


class StoreUnavailable(OperationalError):
    """The event store did not answer in time; nothing that depends on it happened."""


class StoreDown(StoreUnavailable):
    """The store cannot be reached at all (rather than busy, e.g. a lock held too long)."""


# What the store (and the subject key store beside it) raises when it fails, as opposed to
# what a bad stored row raises when it is decoded.
STORE_ERRORS = (PersistenceError, psycopg.Error, sqlite3.Error)


def _describe(recorder: Any) -> str:
    datastore = recorder.datastore
    if isinstance(datastore, PostgresDatastore):
        kw = datastore.pool.kwargs if isinstance(datastore.pool.kwargs, dict) else {}
        return f"PostgreSQL at {kw.get('host')}:{kw.get('port')}/{kw.get('dbname')}"
    return "the SQLite store"


# What counts as an outage. SQLite says "operational error" for a missing table too: only these
# codes do (a lock held past SQLITE_LOCK_TIMEOUT or a full disk: busy; a failing disk: down).
SQLITE_BUSY = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL}
SQLITE_DOWN = {sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN}
# PostgreSQL is out of reach with no SQLSTATE (no connection, pool timeout), a connection
# exception (class 08) or the server shutting down or starting (57P01-57P03); any other
# operational error (a lock or statement timeout) means busy.
POSTGRES_DOWN = ("08", "57P01", "57P02", "57P03")


def _outage(exc: Exception) -> type[StoreUnavailable] | None:
    """StoreDown, StoreUnavailable (busy) or None (not an outage: let it through)."""
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        code = (getattr(cause, "sqlite_errorcode", None) or 0) & 0xFF
        return StoreDown if code in SQLITE_DOWN else (
            StoreUnavailable if code in SQLITE_BUSY else None)
    if isinstance(cause, psycopg.Error):
        state = cause.sqlstate
        return StoreDown if state is None or state.startswith(POSTGRES_DOWN) else StoreUnavailable
    return StoreDown


class Breaker:
    """Once the store is down, other calls fail at once instead of queueing: the library
    (a cached aggregate's fast-forward) and the audit trail hold a lock across a store call,
    so without this each request behind the lock would wait out every failure before it. One
    call at a time tries the store again, at most every ``TRIAL_INTERVAL_S``, so the hub is
    back as soon as the store is."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down: StoreDown | None = None
        self._trying = False
        self._next_trial = 0.0

    def call(self, attempt: Callable[[], Any]) -> Any:
        with self._lock:
            if self._down is not None:
                if self._trying or time.monotonic() < self._next_trial:
                    raise StoreDown(str(self._down))
                self._trying = mine = True
            else:
                mine = False
        try:
            result = attempt()
        except StoreDown as exc:
            with self._lock:
                self._down, self._next_trial = exc, time.monotonic() + TRIAL_INTERVAL_S
                self._trying = self._trying and not mine
            raise
        except BaseException:
            if mine:
                with self._lock:
                    self._trying = False
            raise
        with self._lock:
            self._down = None
            self._trying = self._trying and not mine
        return result


_BREAKERS: weakref.WeakKeyDictionary[Any, Breaker] = weakref.WeakKeyDictionary()
_BREAKERS_LOCK = threading.Lock()


def _breaker(datastore: Any) -> Breaker:
    """One per store (the events and the snapshots share it)."""
    with _BREAKERS_LOCK:
        found = _BREAKERS.get(datastore)
        if found is None:
            found = _BREAKERS[datastore] = Breaker()
        return found


def _bounded(call: Callable[..., Any], attempts: int) -> Callable[..., Any]:
    @functools.wraps(call)
    def bounded(self: Any, *args: Any, **kwargs: Any) -> Any:
        def attempt() -> Any:
            for n in range(1, attempts + 1):
                try:
                    return call(self, *args, **kwargs)
                except (InterfaceError, OperationalError) as exc:
                    outage = _outage(exc)
                    if outage is None:
                        raise
                    if outage is StoreDown and n < attempts:  # busy: waiting again won't help
                        time.sleep(RETRY_WAIT_S)
                        continue
                    raise outage(f"the event store ({_describe(self)}) is unavailable: "
                                 f"{exc}") from exc
            raise AssertionError("unreachable")
        return _breaker(self.datastore).call(attempt)
    return bounded


def store_call(owner: Any, call: Callable[[], Any]) -> Any:
    """``call`` against ``owner.datastore`` (a view's own SQL) with the recorders' bounded
    waits and breaker: StoreUnavailable when the store cannot answer."""
    attempts = ATTEMPTS if isinstance(owner.datastore, PostgresDatastore) else 1
    return _bounded(lambda _: call(), attempts)(owner)


def _bounded_calls(attempts: int) -> Callable[[type[Any]], type[Any]]:
    """A class decorator replacing each store call the recorder inherits with a bounded one;
    the library's ten retries (its ``@retry`` decorator) are unwrapped first."""
    def decorate(cls: type[Any]) -> type[Any]:
        for name in STORE_CALLS:
            call = getattr(cls, name, None)
            if call is not None:
                setattr(cls, name, _bounded(getattr(call, "__wrapped__", call), attempts))
        return cls
    return decorate


@_bounded_calls(ATTEMPTS)
class BoundedPostgresProcessRecorder(PostgresKeysInTransaction, PostgresPlainArrays,
                                     PostgresManyReads):
    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any
                      ) -> Sequence[int] | None:
        """The library's statements, in one transaction but not in pipeline mode: psycopg 3.3
        stops flushing a pipeline once its queue of commands is empty, so a statement larger
        than the socket takes at once (a batch of several MB) was never sent in full, and the
        client waited for a reply while the server waited for the rest (bench/audit.py).
        New subject keys are written in the same transaction (hub/store_writes.py)."""
        with self.staged_keys() as key_rows, self.datastore.get_connection() as conn, \
                conn.transaction(), conn.cursor() as curs:
            self._insert_events(curs, stored_events, subject_key_rows=key_rows, **kwargs)
            if not stored_events:
                return None
            self._insert_stored_events(curs, stored_events, **kwargs)
            return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)


@_bounded_calls(ATTEMPTS)
class BoundedPostgresAggregateRecorder(PostgresSnapshotKeysFirst, PostgresManyReads):
    """Snapshots."""


# SQLite waits SQLITE_LOCK_TIMEOUT itself; a lock still held after that is an outage.
@_bounded_calls(1)
class BoundedSQLiteProcessRecorder(SQLiteKeysFirst, SQLiteProcessRecorder, SQLiteManyReads):
    pass


@_bounded_calls(1)
class BoundedSQLiteAggregateRecorder(SQLiteKeysFirst, SQLiteAggregateRecorder, SQLiteManyReads):
    """Snapshots."""


class PostgresStore(PostgresFactory):
    aggregate_recorder_class = BoundedPostgresAggregateRecorder
    process_recorder_class = BoundedPostgresProcessRecorder

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        # The pool keeps retrying a lost connection with a backoff that grows towards
        # minutes; giving up after a few seconds lets the next request connect at once, so
        # the hub is back within seconds of the server.
        self.datastore.pool.reconnect_timeout = RECONNECT_S
        kwargs = self.datastore.pool.kwargs
        assert isinstance(kwargs, dict)
        kwargs["connect_timeout"] = int(env.get(self.POSTGRES_CONNECT_TIMEOUT) or 5)
        statement_timeout = int(env.get("POSTGRES_STATEMENT_TIMEOUT") or 0)
        if statement_timeout:
            kwargs["options"] = f"-c statement_timeout={statement_timeout * 1000}"


class SQLiteStore(SQLiteFactory):
    aggregate_recorder_class = BoundedSQLiteAggregateRecorder
    process_recorder_class = BoundedSQLiteProcessRecorder


STORES: dict[str, type[InfrastructureFactory[Any]]] = {
    "eventsourcing.postgres": PostgresStore, "eventsourcing.sqlite": SQLiteStore}


def construct_factory(env: Environment) -> InfrastructureFactory[Any]:
    """The store ``PERSISTENCE_MODULE`` names, with bounded waits where the hub knows how."""
    store = STORES.get(env.get("PERSISTENCE_MODULE", "") or "")
    return store(env) if store is not None else InfrastructureFactory.construct(env)


def backoff(attempt: int) -> float:
    """Seconds to wait before trying an unavailable store again: about 0.5, 1, 2... at most
    30; jittered, so that processes started together do not collide again."""
    return min(30.0, 0.5 * 2 ** min(attempt - 1, 6)) * random.uniform(0.8, 1.2)
