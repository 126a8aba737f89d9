"""policies/ is a standard OPA bundle whose data tree is exactly what the embedded engine uses.

The loader below is written from OPA's bundle format, independently of policies.load_bundle:
``.manifest`` (revision, roots), ``*.rego`` modules, and data files named ``data.json`` placed
at their directory's path. OPA's own evaluator is loaded that way and its ``data.hub`` compared
with regorus's. (`opa build` / `opa run --bundle` themselves cannot run here: no OPA binary.)
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from hub.policy.opa_inprocess import OpaInProcessEngine
from hub.policy.regorus_engine import RegorusEngine, build_regorus
from policies import BUNDLE_DIR, BundleError, bundle, compute_revision, load_bundle, stamp
from tests.policy.cases import request


def as_opa_loads(directory: Path) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """(manifest, modules by path, data tree) as OPA reads a bundle directory."""
    manifest = json.loads((directory / ".manifest").read_text())
    modules: dict[str, str] = {}
    data: dict[str, Any] = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if path.suffix == ".rego":
            modules[rel] = path.read_text()
        elif path.name == "data.json":
            node = data
            for key in rel.split("/")[:-1]:
                node = node.setdefault(key, {})
            node.update(json.loads(path.read_text()))
    return manifest, modules, data


def opa_engine_from(directory: Path) -> Any:
    from opa_bindings import OpaEngine as GoOpa

    _, modules, data = as_opa_loads(directory)
    engine = GoOpa()
    for rel, source in modules.items():
        engine.add_policy(rel, source)
    engine.add_data(data)
    return engine


def test_manifest_names_the_revision_and_the_roots() -> None:
    manifest, modules, data = as_opa_loads(BUNDLE_DIR)
    assert manifest["revision"] == compute_revision() == bundle().revision
    assert manifest["roots"] == ["hub"]
    assert set(data) == {"hub"}
    packages = {re.search(r"^package ([\w.]+)", src, re.M).group(1)  # type: ignore[union-attr]
                for src in modules.values()}
    assert all(p == "hub" or p.startswith("hub.") for p in packages), packages
    assert data["hub"]["bundle"] == {"revision": manifest["revision"]}


def test_no_json_file_that_opa_would_ignore() -> None:
    stray = [p.relative_to(BUNDLE_DIR).as_posix() for p in BUNDLE_DIR.rglob("*.json")
             if p.name != "data.json"]
    assert stray == []


def test_data_hub_on_opa_equals_the_embedded_engines() -> None:
    """The tree OPA builds from the bundle layout is the one regorus evaluates against."""
    opa = opa_engine_from(BUNDLE_DIR)
    regorus = build_regorus(bundle())
    regorus.set_input({})
    for document in ("hub.config", "hub.bundle"):
        answer = regorus.eval_query(f"data.{document}")["result"][0]["expressions"][0]["value"]
        assert opa.eval_document(document, {}) == answer
    assert opa.eval_document("hub.config", {}) == bundle().data["hub"]["config"]


def test_opa_loaded_as_a_bundle_decides_like_regorus() -> None:
    from hub.policy.kinds import engine_input, field_attributes, group

    inp = request("wcc-housing", "panel_member", "marac", ["risk", "v_health", "v_name"])
    kinds = engine_input(inp, group(inp["record"]["fields"], field_attributes(bundle())))
    decided = opa_engine_from(BUNDLE_DIR).eval_document("hub.sharing.decision", kinds)
    assert decided["bundle_revision"] == bundle().revision
    expected = RegorusEngine().evaluate(kinds)
    assert decided["field_kinds"] == expected["field_kinds"]


@pytest.fixture
def copy_of_bundle(tmp_path: Path) -> Path:
    target = tmp_path / "policies"
    shutil.copytree(BUNDLE_DIR, target, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return target


def test_a_stale_stamp_is_refused_with_the_fix(copy_of_bundle: Path) -> None:
    rule = copy_of_bundle / "hub" / "access.rego"
    rule.write_text(rule.read_text() + "\n# edited\n")
    with pytest.raises(BundleError, match=r"stale.*python -m policies stamp"):
        load_bundle(copy_of_bundle)
    assert stamp(copy_of_bundle) == load_bundle(copy_of_bundle).revision
    assert load_bundle(copy_of_bundle).revision != bundle().revision


def test_tests_do_not_change_the_revision(copy_of_bundle: Path) -> None:
    (copy_of_bundle / "hub" / "extra_test.rego").write_text("package hub.extra_test\n")
    assert compute_revision(copy_of_bundle) == bundle().revision


def test_a_data_file_opa_would_not_load_is_refused(copy_of_bundle: Path) -> None:
    (copy_of_bundle / "hub" / "config" / "extra.json").write_text("{}")
    with pytest.raises(BundleError, match=r"data\.json"):
        load_bundle(copy_of_bundle)


def test_a_package_outside_the_roots_is_refused(copy_of_bundle: Path) -> None:
    (copy_of_bundle / "hub" / "stray.rego").write_text("package elsewhere\n")
    stamp(copy_of_bundle)
    with pytest.raises(BundleError, match="outside the roots"):
        load_bundle(copy_of_bundle)


def test_an_engine_on_a_stale_bundle_refuses_everything(copy_of_bundle: Path) -> None:
    rule = copy_of_bundle / "hub" / "access.rego"
    rule.write_text(rule.read_text() + "\n# edited\n")
    inp = request("wcc-housing", "case_officer", "asb_case_management", ["summary"])
    for engine in (RegorusEngine(copy_of_bundle), OpaInProcessEngine(copy_of_bundle)):
        assert engine.check() is not None
        d = engine.decide(inp)
        assert not d.allowed and d.released == ()
        assert d.reasons[0].startswith("policy bundle failed to load: BundleError")
        assert "python -m policies stamp" in d.reasons[0]


def test_an_agreement_date_that_is_not_rfc3339_is_refused(copy_of_bundle: Path) -> None:
    path = copy_of_bundle / "hub" / "config" / "agreements" / "data.json"
    path.write_text(path.read_text().replace('"2027-03-31T23:59:59Z"', '"next spring"', 1))
    stamp(copy_of_bundle)
    with pytest.raises(BundleError, match="review_date must be an RFC 3339 timestamp"):
        load_bundle(copy_of_bundle)


def test_every_purpose_recipient_and_gateway_cites_its_source() -> None:
    """Recipients outside the protocol share the recipient name space with agencies (one
    `recipient` in the request), so the ids must differ; and every entry names its source."""
    config = load_bundle().data["hub"]["config"]
    assert not set(config["recipients"]) & set(config["agencies"])
    for table in ("purposes", "recipients", "gateways"):
        for key, entry in config[table].items():
            assert "seeds/" in entry.get("cite", ""), f"{table}.{key} has no source"
    for entry in config["recipients"].values():
        assert set(entry["gateways"]) <= set(config["gateways"])
        assert set(entry["purposes"]) <= set(config["purposes"])


def test_every_agency_and_category_cites_its_source() -> None:
    """Agencies cite the seeds; a data category cites the seeds or, for a legal fact the seeds do
    not state, the statute (UK GDPR Art 9(1), DPA 2018 s10(5))."""
    config = load_bundle().data["hub"]["config"]
    for key, entry in config["agencies"].items():
        assert "seeds/" in entry.get("cite", ""), f"agencies.{key} has no source"
    for key, entry in config["categories"].items():
        cite = entry.get("cite", "")
        assert re.search(r"seeds/00\d L\d|UK GDPR Art|DPA 2018|CDA 1998", cite), \
            f"categories.{key} has no source"


def _section(doc: str, heading: str) -> str:
    """The text of a docs section, from its heading to the next heading of any level."""
    start = doc.index(heading + "\n") + len(heading)
    end = re.search(r"^#{1,6} ", doc[start:], re.M)
    return doc[start:start + end.start()] if end else doc[start:]


def _rows(section: str, table: int = 0) -> dict[str, list[str]]:
    """The rows of a section's `table`-th table by their first cell's id:
    `| `id` | a | b |` -> [a, b]."""
    tables = re.findall(r"(?:^\|.*\|[ \t]*\n?)+", section, re.M)
    rows: dict[str, list[str]] = {}
    for line in tables[table].splitlines():
        match = re.match(r"\| `([\w-]+)` \|(.*)\|\s*$", line)
        if match:
            rows[match.group(1)] = [cell.strip() for cell in match.group(2).split(" | ")]
    return rows


def test_docs_list_every_purpose_recipient_and_gateway() -> None:
    """docs/policies.md "Vocabulary": every id in the data, with where it comes from: purposes,
    recipients, agency kinds, gateways, Sch 1 conditions and data categories; the gateway and
    category tables give each entry's `cite` from the data as their last column."""
    config = load_bundle().data["hub"]["config"]
    doc = (BUNDLE_DIR.parent / "docs" / "policies.md").read_text(encoding="utf-8")
    kinds = {a["kind"] for a in config["agencies"].values()}
    for ids in (config["purposes"], config["recipients"], config["gateways"], kinds,
                config["categories"], config["controls"]["sch1_conditions"]):
        missing = [i for i in ids if f"| `{i}` |" not in doc]
        assert not missing, f"not in docs/policies.md: {missing}"
    for heading, table in (("### Gateways (`hub/config/gateways/data.json`)", "gateways"),
                           ("## Data categories (`hub/config/categories/data.json`)",
                            "categories")):
        rows = _rows(_section(doc, heading))
        assert set(rows) == set(config[table]), f"{table}: the docs table lists {sorted(rows)}"
        wrong = {i: rows[i][-1] for i, entry in config[table].items()
                 if rows[i][-1] != entry["cite"]}
        assert not wrong, f"docs/policies.md {table} source column is not the data's cite: {wrong}"
    conditions = _rows(_section(doc, "### Gateways (`hub/config/gateways/data.json`)"), 1)
    assert set(conditions) == set(config["controls"]["sch1_conditions"])
    assert all(re.search(r"DPA 2018|UK GDPR", row[-1]) for row in conditions.values())
    wrong = {c: row[-1] for c, row in conditions.items()
             if row[-1] != config["controls"]["sch1_conditions"][c]["cite"]}
    assert not wrong, f"docs/policies.md Sch 1 source column is not the data's cite: {wrong}"
    agencies = _rows(_section(doc, "### Recipients"))
    for agency, entry in config["agencies"].items():
        assert agency in agencies.get(entry["kind"], [""])[0], f"{agency} not under its kind"
