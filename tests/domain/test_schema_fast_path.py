"""The compiled validator is only a fast yes: whatever it accepts, the schema as written (Python
jsonschema with the hub's date checks) accepts too, so the worker admits nothing new."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.contract import schemas
from domain.contract.envelope import Envelope
from domain.generator import generate

ENVELOPES = {e.type: e for e in generate(3, 0.02).envelopes}  # one of each generated type
TRICKY = st.sampled_from([
    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01t00:00:00z", "1899-12-31",
    "2200-01-01T00:00:00Z", "2026-02-30", "2026-01-01", "mk1:" + "a" * 64, "mk1:" + "a" * 64 + "\n",
    "", " ", "x" * 5000, "q24", "q25", "A.b_c-1", "-bad", "true", "0"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


def mutated(data: dict[str, Any], path: tuple[Any, ...], value: Any, how: str) -> Any:
    data = copy.deepcopy(data)
    if not path:
        return value
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    if how == "delete" and isinstance(parent, dict):
        del parent[path[-1]]
    elif how == "append" and isinstance(parent[path[-1]], list):
        parent[path[-1]].append(value)
    else:
        parent[path[-1]] = value
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(ENVELOPES)), pick=st.integers(min_value=0),
       value=TRICKY | VALUES, how=st.sampled_from(["replace", "delete", "append"]))
def test_whatever_the_fast_validator_accepts_the_schema_accepts(
        kind: str, pick: int, value: Any, how: str) -> None:
    envelope: Envelope = ENVELOPES[kind]
    candidates = paths(envelope.data)
    data = mutated(envelope.data, candidates[pick % len(candidates)], value, how)
    key = (envelope.type, envelope.schemaversion)
    if schemas._fast_valid(key, data):
        assert not list(schemas._validator(*key).iter_errors(data))


def test_every_generated_type_takes_the_fast_path() -> None:
    assert len(ENVELOPES) >= 10
    for envelope in ENVELOPES.values():
        assert schemas._fast_valid((envelope.type, envelope.schemaversion), envelope.data)
