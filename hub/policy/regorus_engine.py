"""The embedded engine: the Rust Rego interpreter regorus, in process."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

# regorus reports every evaluation error through anyhow, which captures a stack backtrace when
# RUST_BACKTRACE is set (as on the development machines): about a quarter of a decision's CPU.
# Error backtraces are never shown to anyone, so they are off unless the operator asks for them.
os.environ.setdefault("RUST_LIB_BACKTRACE", "0")

import regorus

from hub.policy.engine import FailClosedEngine, bundle_from
from policies import DECISION_RULE, Bundle


def build_regorus(b: Bundle, *, with_tests: bool = False) -> regorus.Engine:
    """A regorus Engine loaded with the bundle's policies and data (and tests, if asked)."""
    engine = regorus.Engine()
    for rel, source in b.modules(with_tests=with_tests).items():
        engine.add_policy(rel, source)
    engine.add_data(b.data_tree())
    return engine


class RegorusEngine(FailClosedEngine):
    """PolicyEngine over regorus, one loaded engine per thread.

    A regorus Engine holds the input between set_input and eval, and pyo3 marks it unsendable
    (it panics if used or cloned from another thread), so each thread builds its own from the
    bundle sources once.
    """

    name = "regorus"

    def __init__(self, source: Bundle | Path | None = None) -> None:
        self._local = threading.local()
        try:
            self._bundle = bundle_from(source)
            self.load(self._bundle)
            self._local.engine = build_regorus(self._bundle)
        except Exception as exc:  # a broken bundle must not crash the hub: it denies instead
            self.failed_to_load(f"{type(exc).__name__}: {_first_line(exc)}")

    def _engine(self) -> regorus.Engine:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            engine = self._local.engine = build_regorus(self._bundle)
        return engine

    def evaluate(self, engine_input: dict[str, Any]) -> Any:
        """The raw decision document (no Python-side checks); raises on engine errors."""
        engine = self._engine()
        engine.set_input(engine_input)
        return engine.eval_rule(DECISION_RULE)

    def describe_failure(self, exc: Exception, malformed: bool) -> str:
        if malformed:
            return f"policy engine regorus returned no usable decision: {exc}"
        return f"policy engine regorus failed: {type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    """regorus errors carry a Rust backtrace; the first meaningful lines are enough."""
    text = " ".join(line.strip() for line in str(exc).split("Stack backtrace")[0].splitlines())
    return text.strip()[:300] or type(exc).__name__
