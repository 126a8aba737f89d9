"""Fixtures for the panel tests: a seeded partnership on SQLite (and PostgreSQL where asked)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hub.application import PartnershipHub
from hub.panels.service import PanelService
from hub.policy import PolicyEngine, load_engine
from hub.settings import Settings
from hub.sharing import Requester
from tests.panels.data import CLIENTS, make_settings, seed
from tests.stores import scratch_schema


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
    with contextlib.ExitStack() as stack:
        if request.param == "postgres":
            env.update(stack.enter_context(scratch_schema("p")))
        hub = PartnershipHub(env=env)
        now = datetime.now(UTC)
        seed(hub, now)
        try:
            yield Seeded(settings, tokens, hub, engine, now)
        finally:
            hub.close()
