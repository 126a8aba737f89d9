"""Reach past the hub into the raw store, as an attacker or a disk would."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from hub.settings import Settings
from tests.stores import POSTGRES_DSN
from tests.stores import store_locked as store_locked  # used by the audit tests as db.store_locked


def is_sqlite(settings: Settings) -> bool:
    return settings.store_env["PERSISTENCE_MODULE"].endswith("sqlite")


def _pg_table(settings: Settings) -> str:
    return f"{settings.store_env['POSTGRES_SCHEMA']}.partnershiphub_events"


def execute(settings: Settings, sql_sqlite: str, sql_pg: str, params: tuple[Any, ...]) -> int:
    """Run one statement; the number of rows it changed. UUIDs are stored as hex text in
    SQLite and as uuid in PostgreSQL."""
    if is_sqlite(settings):
        params = tuple(p.hex if isinstance(p, UUID) else p for p in params)
        with sqlite3.connect(settings.store_env["SQLITE_DBNAME"]) as conn:
            return conn.execute(sql_sqlite, params).rowcount
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        return conn.execute(sql_pg.format(table=_pg_table(settings)), params).rowcount


def set_state(settings: Settings, originator_id: UUID, version: int, state: bytes) -> None:
    assert execute(settings,
            "UPDATE stored_events SET state = ? WHERE originator_id = ? "
            "AND originator_version = ?",
            "UPDATE {table} SET state = %s WHERE originator_id = %s AND originator_version = %s",
            (state, originator_id, version)) == 1


def delete_after(settings: Settings, originator_id: UUID, version: int) -> None:
    assert execute(settings,
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version > ?",
            "DELETE FROM {table} WHERE originator_id = %s AND originator_version > %s",
            (originator_id, version)) > 0


def raw_bytes(settings: Settings) -> bytes:
    """Everything the store holds, as bytes: the SQLite files (with WAL), or every column of
    every row of every table in the PostgreSQL schema."""
    if is_sqlite(settings):
        base = Path(settings.store_env["SQLITE_DBNAME"])
        return b"".join(p.read_bytes() for p in base.parent.glob(base.name + "*"))
    schema = settings.store_env["POSTGRES_SCHEMA"]
    chunks = []
    with psycopg.connect(POSTGRES_DSN) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            (schema,))]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM {schema}."{table}"'):
                for value in row:
                    chunks.append(bytes(value) if isinstance(value, bytes | memoryview)
                                  else str(value).encode())
    return b"\n".join(chunks)
