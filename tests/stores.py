"""Real stores for tests and benchmarks: a scratch PostgreSQL schema, and a real write lock."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.cryptography import AESCipher

from hub.settings import Settings

POSTGRES_DSN = os.environ.get("HUB_TEST_POSTGRES_DSN",
                              "host=127.0.0.1 port=5432 dbname=test user=postgres")


def postgres_env(schema: str) -> dict[str, str]:
    """The eventsourcing variables for the local PostgreSQL, in ``schema``."""
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": "test",
            "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432", "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD": "", "POSTGRES_SCHEMA": schema, "POSTGRES_LOCK_TIMEOUT": "5"}


def _admin(dsn: str, statement: str, wait_s: float = 30.0) -> None:
    """Run one statement, waiting while the server has no connection to spare (the machine's
    PostgreSQL is shared: a benchmark beside the tests can hold every slot for a while)."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(statement)
            return
        except psycopg.OperationalError as exc:
            if "too many clients" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@contextmanager
def scratch_schema(prefix: str = "t", dsn: str = POSTGRES_DSN) -> Iterator[dict[str, str]]:
    """A new empty schema for one test or benchmark run, dropped afterwards."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(dsn, f"CREATE SCHEMA {schema}")
    try:
        yield postgres_env(schema)
    finally:
        _admin(dsn, f"DROP SCHEMA {schema} CASCADE")


@contextmanager
def store_locked(settings: Settings) -> Iterator[None]:
    """Really lock the store against writes from another connection (reads still work)."""
    env = settings.store_env
    if env["PERSISTENCE_MODULE"].endswith("sqlite"):
        conn = sqlite3.connect(env["SQLITE_DBNAME"])
        conn.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    with psycopg.connect(POSTGRES_DSN) as conn:
        conn.execute(f"LOCK TABLE {env['POSTGRES_SCHEMA']}.partnershiphub_events "
                     "IN EXCLUSIVE MODE")
        yield
        conn.rollback()


@contextmanager
def hub_store(kind: str, directory: Path, prefix: str = "t") -> Iterator[dict[str, str]]:
    """The environment of an encrypted hub store: ``sqlite`` in ``directory`` or ``postgres``
    in a scratch schema."""
    env = {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
           "CIPHER_KEY": AESCipher.create_key(32)}
    if kind == "postgres":
        with scratch_schema(prefix) as postgres:
            yield {**env, **postgres}
        return
    yield {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
           "SQLITE_DBNAME": str(directory / "hub.sqlite")}


def count_reads(app: Any, originator_id: UUID) -> list[int]:
    """How many events each store read of one aggregate returns, from now on (a cold
    process should read the audit chain from its snapshot, not from the start)."""
    read: list[int] = []
    real = app.recorder.select_events

    def counted(wanted: Any = None, **kwargs: Any) -> Any:
        wanted = kwargs.pop("originator_id", wanted)
        found = real(wanted, **kwargs)
        if wanted == originator_id:
            read.append(len(found))
        return found

    app.recorder.select_events = counted
    return read
