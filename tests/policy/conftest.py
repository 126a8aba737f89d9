"""Engines for the policy tests: regorus always; OPA only when HUB_OPA_URL points at a server."""

from __future__ import annotations

import os

import pytest

from hub.policy import PolicyEngine, load_engine

OPA_URL = os.environ.get("HUB_OPA_URL")


@pytest.fixture(scope="session", params=["regorus", "opa"])
def engine(request: pytest.FixtureRequest) -> PolicyEngine:
    """Each engine evaluates the same bundle; the OPA run needs a real server."""
    if request.param == "opa":
        if not OPA_URL:
            pytest.skip(
                "HUB_OPA_URL is not set: no OPA server here (no OPA binary can be installed on "
                "this machine); set HUB_OPA_URL=http://host:8181 to run the conformance run"
            )
        return load_engine(OPA_URL)
    return load_engine()
