"""Audit tests record agency events straight into the store (no broker, no worker): what is
under test is what happens after a record is held."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from eventsourcing.persistence import Tracking
from fastapi.testclient import TestClient

from connectors.csv_cases import read_cases
from connectors.csv_incidents import read_incidents
from hub.api import create_app
from hub.application import PartnershipHub
from hub.audit import keys as audit_keys
from hub.policy import PolicyEngine, load_engine
from hub.registry import Registry
from hub.settings import Settings

SAMPLES = Path(__file__).parents[2] / "hub" / "demo_data"
CASE = {"agency": "wcc-asb", "ref": "CASE-2026-0042"}
ASK = {"case": CASE, "purpose": "asb_case_management"}
CLIENTS = (("wcc-housing", "case_officer"), ("gp-practice-x", "safeguarding_lead"),
           ("met-police", "police_officer"), ("wcc-asb", "dpo"))


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    return load_engine()


@dataclass
class Hub:
    settings: Settings
    app: PartnershipHub
    engine: PolicyEngine
    tokens: dict[str, str] = field(default_factory=dict)
    partnership_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def headers(self, client: str, user: str = "a.person") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[client]}", "X-Hub-User": user}

    def record_samples(self) -> None:
        envelopes = [*read_incidents(SAMPLES / "met-police-incidents.csv", agency="met-police",
                                     partnership_key=self.partnership_key),
                     *read_incidents(SAMPLES / "wcc-asb-incidents.csv", agency="wcc-asb",
                                     partnership_key=self.partnership_key),
                     *read_cases(SAMPLES / "wcc-asb-cases.csv", agency="wcc-asb",
                                 partnership_key=self.partnership_key)]
        for n, envelope in enumerate(envelopes, 1):
            self.app.record_agency_event(envelope, Tracking("tests-import:0", n))

    def reopen(self) -> PartnershipHub:
        return PartnershipHub(env=self.settings.store_env)


@pytest.fixture
def hub(store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        engine: PolicyEngine) -> Iterator[Hub]:
    for name, value in store_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HUB_OVERRIDE_ROLES", "police_officer,safeguarding_lead")
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if "SQLITE_DBNAME" not in settings.store_env:  # only the embedded default makes a key
        key_file = settings.data_dir.parent / "secrets" / "audit.pem"
        audit_keys.generate(key_file)
        monkeypatch.setenv("HUB_AUDIT_KEY_FILE", str(key_file))
    registry = Registry()
    found = Hub(settings, PartnershipHub(env=settings.store_env), engine)
    for agency, role in CLIENTS:
        if agency not in registry.agencies:
            registry.register_agency(agency, agency, None)
        found.tokens[role if role == "dpo" else agency] = registry.create_client(agency, role)
    registry.save(settings.registry_path)
    yield found
    found.app.close()


@pytest.fixture
def api(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub.settings, hub.app, hub.engine)) as client:
        yield client
