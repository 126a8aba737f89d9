"""Fixtures for the panel tests: a seeded partnership on SQLite (and PostgreSQL where asked)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest

from hub.application import PartnershipHub
from hub.panels.service import PanelService
from hub.policy import PolicyEngine, load_engine
from hub.settings import Settings
from hub.sharing import Requester
from tests.conftest import POSTGRES_DSN
from tests.panels.data import CLIENTS, make_settings, seed


@dataclass
class Seeded:
    settings: Settings
    tokens: dict[str, str]
    hub: PartnershipHub
    engine: PolicyEngine
    now: datetime

    def service(self, **kwargs: object) -> PanelService:
        return PanelService(self.hub, self.engine, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def who(name: str, user: str | None = None) -> Requester:
        agency, role = CLIENTS[name]
        return Requester(user or f"{name}.officer", agency, role)


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    return load_engine()


@pytest.fixture(params=["sqlite"])
def seeded(request: pytest.FixtureRequest, tmp_path: Path, engine: PolicyEngine
           ) -> Iterator[Seeded]:
    settings, tokens = make_settings(tmp_path)
    env = dict(settings.store_env)
    schema = None
    if request.param == "postgres":
        schema = f"p_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        env.update({"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": "test",
                    "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                    "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
                    "POSTGRES_SCHEMA": schema})
    hub = PartnershipHub(env=env)
    now = datetime.now(UTC)
    seed(hub, now)
    try:
        yield Seeded(settings, tokens, hub, engine, now)
    finally:
        hub.close()
        if schema:
            with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")
