"""Runs the Rego unit tests (policies/**/*_test.rego) on regorus and on OPA's own evaluator.

Neither engine has a test runner here, so the rules named test_* are found in the test files
and evaluated one by one; a test passes when its rule is true on both engines. The coverage run
asserts that no line of a non-test policy file is left unexecuted (regorus' coverage report).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import regorus

from hub.policy.opa_inprocess import build_opa, opa_version
from hub.policy.regorus_engine import build_regorus
from policies import bundle, rego_test_files

PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
TEST_RULE = re.compile(r"^(test_\w+)\s+if\b", re.MULTILINE)


def discover() -> list[tuple[str, str]]:
    """(package, rule) for every Rego unit test beside the policies."""
    found: list[tuple[str, str]] = []
    for path in rego_test_files():
        source = path.read_text(encoding="utf-8")
        match = PACKAGE.search(source)
        assert match, f"{path} has no package"
        found.extend((match.group(1), rule) for rule in TEST_RULE.findall(source))
    return found


TESTS = discover()


def on_regorus(engine: regorus.Engine, package: str, rule: str) -> Any:
    try:
        return engine.eval_rule(f"data.{package}.{rule}")
    except RuntimeError as exc:  # a Rego runtime error fails the test with its message
        return f"error: {str(exc).split('Stack backtrace')[0].strip()}"


def on_opa(engine: Any, package: str, rule: str) -> Any:
    from opa_bindings import OpaError, OpaUndefinedError

    try:
        return engine.eval_document(f"{package}.{rule}", {})
    except OpaUndefinedError:
        return None
    except OpaError as exc:
        return f"error: {exc}"


@pytest.fixture(scope="module")
def rego() -> regorus.Engine:
    return build_regorus(bundle(), with_tests=True)


@pytest.fixture(scope="module")
def opa() -> Any:
    return build_opa(bundle(), with_tests=True)


def test_opa_evaluator_loads(capsys: pytest.CaptureFixture[str]) -> None:
    """The OPA wheel is installed and loads; the version it embeds is printed."""
    version = opa_version()
    with capsys.disabled():
        print(f"\nOPA evaluator in process: v{version}")
    assert re.fullmatch(r"1\.\d+\.\d+", version)


def test_every_policy_has_tests_beside_it() -> None:
    policies = {Path(p).stem for p in bundle().policies}
    tested = {p.stem.removesuffix("_test") for p in rego_test_files()}
    assert policies <= tested, f"policies without a *_test.rego: {sorted(policies - tested)}"
    assert len(TESTS) >= 80


@pytest.mark.parametrize(("package", "rule"), TESTS, ids=[f"{p}.{r}" for p, r in TESTS])
def test_rego(rego: regorus.Engine, opa: Any, package: str, rule: str) -> None:
    answers = {"regorus": on_regorus(rego, package, rule), "opa": on_opa(opa, package, rule)}
    assert answers == {"regorus": True, "opa": True}


def test_rego_coverage_is_complete(capsys: pytest.CaptureFixture[str]) -> None:
    """Every line of every non-test policy file runs in some Rego test."""
    engine = build_regorus(bundle(), with_tests=True)
    engine.set_enable_coverage(True)
    failed = [f"{p}.{r}" for p, r in TESTS if on_regorus(engine, p, r) is not True]
    assert not failed
    report = json.loads(engine.get_coverage_report_as_json())
    with capsys.disabled():
        print("\nRego coverage (non-test files):")
    covered = {f["path"]: f for f in report["files"] if not f["path"].endswith("_test.rego")}
    missing_files = sorted(set(bundle().policies) - set(covered))
    assert not missing_files, f"policy files never evaluated: {missing_files}"
    uncovered: list[str] = []
    for path, entry in sorted(covered.items()):
        lines = entry["code"].splitlines()
        total = len(entry["covered"]) + len(entry["not_covered"])
        with capsys.disabled():
            print(f"  {path}: {len(entry['covered'])}/{total} lines")
        uncovered += [f"{path}:{n}: {lines[n - 1].strip()}" for n in entry["not_covered"]]
    assert not uncovered, "uncovered Rego lines:\n" + "\n".join(uncovered)
