"""Both engines give the pinned decisions, and the same decision document, for every input.

The golden file (tests/policy/data/golden_decisions.json) holds the decisions the bundle gave
before it was restructured for speed; a deliberate change regenerates it
(``python -m tests.policy.golden --write``) and is explained in docs/policies.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from hub.policy import PolicyEngine
from hub.policy.kinds import engine_input, field_attributes, group
from policies import bundle
from tests.policy import golden
from tests.policy.cases import CASES

INPUTS = golden.golden_inputs()
PINNED = golden.load()


def test_every_pinned_input_has_a_golden_answer() -> None:
    assert set(INPUTS) == set(PINNED)
    assert len(INPUTS) >= len(CASES) + 8


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_decision_matches_golden(engine: PolicyEngine, name: str) -> None:
    assert golden.project(engine.decide(INPUTS[name])) == PINNED[name]


def raw_documents(engines: dict[str, PolicyEngine], policy_input: dict[str, Any]) -> dict[str, Any]:
    grouped = group(policy_input["record"]["fields"], field_attributes(bundle()))
    request = engine_input(policy_input, grouped)
    return {name: normalise(e.evaluate(request)) for name, e in engines.items()}  # type: ignore[attr-defined]


def normalise(document: Any) -> Any:
    """regorus returns Rego sets as Python sets, OPA as lists: compare them as sorted lists."""
    if isinstance(document, dict):
        return {k: normalise(v) for k, v in document.items()}
    if isinstance(document, set | list):
        items = [normalise(v) for v in document]
        return sorted(items, key=repr) if isinstance(document, set) else items
    return document


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_engines_return_identical_decision_documents(
        engines: dict[str, PolicyEngine], name: str) -> None:
    documents = raw_documents(engines, INPUTS[name])
    assert documents["regorus"] == documents["opa-inprocess"]
