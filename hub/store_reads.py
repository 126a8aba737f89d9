"""Reading many aggregates in one query: each one's events after a given version, and each
one's latest snapshot. A batch of agency events touches hundreds of aggregates; reading them
one ``Repository.get`` at a time was most of the worker's time on PostgreSQL.

Mixed into the hub's recorders (hub/store.py), which bound each call like the library's own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Identifier

# Ids per statement: well within SQLite's and PostgreSQL's limits, however large a batch.
CHUNK = 5000


def _chunks(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[n:n + CHUNK] for n in range(0, len(items), CHUNK)]


class SQLiteManyReads:
    """For SQLite recorders: ids are passed as one JSON array (no limit on parameters)."""

    datastore: Any
    events_table_name: str
    convert_originator_id: Callable[[Any], Any]  # the recorder's own

    def select_events_after(self, after: Sequence[tuple[UUID, int]]) -> list[StoredEvent]:
        """The events of each aggregate with a version above the one given, in order."""
        statement = (
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM json_each(?) AS w JOIN {t} AS e "
            "ON e.originator_id = json_extract(w.value, '$[0]') "
            "AND e.originator_version > json_extract(w.value, '$[1]') "
            "ORDER BY e.originator_id, e.originator_version"
        ).replace("{t}", self.events_table_name)
        return [event for chunk in _chunks(after) for event in self._select(
            statement, json.dumps([[i.hex, v] for i, v in chunk]))]

    def select_latest_events(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The last event of each aggregate that has any (here: its latest snapshot)."""
        statement = (
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM json_each(?) AS w JOIN {t} AS e ON e.originator_id = w.value "
            "AND e.originator_version = "
            "(SELECT MAX(m.originator_version) FROM {t} AS m WHERE m.originator_id = w.value)"
        ).replace("{t}", self.events_table_name)
        return [event for chunk in _chunks(originator_ids) for event in self._select(
            statement, json.dumps([i.hex for i in chunk]))]

    def _select(self, statement: str, ids: str) -> list[StoredEvent]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(statement, (ids,))
            return [StoredEvent(originator_id=self.convert_originator_id(row[0]),
                                originator_version=row[1], topic=row[2], state=row[3])
                    for row in c.fetchall()]


class PostgresManyReads:
    """For PostgreSQL recorders: ids are passed as arrays and joined with ``unnest``."""

    datastore: Any
    events_table_name: str

    def select_events_after(self, after: Sequence[tuple[UUID, int]]) -> list[StoredEvent]:
        """The events of each aggregate with a version above the one given, in order."""
        statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::{id_type}[], %s::bigint[]) AS w(id, gt) "
            "JOIN {schema}.{table} AS e ON e.originator_id = w.id "
            "AND e.originator_version > w.gt "
            "ORDER BY e.originator_id, e.originator_version")
        return [event for chunk in _chunks(after) for event in self._select(
            statement, ([i for i, _ in chunk], [v for _, v in chunk]))]

    def select_latest_events(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The last event of each aggregate that has any (here: its latest snapshot)."""
        statement = SQL(
            "SELECT e.originator_id, e.originator_version, e.topic, e.state "
            "FROM unnest(%s::{id_type}[]) AS w(id) CROSS JOIN LATERAL ("
            "SELECT * FROM {schema}.{table} AS x WHERE x.originator_id = w.id "
            "ORDER BY x.originator_version DESC LIMIT 1) AS e")
        return [event for chunk in _chunks(originator_ids) for event in self._select(
            statement, (list(chunk),))]

    def _select(self, statement: SQL, params: tuple[Any, ...]) -> list[StoredEvent]:
        query = statement.format(
            id_type=Identifier(self.datastore.originator_id_type),
            schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        if self.datastore.originator_id_type == "text":
            params = ([str(i) for i in params[0]], *params[1:])
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(query, params, prepare=True)
            return [StoredEvent(originator_id=row["originator_id"],
                                originator_version=row["originator_version"],
                                topic=row["topic"], state=bytes(row["state"]))
                    for row in curs.fetchall()]
