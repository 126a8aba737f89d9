"""Engines for the policy tests: regorus (embedded) and OPA's own Go evaluator, both always.

OPA's evaluator comes from the ``opa-golib-python-bindings`` wheel, which scripts/test.sh
installs (``--ignore-requires-python``: its metadata asks for Python 3.14, the ctypes bridge runs
on 3.11). The production OPA *server* cannot run here (no OPA binary can be installed); the HTTP
adapter is tested against tests/policy/opa_server.py, an HTTP front on the same Go evaluator.
"""

from __future__ import annotations

import pytest

from hub.policy import PolicyEngine
from hub.policy.opa_inprocess import OpaInProcessEngine
from hub.policy.regorus_engine import RegorusEngine

ENGINES = ("regorus", "opa-inprocess")


def make_engine(name: str) -> PolicyEngine:
    return RegorusEngine() if name == "regorus" else OpaInProcessEngine()


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> PolicyEngine:
    """Each engine evaluates the same bundle; neither is ever skipped."""
    built = make_engine(request.param)
    assert built.check() is None, built.check()
    return built


@pytest.fixture(scope="session")
def engines() -> dict[str, PolicyEngine]:
    """Both engines at once, for tests that compare their answers."""
    return {name: make_engine(name) for name in ENGINES}
