"""The event store with bounded waits: a store that cannot answer is reported promptly.

``eventsourcing`` retries every failed PostgreSQL call ten times, each waiting up to
``POSTGRES_CONNECT_TIMEOUT`` for a pooled connection, so an outage held a request for minutes.
Here the same recorders try ``ATTEMPTS`` times and then raise ``StoreUnavailable``, which the
API answers with 503 and the worker waits out. With the hub's defaults (``hub.settings``) a
call gives up within about ``ATTEMPTS * POSTGRES_CONNECT_TIMEOUT`` seconds.

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
import time
from collections.abc import Callable
from typing import Any

import psycopg
from eventsourcing.persistence import (
    InfrastructureFactory,
    InterfaceError,
    OperationalError,
    PersistenceError,
)
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
)
from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteFactory, SQLiteProcessRecorder
from eventsourcing.utils import Environment

ATTEMPTS = 2  # a second try on a fresh connection rides out a server restart
RETRY_WAIT_S = 0.2
RECONNECT_S = 5.0
STORE_CALLS = ("insert_events", "select_events", "select_notifications", "max_notification_id",
               "insert_tracking", "max_tracking_id", "has_tracking_id")


class StoreUnavailable(OperationalError):
    """The event store did not answer in time; nothing that depends on it happened."""


# What the store (and the subject key store beside it) raises when it fails, as opposed to
# what a bad stored row raises when it is decoded.
STORE_ERRORS = (PersistenceError, psycopg.Error, sqlite3.Error)


def _describe(recorder: Any) -> str:
    datastore = recorder.datastore
    if isinstance(datastore, PostgresDatastore):
        kw = datastore.pool.kwargs if isinstance(datastore.pool.kwargs, dict) else {}
        return f"PostgreSQL at {kw.get('host')}:{kw.get('port')}/{kw.get('dbname')}"
    return "the SQLite store"


def _bounded(call: Callable[..., Any], attempts: int) -> Callable[..., Any]:
    @functools.wraps(call)
    def bounded(self: Any, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, attempts + 1):
            try:
                return call(self, *args, **kwargs)
            except StoreUnavailable:
                raise
            except (InterfaceError, OperationalError) as exc:
                if attempt == attempts:
                    raise StoreUnavailable(
                        f"the event store ({_describe(self)}) is unavailable: {exc}") from exc
                time.sleep(RETRY_WAIT_S)
        raise AssertionError("unreachable")
    return bounded


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
class BoundedPostgresProcessRecorder(PostgresProcessRecorder):
    pass


@_bounded_calls(ATTEMPTS)
class BoundedPostgresAggregateRecorder(PostgresAggregateRecorder):
    """Snapshots."""


# SQLite waits SQLITE_LOCK_TIMEOUT itself; a lock still held after that is an outage.
@_bounded_calls(1)
class BoundedSQLiteProcessRecorder(SQLiteProcessRecorder):
    pass


@_bounded_calls(1)
class BoundedSQLiteAggregateRecorder(SQLiteAggregateRecorder):
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
