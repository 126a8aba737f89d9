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
from hub.policy.kinds import engine_input, field_attributes, group
from hub.policy.opa_engine import OpaEngine, client_for
from hub.policy.regorus_engine import RegorusEngine
from policies import bundle, bundle_files, bundle_info, compute_revision, stamp
from tests.policy.cases import CONSENT_FLOW, F, consent, request
from tests.policy.opa_server import opa_data_api


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released): connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- bundle ---------------------------------------------------------------------------------


def test_bundle_revision_is_sha256_over_sorted_files_without_tests_or_stamp() -> None:
    directory, revision = bundle_info()
    digest = hashlib.sha256()
    files = bundle_files(directory)
    rels = [p.relative_to(directory).as_posix() for p in files]
    assert rels == sorted(rels)
    assert not any(p.name.endswith("_test.rego") for p in files)
    assert "hub/bundle/data.json" not in rels and ".manifest" not in rels
    assert {p.suffix for p in files} == {".rego", ".json"}
    for p in files:
        digest.update(p.relative_to(directory).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    assert revision == "sha256:" + digest.hexdigest()


def test_revision_changes_with_policy_data(tmp_path: Path) -> None:
    copy_dir = tmp_path / "bundle"
    shutil.copytree(bundle().directory, copy_dir, ignore=shutil.ignore_patterns("__pycache__"))
    before = compute_revision(copy_dir)
    data = copy_dir / "hub" / "config" / "agreements" / "data.json"
    data.write_text(data.read_text().replace('"suspended"', '"active"'))
    assert compute_revision(copy_dir) != before
    assert stamp(copy_dir) == compute_revision(copy_dir)


def test_data_loads_under_hub_config() -> None:
    config = bundle().data_tree()["hub"]["config"]
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
        (lambda i: i["record"]["fields"].append("case.summary"), "has no path"),
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


def kinds_input(inp: dict[str, Any]) -> dict[str, Any]:
    """What an engine evaluates for a hub input: the fields grouped into kinds."""
    return engine_input(inp, group(inp["record"]["fields"], field_attributes(bundle())))


def test_rego_validation_matches_python_validation(engine: PolicyEngine) -> None:
    """The same checks exist in Rego (validate.rego): bypassing Python still denies."""
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary"])
    del inp["requester"]["agency"]
    assert check_input(inp) == ["missing input: requester.agency"]
    raw = engine.evaluate(kinds_input(inp))  # type: ignore[attr-defined]
    assert "missing input: requester.agency" in raw["reasons"]
    assert raw["allowed"] is False
    assert [d["allowed"] for d in raw["field_kinds"].values()] == [False]


# -- field kinds ----------------------------------------------------------------------------


def test_fields_with_equal_attributes_share_one_kind_and_one_decision(engine: PolicyEngine) -> None:
    fields = [dict(F["v_name"], path=f"incident.{n}.victim.name") for n in range(50)]
    fields.append(F["v_health"])
    inp = request("wcc-housing", "panel_member", "marac", [])
    inp["record"]["fields"] = fields
    grouped = group(fields, field_attributes(bundle()))
    assert len(grouped.kinds) == 2
    assert list(grouped.kind_of) == [f["path"] for f in fields]
    d = engine.decide(inp)
    assert len(d.fields) == 51 and len(d.released) == 50
    assert len({id(fd) for fd in d.fields.values()}) == 2
    assert d.withheld == {"victim.health": d.fields["victim.health"].reasons[0]}


def test_kinds_differ_in_any_attribute() -> None:
    attrs = field_attributes(bundle())
    base = F["v_name"]
    variants = [base, dict(base, path="b", flags={**base["flags"], "youth": True}),
                dict(base, path="c", subject="mk1:other"), dict(base, path="d", extra=1)]
    grouped = group(variants, attrs)
    assert len(grouped.kinds) == 3  # an attribute the bundle does not read does not split kinds
    assert set(grouped.kinds["k0"]) == set(attrs)


def test_unhashable_attribute_values_still_group_exactly() -> None:
    attrs = field_attributes(bundle())
    odd = [dict(F["summary"], path=f"p{n}", flags={"youth": [n % 2]}) for n in range(4)]
    assert len(group(odd, attrs).kinds) == 2


# -- failing closed -------------------------------------------------------------------------


def test_engine_error_denies_with_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = RegorusEngine()

    def boom(_: dict[str, Any]) -> Any:
        raise RuntimeError("eval exploded\nStack backtrace:\n 0: ...")

    monkeypatch.setattr(engine, "evaluate", boom)
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed
    assert d.reasons == ("policy engine regorus failed: RuntimeError: eval exploded",)


REVISION = bundle().revision


@pytest.mark.parametrize(
    ("result", "why"),
    [
        (None, "undefined"),
        ({"field_kinds": [], "bundle_revision": REVISION}, "decision.field_kinds is not an object"),
        ({"field_kinds": {"k0": {"allowed": True, "reasons": "yes"}}, "bundle_revision": REVISION},
         "reasons must be"),
        ({"field_kinds": {}, "bundle_revision": "sha256:other"}, "engine evaluated bundle"),
        ({"field_kinds": {}}, "engine evaluated bundle None"),
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
    result = {"field_kinds": {"k0": {"allowed": True, "reasons": []},
                              "k9": {"allowed": True, "reasons": []}},
              "reasons": [], "bundle_revision": "r"}
    d = from_result(result, {"case.summary": "k0", "victim.name": "k1"}, bundle_revision="r",
                    engine="test")
    assert d.released == ("case.summary",)
    assert d.withheld == {"victim.name": "no policy decision for this field (default deny)"}


def test_broken_bundle_denies(tmp_path: Path) -> None:
    broken = tmp_path / "bundle"
    shutil.copytree(bundle().directory, broken, ignore=shutil.ignore_patterns("__pycache__"))
    (broken / "hub" / "sharing.rego").write_text("package hub.sharing\nthis is not rego {\n")
    stamp(broken)
    engine = RegorusEngine(broken)
    d = engine.decide(request("wcc-housing", "case_officer", "asb_case_management", ["summary"]))
    assert not d.allowed and d.reasons[0].startswith("policy bundle failed to load")
    assert engine.check() == d.reasons[0]


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


# -- OPA server adapter (HTTP) ---------------------------------------------------------------
# A real OPA server cannot run here (no OPA binary can be installed). The adapter is tested
# over real HTTP against tests/policy/opa_server.py, which answers OPA's Data API from OPA's
# own Go evaluator loaded with the bundle; OPA's own HTTP layer is not exercised.

SUMMARY_AND_NAME = request("wcc-housing", "case_officer", "asb_case_management",
                           ["summary", "v_name", "v_health"])


def test_opa_server_decides_as_regorus_does() -> None:
    with opa_data_api() as url:
        engine = OpaEngine(url)
        assert engine.check() is None
        d = engine.decide(SUMMARY_AND_NAME)
    expected = RegorusEngine().decide(SUMMARY_AND_NAME)
    assert d.engine == "opa" and d.bundle_revision == bundle_info()[1]
    assert d.fields == expected.fields and d.reasons == expected.reasons


def test_opa_serving_another_revision_releases_nothing(tmp_path: Path) -> None:
    other = tmp_path / "policies"
    shutil.copytree(bundle().directory, other, ignore=shutil.ignore_patterns("__pycache__"))
    rule = other / "hub" / "access.rego"
    rule.write_text(rule.read_text() + "\n# another deployment's edit\n")
    served = stamp(other)
    from policies import load_bundle

    with opa_data_api(load_bundle(other)) as url:
        engine = OpaEngine(url)
        problem = engine.check()
        d = engine.decide(SUMMARY_AND_NAME)
    assert problem is not None and served in problem and REVISION in problem
    assert not d.allowed and d.released == ()
    assert f"serves bundle revision '{served}'" in d.reasons[0]


def test_opa_server_error_denies_with_reason() -> None:
    with opa_data_api(status=500) as url:
        d = OpaEngine(url).decide(SUMMARY_AND_NAME)
    assert not d.allowed and "unavailable or failed" in d.reasons[0] and "500" in d.reasons[0]


def test_slow_opa_is_refused_within_its_timeout() -> None:
    import time

    with opa_data_api(delay=5) as url:
        engine = OpaEngine(url, timeout=1.0, retries=0)
        started = time.monotonic()
        d = engine.decide(SUMMARY_AND_NAME)
        waited = time.monotonic() - started
    assert not d.allowed and "unavailable or failed" in d.reasons[0]
    assert waited < 3, f"the caller waited {waited:.1f}s"


def test_opa_unreachable_denies_with_reason() -> None:
    """A real refused connection (nothing listens on the port): deny, and say why."""
    port = free_port()
    engine = load_engine(f"http://127.0.0.1:{port}")
    assert engine.name == "opa"
    assert engine.check() is not None
    d = engine.decide(SUMMARY_AND_NAME)
    assert not d.allowed and d.released == ()
    assert d.engine == "opa" and d.bundle_revision == bundle_info()[1]
    assert f"OPA at http://127.0.0.1:{port} unavailable" in d.reasons[0]
    assert "Connection refused" in d.reasons[0] or "ConnectionError" in d.reasons[0]
    assert set(d.withheld) == {"case.summary", "victim.name", "victim.health"}
    assert not engine.decide(SUMMARY_AND_NAME).allowed


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


def test_decision_is_frozen() -> None:
    d = Decision("id", False, {}, None, ("x",), "r", "regorus")
    with pytest.raises(AttributeError):
        d.allowed = True  # type: ignore[misc]


@pytest.mark.parametrize("when", ["2026-02-30T00:00:00Z", "2026-04-31T12:00:00+01:00"])
def test_an_impossible_consent_date_never_keeps_a_consent_alive(
        engine: PolicyEngine, when: str) -> None:
    """A date that matches the pattern but cannot be parsed is an evaluation error on both
    engines here (nothing released); on a stock OPA server, without strict builtin errors, it
    is undefined, and consent.rego's `still_open` then closes the consent."""
    inp = request("advance-idva", "idva", "marac", ["v_name"], consents=[
        consent("c-odd", "mk1:v", ["marac"], ["identity"], ["advance-idva"], expires_at=when)])
    d = engine.decide(inp)
    assert not d.allowed and d.released == ()


def test_python_and_rego_agree_on_what_a_timestamp_is() -> None:
    from policies import TIMESTAMP as _TIMESTAMP
    from policies import bundle as installed

    rego = installed().policies["hub/validate.rego"]
    assert _TIMESTAMP.pattern.replace("\\\\", "\\") in rego.replace("\n", "") or all(
        part in rego for part in ("(0[1-9]|1[0-2])", "([01][0-9]|2[0-3])", "[0-5][0-9]"))
    for good in ("2026-11-23T10:00:00Z", "2026-11-23T10:00:00.123456789+05:30"):
        assert _TIMESTAMP.match(good)
    for bad in ("2026-06-30T23:59:60Z", "2026-13-01T00:00:00Z", "2026-11-23T24:00:00Z",
                "2026-11-23T10:00:00+99:99", "2026-11-23"):
        assert not _TIMESTAMP.match(bad)


def test_the_api_checks_the_policy_engine_at_start(tmp_path: Path,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """`hub api` opens its engine through open_engine: an OPA that cannot answer is said
    plainly at start, not first discovered in a refusal."""
    from hub.runtime import open_engine
    from hub.settings import Settings

    with caplog.at_level("INFO", logger="hub.runtime"):
        open_engine(Settings(data_dir=tmp_path))
        open_engine(Settings(data_dir=tmp_path, opa_url=f"http://127.0.0.1:{free_port()}"))
    messages = [r.getMessage() for r in caplog.records]
    assert any("policy engine regorus ready with bundle sha256:" in m for m in messages)
    assert any("policy engine opa cannot decide yet, nothing will be released" in m
               and "unavailable" in m for m in messages)
