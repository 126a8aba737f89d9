"""OPA's own Go evaluator in process, through the ``opa-golib-python-bindings`` wheel.

The production engine is an OPA server; this runs the same evaluator (OPA v1.20.2 compiled as a
shared library) inside the hub's process, so the tests and benchmarks can hold every decision of
the bundle to OPA's semantics where no OPA server can run. The wheel declares Python 3.14 but is a
ctypes bridge that runs on 3.11; scripts/test.sh installs it with ``--ignore-requires-python``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hub.policy.engine import FailClosedEngine, bundle_from
from policies import Bundle

DECISION_DOCUMENT = "hub.sharing.decision"


def opa_version() -> str:
    """The OPA version compiled into the bridge library (from its Go module paths)."""
    import opa_bindings

    library = Path(opa_bindings.__file__).with_name("libopabridge.so").read_bytes()
    marker = b"open-policy-agent/opa@v"
    start = library.index(marker) + len(marker)
    return library[start:library.index(b"/", start)].decode()


def build_opa(b: Bundle, *, with_tests: bool = False) -> Any:
    """An in-process OPA engine loaded with the bundle's policies and data (and tests)."""
    from opa_bindings import OpaEngine as GoOpa

    engine = GoOpa()
    for rel, source in b.modules(with_tests=with_tests).items():
        engine.add_policy(rel, source)
    engine.add_data(b.data_tree())
    return engine


class OpaInProcessEngine(FailClosedEngine):
    """PolicyEngine over OPA's Go evaluator in process (tests and benchmarks)."""

    name = "opa-inprocess"

    def __init__(self, source: Bundle | Path | None = None) -> None:
        try:
            self._bundle = bundle_from(source)
            self.load(self._bundle)
            self._opa = build_opa(self._bundle)
        except Exception as exc:
            self.failed_to_load(f"{type(exc).__name__}: {str(exc)[:300]}")

    def evaluate(self, engine_input: dict[str, Any]) -> Any:
        from opa_bindings import OpaUndefinedError

        try:
            return self._opa.eval_document(DECISION_DOCUMENT, engine_input)
        except OpaUndefinedError:
            return None

    def describe_failure(self, exc: Exception, malformed: bool) -> str:
        if malformed:
            return f"policy engine OPA (in process) returned no usable decision: {exc}"
        return f"policy engine OPA (in process) failed: {type(exc).__name__}: {str(exc)[:300]}"
