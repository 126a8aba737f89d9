"""A seeded partnership (tests/panels/data.py: domestic abuse cases, a noise case) behind the
real app, with an API client for every role in the policy bundle and a partner with no
sharing agreement. No Kafka: the agency events are recorded straight into the store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hub.api import create_app
from hub.application import PartnershipHub
from hub.policy import PolicyEngine, load_engine
from hub.registry import Registry
from hub.settings import Settings
from policies import load_bundle
from tests.panels.data import WITNESS, make_settings, seed

# One client per role, at an agency where that role makes sense (name -> (agency, role)).
ROLE_CLIENTS = {"case_officer": ("wcc-housing", "case_officer"),
                "panel_member": ("wcc-housing", "panel_member"),
                "panel_chair": ("met-police", "panel_chair"),
                "safeguarding_lead": ("wcc-childrens", "safeguarding_lead"),
                "police_officer": ("met-police", "police_officer"),
                "idva": ("advance-idva", "idva"),
                "mediator": ("mediation-service", "mediator"),
                "legal_officer": ("wcc-legal", "legal_officer"),
                "dpo": ("wcc-asb", "dpo"),
                "gp": ("gp-practice-x", "safeguarding_lead"),       # no sharing agreement
                "gmap-housing": ("wcc-housing", "panel_member"),    # GMAP member, no agreement
                "operator": ("wcc-asb", "operator"),                # /metrics, no case data
                "offender_manager": ("probation", "offender_manager"),   # MAPPA
                "communications_officer": ("wcc-asb", "communications_officer"),  # publicity
                "analyst": ("met-police", "analyst")}                # statistics only
# Strings from the seeded records that no refusal may ever contain.
SECRETS = (WITNESS, "Victim HASB", "Partner HASB", "Nell Nettlefold", "Heron Walk",
           "Domestic abuse reported", "Repeated noise", "07700 9")  # a phone, not a hex id
ORIGIN = "https://testserver"


@dataclass
class Hub:
    settings: Settings
    tokens: dict[str, str]
    hub: PartnershipHub
    engine: PolicyEngine
    app: FastAPI
    now: datetime

    def headers(self, client: str, user: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[client]}",
                "X-Hub-User": user or f"{client}.user"}


@pytest.fixture(scope="session")
def engine() -> PolicyEngine:
    return load_engine()


def add_clients(settings: Settings, tokens: dict[str, str]) -> None:
    registry = Registry.load(settings.registry_path)
    agencies = load_bundle().data["hub"]["config"]["agencies"]
    for name, (agency, role) in ROLE_CLIENTS.items():
        if agency not in registry.agencies:
            registry.register_agency(agency, agencies[agency]["name"], None)
        tokens[name] = registry.create_client(agency, role, client_id=f"role-{name}")
    registry.save(settings.registry_path)


@pytest.fixture
def seeded(tmp_path: Path, engine: PolicyEngine) -> Iterator[Hub]:
    settings, tokens = make_settings(tmp_path)
    add_clients(settings, tokens)
    hub = PartnershipHub(env=settings.store_env)
    now = datetime.now(UTC)
    seed(hub, now)
    try:
        yield Hub(settings, tokens, hub, engine, create_app(settings, hub, engine), now)
    finally:
        hub.close()


@pytest.fixture
def client(seeded: Hub) -> Iterator[TestClient]:
    """Over https (as the hub is served), so the Secure session cookie is sent back."""
    with TestClient(seeded.app, base_url=ORIGIN) as test_client:
        yield test_client


def form_token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def sign_in(http: TestClient, seeded: Hub, client: str, user: str = "A Person") -> str:
    """Sign in through the page as a browser would; returns the form token of the session."""
    http.cookies.clear()
    token = form_token(http.get("/panels/sign-in").text)
    answer = http.post("/panels/sign-in", data={"csrf_token": token, "user": user,
                                                "token": seeded.tokens[client]},
                       headers={"Origin": ORIGIN}, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return form_token(http.get("/panels/").text)
