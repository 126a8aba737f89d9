"""Views kept as tables in the hub's own store, so lists are paged and filtered by the database.

A ``TableView`` is an ``eventsourcing`` ``Projection``: it names the event ``topics`` it reads
and handles each event class (``apply``, dispatched on the class with the library's
``singledispatchmethod``). Its ``view`` is a ``ViewStore``: the tables, in the same SQLite file
or PostgreSQL schema as the events, and the view's position, kept in the hub's own tracking
table under the view's name and written in the same transaction as the rows, so a crash
between the two cannot happen and a restarted view carries on from where it stopped.

``catch_up`` applies what was stored since the view's position, a batch per transaction. Every
read calls it first, so a reader sees everything stored before its request (a DPO sees the
disclosure just made); two processes catching up at once cannot both advance the position
(the tracking insert fails for the second, which rolls back and reads again).
``eventsourcing``'s ``ProjectionRunner`` is not used: it needs the store to push new events
(``subscribe``), which the library's SQLite store cannot (the hub's embedded default).
"""

from __future__ import annotations

import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from eventsourcing.persistence import IntegrityError, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.projection import Projection

from hub.application import PartnershipHub, Unreadable
from hub.store import store_call
from hub.views.projections import Progress, ProgressCallback

BATCH = 500
SKIP_PERSIST = 10_000  # a run of other events this long moves the stored position too
CATCH_UP_RETRIES = 5


class ViewStore(TrackingRecorder):
    """A view's tables beside the events, and its position in the hub's tracking table.

    SQL is written once with ``:name`` parameters and ``{t}`` for the view's table prefix; the
    PostgreSQL dialect gets ``%(name)s`` and the schema-qualified names.
    """

    def __init__(self, app: PartnershipHub, name: str, schema: Sequence[str]) -> None:
        self.app = app
        self.name = name
        self.position_name = f"view:{name}"
        self.recorder: Any = app.process_recorder
        self.datastore = self.recorder.datastore
        self.postgres = isinstance(self.datastore, PostgresDatastore)
        self.table_name = f"hub_{name}"  # indexes: PostgreSQL puts them in the table's schema
        self.prefix = (f"{self.datastore.schema}.{self.table_name}" if self.postgres
                       else self.table_name)
        self._sql: dict[str, str] = {}
        self.call(lambda: self._create(schema))

    def sql(self, text: str) -> str:
        found = self._sql.get(text)
        if found is None:
            found = text.replace("{t}", self.prefix).replace("{n}", self.table_name)
            if self.postgres:
                found = re.sub(r"(?<!:):([a-z_][a-z0-9_]*)", r"%(\1)s", found)
            self._sql[text] = found
        return found

    def call(self, call: Callable[[], Any]) -> Any:
        """A call to the store with the hub's bounded waits (StoreUnavailable when down)."""
        return store_call(self, call)

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[Any]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield cursor

    def execute(self, cursor: Any, text: str, params: Mapping[str, Any] | None = None) -> None:
        cursor.execute(self.sql(text), dict(params or {}))

    def select(self, text: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        def read() -> list[Any]:
            with self.transaction(commit=False) as cursor:
                self.execute(cursor, text, params)
                return list(cursor.fetchall())
        return self.call(read)

    def _create(self, schema: Sequence[str]) -> None:
        with self.transaction(commit=True) as cursor:
            for statement in schema:
                self.execute(cursor, statement)

    def clear(self, tables: Sequence[str]) -> None:
        """Empty the view's tables and put its position back to the start (one transaction)."""
        def clear() -> None:
            with self.transaction(commit=True) as cursor:
                for table in tables:
                    self.execute(cursor, f"DELETE FROM {{t}}_{table}")
                self.execute(cursor, self._forget_position(), {"name": self.position_name})
        self.call(clear)

    def _forget_position(self) -> str:
        table = (f"{self.datastore.schema}.{self.recorder.tracking_table_name}"
                 if self.postgres else "tracking")
        return f"DELETE FROM {table} WHERE application_name = :name"

    # -- TrackingRecorder ----------------------------------------------------------------------

    def track(self, cursor: Any, tracking: Tracking) -> None:
        """The view's position, in the transaction of the rows it covers."""
        self.recorder._insert_tracking(cursor, Tracking(self.position_name,
                                                        tracking.notification_id))

    def insert_tracking(self, tracking: Tracking) -> None:
        self.recorder.insert_tracking(Tracking(self.position_name, tracking.notification_id))

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.recorder.max_tracking_id(self.position_name)


V = TypeVar("V", bound="TableView")


class TableView(Projection[ViewStore]):
    """Subclasses give ``name``, ``topics``, ``schema`` (CREATE statements) and ``tables``
    (the suffixes of their tables, emptied on a rebuild) and the handlers of ``apply``."""

    schema: ClassVar[tuple[str, ...]] = ()
    tables: ClassVar[tuple[str, ...]] = ()

    def __init__(self, app: PartnershipHub) -> None:
        super().__init__(ViewStore(app, self.name, self.schema))
        self.app = app
        self._lock = threading.Lock()
        self._scanned = 0  # read up to here and found nothing newer for this view

    @classmethod
    def of(cls: type[V], app: PartnershipHub) -> V:
        """The application's one instance of this view."""
        return table_view(app, cls)

    def apply(self, event: Any, cursor: Any, position: int) -> None:
        """Each view declares its own ``apply`` with ``@singledispatchmethod`` and registers a
        handler per event class it reads. ``position``: the event's place in the store (the
        order of a view's rows, and where its pages continue)."""
        raise NotImplementedError

    def unreadable(self, event: Unreadable, cursor: Any) -> None:
        """A stored event that no longer decrypts: views list it rather than drop it."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        """One event and the position after it in one transaction (the library's contract)."""
        def write() -> None:
            with self.view.transaction(commit=True) as cursor:
                self._apply(domain_event, cursor, tracking.notification_id)
                self.view.track(cursor, tracking)
        self.view.call(write)

    def _apply(self, event: Any, cursor: Any, position: int) -> None:
        if isinstance(event, Unreadable):
            self.unreadable(event, cursor)
        else:
            self.apply(event, cursor, position)

    def position(self) -> int:
        return self.view.max_tracking_id(self.app.name) or 0

    def catch_up(self, progress: ProgressCallback | None = None, every: int = 10_000) -> int:
        """Apply everything stored since the view's position; how many events were applied."""
        with self._lock:
            for attempt in range(CATCH_UP_RETRIES):
                try:
                    return self._catch_up(progress, every)
                except IntegrityError:  # another process moved the view on: read again
                    if attempt == CATCH_UP_RETRIES - 1:
                        raise
                    time.sleep(0.01 * (attempt + 1))
        raise AssertionError("unreachable")

    def _catch_up(self, progress: ProgressCallback | None, every: int) -> int:
        """Up to the last position stored when it starts. The view's position moves to that
        last position even when nothing there is for this view, so a view of rare events does
        not read past the same run of other events (audit entries, say) on every request: in
        memory at once, and in the store with the next rows or once the run is long."""
        started, done, reported = time.monotonic(), 0, 0
        last = self.app.recorder.max_notification_id() or 0
        stored = self.position()
        position = max(stored, self._scanned)
        while position < last:
            batch = self.app.stored(self.topics, start=position + 1, limit=BATCH, stop=last)
            if not batch and last - stored < SKIP_PERSIST:
                break
            # A short batch is all there is up to ``last``: the position goes to ``last``.
            reached = batch[-1][0] if len(batch) == BATCH else last

            def write(batch: list[tuple[int, Any]] = batch, reached: int = reached) -> None:
                with self.view.transaction(commit=True) as cursor:
                    for at, event in batch:
                        self._apply(event, cursor, at)
                    self.view.track(cursor, Tracking(self.app.name, reached))
            self.view.call(write)
            done, position = done + len(batch), reached
            if progress is not None and position - reported >= every:
                progress(Progress(position, last, time.monotonic() - started))
                reported = position
        self._scanned = max(self._scanned, last)
        if progress is not None:
            progress(Progress(last, last, time.monotonic() - started))
        return done

    def rebuild(self, progress: ProgressCallback | None = None) -> int:
        """Empty the view and apply the whole log again."""
        with self._lock:
            self.view.clear(self.tables)
            self._scanned = 0
        return self.catch_up(progress)


_VIEWS: weakref.WeakKeyDictionary[PartnershipHub, dict[type[Any], Any]] = (
    weakref.WeakKeyDictionary())
_VIEWS_LOCK = threading.Lock()


def table_view(app: PartnershipHub, view_class: type[V]) -> V:
    """The application's one instance of a view (its tables are created on first use)."""
    with _VIEWS_LOCK:
        views = _VIEWS.setdefault(app, {})
        found = views.get(view_class)
        if found is None:
            found = views[view_class] = view_class(app)
        return found  # type: ignore[no-any-return]

