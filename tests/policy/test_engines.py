"""The policy interface: fail-closed behaviour, the bundle revision, the Decision helpers,
and the OPA adapter against a real unreachable port."""

from __future__ import annotations

import copy
import hashlib
import shutil
import socket
import threading
from pathlib import Path
from typing import Any

import pytest

from hub.policy import Decision, FieldDecision, PolicyEngine, check_input, load_engine
from hub.policy.decision import from_result
from hub.policy.opa_engine import OpaEngine, client_for
from hub.policy.regorus_engine import RegorusEngine
from policies import bundle, bundle_files, bundle_info, compute_revision, load_bundle
from tests.policy.cases import CONSENT_FLOW, F, consent, request


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released): connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- bundle ---------------------------------------------------------------------------------


def test_bundle_revision_is_sha256_over_sorted_files_without_tests() -> None:
    directory, revision = bundle_info()
    digest = hashlib.sha256()
    files = bundle_files(directory)
    assert [p.relative_to(directory).as_posix() for p in files] == sorted(
        p.relative_to(directory).as_posix() for p in files
    )
    assert not any(p.name.endswith("_test.rego") for p in files)
    assert {p.suffix for p in files} == {".rego", ".json"}
    for p in files:
        digest.update(p.relative_to(directory).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    assert revision == "sha256:" + digest.hexdigest()


def test_revision_changes_with_policy_not_with_tests(tmp_path: Path) -> None:
    copy_dir = tmp_path / "bundle"
    shutil.copytree(bundle().directory, copy_dir, ignore=shutil.ignore_patterns("__pycache__"))
    before = compute_revision(copy_dir)
    (copy_dir / "hub" / "extra_test.rego").write_text("package hub.extra_test\n")
    assert compute_revision(copy_dir) == before
    data = copy_dir / "data" / "agreements.json"
    data.write_text(data.read_text().replace('"suspended"', '"active"'))
    assert compute_revision(copy_dir) != before


def test_data_loads_under_hub_config() -> None:
    tree = bundle().data_tree()
    config = tree["hub"]["config"]
    assert {"agencies", "agreements", "categories", "controls", "gateways", "purposes",
            "roles"} <= set(config)
    assert config["agencies"]["met-police"]["relevant_authority"] is True
    assert config["agencies"]["gp-practice-x"]["relevant_authority"] is False
    isp = config["agreements"]["swp-isp"]["signatories"]
    assert "gp-practice-x" not in isp
    assert set(isp["nw-icb"]["purposes"]) == {"marac", "safeguarding"}
    assert config["agreements"]["rp-dsa-peabody"]["status"] == "suspended"


# -- the interface ----------------------------------------------------------------------------


def test_load_engine_defaults_to_regorus() -> None:
    engine = load_engine()
    assert isinstance(engine, RegorusEngine)
    assert isinstance(engine, PolicyEngine)
    assert engine.name == "regorus"
    assert engine.bundle_revision == bundle_info()[1]
    assert isinstance(load_engine("http://127.0.0.1:8181"), OpaEngine)


def test_decision_shape_and_helpers(engine: PolicyEngine) -> None:
    inp = request("wcc-housing", "case_officer", "asb_case_management",
                  ["summary", "v_health", "v_name", "c_name"],
                  consents=[consent("c-1", "mk1:v", ["asb_case_management"], ["identity"],
                                    ["wcc-housing"])])
    d = engine.decide(inp)
    assert len(d.decision_id) == 32 and int(d.decision_id, 16) >= 0
    assert d.decision_id != engine.decide(inp).decision_id
    assert d.allowed and d.agreement == "swp-isp"
    assert list(d.fields) == ["case.summary", "victim.health", "victim.name", "complainant.name"]
    assert d.released == ("case.summary", "victim.name", "complainant.name")
    assert set(d.withheld) == {"victim.health"}
    assert d.withheld["victim.health"].startswith("special category data (health)")
    assert d.consent_ids == ("c-1",)
    assert d.gateways == ("consent",)
    assert isinstance(d.fields["victim.name"], FieldDecision)
    values = {"case.summary": "noise", "victim.health": "x", "victim.name": "A", "other": 1}
    assert d.redact(values) == {"case.summary": "noise", "victim.name": "A"}


def test_a_withdrawal_takes_effect_for_the_next_decision(engine: PolicyEngine) -> None:
    first, after = CONSENT_FLOW
    assert engine.decide(first).fields["victim.health"].consent_id == "c-1"
    d = engine.decide(after)
    assert not d.fields["victim.health"].allowed
    assert any("withdrawn" in r for r in d.fields["victim.health"].reasons)


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda i: i.pop("now"), "missing input: now"),
        (lambda i: i["requester"].pop("agency"), "missing input: requester.agency"),
        (lambda i: i["requester"].update(role=""), "missing input: requester.role"),
        (lambda i: i.pop("recipient"), "missing input: recipient"),
        (lambda i: i.update(purpose=None), "missing input: purpose"),
        (lambda i: i["record"].pop("supplier"), "missing input: record.supplier"),
        (lambda i: i.update(now="23/11/2026"), "now is not an RFC 3339 timestamp"),
        (lambda i: i.update(consents="c-1"), "consents must be an array"),
        (lambda i: i.update(gateway_claims=[1]), "gateway_claims[0] must be an object"),
        (lambda i: i["record"]["fields"].append(copy.deepcopy(F["summary"])), "duplicate paths"),
        (lambda i: i["record"]["fields"].append({"category": "case"}), "has no path"),
    ],
)
def test_missing_or_malformed_input_denies_everything(
    engine: PolicyEngine, mutate: Any, reason: str
) -> None:
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary", "v_name"])
    mutate(inp)
    d = engine.decide(inp)
    assert not d.allowed and d.released == ()
    assert any(reason in r for r in d.reasons), d.reasons
    assert d.fields["case.summary"].reasons == d.reasons
    assert d.bundle_revision == engine.bundle_revision


@pytest.mark.parametrize("bad", [None, [], "x", {"record": {"fields": []}}])
def test_non_object_or_empty_input_is_denied(engine: PolicyEngine, bad: Any) -> None:
    d = engine.decide(bad)
    assert not d.allowed and d.fields == {} and d.reasons


def test_rego_validation_matches_python_validation() -> None:
    """The same checks exist in Rego (validate.rego): bypassing Python still denies."""
    engine = RegorusEngine()
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary"])
    del inp["requester"]["agency"]
    assert check_input(inp) == ["missing input: requester.agency"]
    raw = engine.evaluate(inp)
    assert "missing input: requester.agency" in raw["reasons"]
    assert raw["fields"]["case.summary"]["allowed"] is False


def test_engine_error_denies_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = RegorusEngine()

    def boom(_: dict[str, Any]) -> Any:
        raise RuntimeError("eval exploded\nStack backtrace:\n 0: ...")

    monkeypatch.setattr(engine, "evaluate", boom)
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed
    assert d.reasons == ("policy engine regorus failed: RuntimeError: eval exploded",)


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (None, "undefined"),
        ({"fields": []}, "decision.fields is not an object"),
        ({"fields": {"case.summary": {"allowed": True, "reasons": "yes"}}}, "reasons must be"),
        ({"fields": {}, "bundle_revision": "sha256:other"}, "engine evaluated bundle"),
    ],
)
def test_malformed_engine_result_denies(
    monkeypatch: pytest.MonkeyPatch, result: Any, why: str
) -> None:
    engine = RegorusEngine()
    monkeypatch.setattr(engine, "evaluate", lambda _: result)
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed and why in d.reasons[0]


def test_engine_cannot_release_a_field_it_was_not_asked_about() -> None:
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary", "v_name"])
    result = {"fields": {"case.summary": {"allowed": True, "reasons": []},
                         "secret": {"allowed": True, "reasons": []}}, "reasons": []}
    d = from_result(result, inp, bundle_revision="r", engine="test")
    assert d.released == ("case.summary",)
    assert d.withheld == {"victim.name": "no policy decision for this field (default deny)"}


def test_broken_bundle_denies(tmp_path: Path) -> None:
    broken = tmp_path / "bundle"
    shutil.copytree(bundle().directory, broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "hub" / "sharing.rego").write_text("package hub.sharing\nthis is not rego {\n")
    engine = RegorusEngine(load_bundle(broken))
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed and d.reasons[0].startswith("policy bundle failed to load")


def test_regorus_engine_is_thread_safe() -> None:
    engine = RegorusEngine()
    inputs = [
        request("wcc-housing", "case_officer", "asb_case_management", ["summary", "v_name"]),
        request("gp-practice-x", "case_officer", "safeguarding", ["summary", "v_name"]),
    ]
    expected = [engine.decide(i).released for i in inputs]
    errors: list[str] = []

    def worker(n: int) -> None:
        for k in range(200):
            i = (n + k) % 2
            d = engine.decide(inputs[i])
            if d.released != expected[i] or (i == 0 and not d.allowed):
                errors.append(f"thread {n} iteration {k}: {d.reasons}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert expected == [("case.summary", "victim.name"), ()]


# -- OPA adapter ----------------------------------------------------------------------------


def test_opa_unreachable_denies_with_reason() -> None:
    """A real refused connection (nothing listens on the port): deny, and say why."""
    port = free_port()
    engine = load_engine(f"http://127.0.0.1:{port}")
    assert engine.name == "opa"
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary", "v_name"])
    d = engine.decide(inp)
    assert not d.allowed and d.released == ()
    assert d.engine == "opa" and d.bundle_revision == bundle_info()[1]
    assert f"OPA at http://127.0.0.1:{port} unavailable" in d.reasons[0]
    assert "Connection refused" in d.reasons[0] or "ConnectionError" in d.reasons[0]
    assert set(d.withheld) == {"case.summary", "victim.name"}
    # and again: the adapter retries the push on the next decision, still failing closed
    assert not engine.decide(inp).allowed


def test_opa_unreachable_on_query_without_push_denies() -> None:
    engine = OpaEngine(f"http://127.0.0.1:{free_port()}", push=False)
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed and "unavailable" in d.reasons[0]


@pytest.mark.parametrize("url", ["ftp://opa:8181", "http://opa:8181/v1/data", "opa:8181"])
def test_opa_misconfigured_url_denies(url: str) -> None:
    d = OpaEngine(url).decide(
        request("wcc-housing", "case_officer", "asb_case_management", ["summary"])
    )
    assert not d.allowed and d.reasons[0].startswith("OPA engine misconfigured")


def test_opa_client_from_url() -> None:
    c = client_for("https://opa.internal", timeout=1.0, retries=0, token=None)
    assert c.root_url == "https://opa.internal:443/v1"
    c = client_for("http://127.0.0.1:9181", timeout=1.0, retries=0, token="t")
    assert c.root_url == "http://127.0.0.1:9181/v1"
    assert c.headers == {"Authorization": "Bearer t"}


def test_opa_pushes_bundle_and_queries_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter's calls through opa-python-client, recorded (no fake server is started)."""
    calls: list[tuple[str, Any]] = []
    engine = OpaEngine("http://127.0.0.1:8181")
    client = engine._client
    assert client is not None
    monkeypatch.setattr(client, "update_policy_from_string",
                        lambda src, ep, rego_compat=True: calls.append(("policy", ep)) or True)
    monkeypatch.setattr(client, "update_or_create_data",
                        lambda doc, ep: calls.append(("data", ep)) or True)
    reference = RegorusEngine()

    def query_rule(input_data: dict[str, Any], package_path: str, rule_name: str) -> Any:
        calls.append(("query", f"{package_path}.{rule_name}"))
        return {"result": reference.evaluate(input_data)}

    monkeypatch.setattr(client, "query_rule", query_rule)
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary"])
    d = engine.decide(inp)
    engine.decide(inp)
    assert d.allowed and d.engine == "opa"
    assert ("policy", "csp-hub/hub/sharing.rego") in calls
    assert ("data", "hub/config/agreements") in calls
    assert ("data", "hub/bundle") in calls
    assert [c for c in calls if c[0] == "query"] == [("query", "hub.sharing.decision")] * 2
    assert sum(1 for c in calls if c[0] == "policy") == len(bundle().policies)  # pushed once


def test_opa_undefined_result_denies(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = OpaEngine("http://127.0.0.1:8181", push=False)
    assert engine._client is not None
    monkeypatch.setattr(engine._client, "query_rule", lambda **_: {})
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed and "returned no usable decision" in d.reasons[0]


def test_decision_is_frozen() -> None:
    d = Decision("id", False, {}, None, ("x",), "r", "regorus")
    with pytest.raises(AttributeError):
        d.allowed = True  # type: ignore[misc]
