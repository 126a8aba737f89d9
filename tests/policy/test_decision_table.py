"""The decision table: cases from the documents, through every available engine."""

from __future__ import annotations

import pytest

from hub.policy import Decision, PolicyEngine
from tests.policy.cases import CASES, Case


def check(case: Case, decision: Decision) -> None:
    """Assert every expectation of a case; the message names the case and the reasons seen."""
    seen = {p: (d.allowed, d.reasons) for p, d in decision.fields.items()}
    context = f"{case.name}: {seen} record={decision.reasons}"
    for path in case.released:
        assert decision.fields[path].allowed, context
    for path, why in case.withheld.items():
        fd = decision.fields[path]
        assert not fd.allowed, context
        assert any(why in r for r in fd.reasons), context
    for path, gateway in case.gateway.items():
        assert decision.fields[path].gateway == gateway, context
    for path, cid in case.consent_id.items():
        assert decision.fields[path].consent_id == cid, context
    if case.record_reason:
        assert any(case.record_reason in r for r in decision.reasons), context
    if case.allowed is not None:
        assert decision.allowed is case.allowed, context
    if case.agreement:
        assert decision.agreement == case.agreement, context
    if not decision.allowed:
        assert decision.reasons, context


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_decision_table(engine: PolicyEngine, case: Case) -> None:
    decision = engine.decide(case.input)
    check(case, decision)
    assert decision.bundle_revision == engine.bundle_revision
    assert decision.engine == engine.name
