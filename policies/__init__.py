"""The hub's Rego policy bundle, laid out as a standard OPA bundle.

``policies/`` is what a stock ``opa run --server --bundle policies/`` or ``opa build policies/``
loads: ``.manifest`` (revision and roots), the policies ``hub/*.rego`` (packages ``hub.*``), and
data files named ``data.json`` whose directory is their place in the data tree
(``hub/config/agreements/data.json`` is ``data.hub.config.agreements``). The embedded engines
load exactly the same tree through :func:`load_bundle`.

The revision is a sha256 over the policies and data (tests and the revision stamp excluded). It is
stamped into ``.manifest`` and ``hub/bundle/data.json`` (``data.hub.bundle.revision``, which every
decision reports) by ``python -m policies stamp``; a bundle whose stamp is stale does not load, so
a decision can never carry a revision that does not name its rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

BUNDLE_DIR = Path(__file__).resolve().parent
MANIFEST = ".manifest"
DATA_FILE = "data.json"
STAMP = "hub/bundle/data.json"
"""The data file holding the revision: ``data.hub.bundle.revision``."""
ROOTS = ["hub"]
DECISION_RULE = "data.hub.sharing.decision"

_PACKAGE = re.compile(r"^package\s+([\w.]+)", re.MULTILINE)
TIMESTAMP = re.compile(  # the same as validate.rego's timestamp_pattern: every part in range
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(\.[0-9]{1,9})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
"""RFC 3339 timestamps as the bundle reads them, for the Python side's own checks."""
AGREEMENT_DATES = ("signed_at", "review_date", "expires_at")


class BundleError(ValueError):
    """The bundle on disk is not one OPA and the hub would both load the same way."""


@dataclass(frozen=True)
class Bundle:
    """The bundle's location, revision, policy sources and data tree."""

    directory: Path
    revision: str
    policies: dict[str, str]  # relative path -> Rego source (tests excluded)
    data: dict[str, Any]  # the whole data document, as OPA builds it from the data.json files
    manifest: dict[str, Any]

    def data_tree(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.data))

    def modules(self, *, with_tests: bool = False) -> dict[str, str]:
        """Rego sources by relative path, with the unit tests beside them if asked: what an
        engine loads."""
        found = dict(self.policies)
        if with_tests:
            for path in rego_test_files(self.directory):
                found[_relative(path, self.directory)] = path.read_text(encoding="utf-8")
        return found


def _is_test(path: Path) -> bool:
    return path.name.endswith("_test.rego")


def _relative(path: Path, directory: Path) -> str:
    return path.relative_to(directory).as_posix()


def _files(directory: Path) -> list[Path]:
    return sorted((p for p in directory.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
                  key=lambda p: _relative(p, directory))


def bundle_files(directory: Path = BUNDLE_DIR) -> list[Path]:
    """The files the revision covers: policies and data files, tests and the stamp excluded."""
    return [p for p in _files(directory)
            if (p.suffix == ".rego" and not _is_test(p))
            or (p.name == DATA_FILE and _relative(p, directory) != STAMP)]


def rego_test_files(directory: Path = BUNDLE_DIR) -> list[Path]:
    """The Rego unit test files beside the policies."""
    return [p for p in _files(directory) if _is_test(p)]


def compute_revision(directory: Path = BUNDLE_DIR) -> str:
    """sha256 over (relative path, NUL, content, NUL) of every bundle file in path order."""
    digest = hashlib.sha256()
    for path in bundle_files(directory):
        digest.update(_relative(path, directory).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def stamp(directory: Path = BUNDLE_DIR) -> str:
    """Write the current revision into ``.manifest`` and ``data.hub.bundle``; returns it."""
    revision = compute_revision(directory)
    manifest = {"revision": revision, "roots": ROOTS}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    (directory / STAMP).parent.mkdir(parents=True, exist_ok=True)
    (directory / STAMP).write_text(json.dumps({"revision": revision}, indent=2) + "\n")
    return revision


def _under_roots(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def _place(tree: dict[str, Any], keys: list[str], document: Any, rel: str) -> None:
    """Put a data file's document at its directory's place in the tree, as OPA does."""
    node = tree
    for key in keys[:-1]:
        node = node.setdefault(key, {})
        if not isinstance(node, dict):
            raise BundleError(f"{rel}: {'/'.join(keys)} is inside a non-object document")
    if keys[-1] in node:
        raise BundleError(f"{rel}: data path {'/'.join(keys)} is defined twice")
    node[keys[-1]] = document


def load_bundle(directory: Path = BUNDLE_DIR) -> Bundle:
    """Read the bundle from disk and check it is one OPA would load the same way.

    Raises BundleError naming the file and the fix: a JSON file OPA would ignore, a package or
    data path outside the manifest's roots, or a stale revision stamp.
    """
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BundleError(f"{directory / MANIFEST} is missing or not JSON ({exc}): "
                          "run `python -m policies stamp`") from exc
    roots = manifest.get("roots") if isinstance(manifest, dict) else None
    if not (isinstance(roots, list) and roots and all(isinstance(r, str) for r in roots)):
        raise BundleError(f"{directory / MANIFEST} must list its roots")
    policies: dict[str, str] = {}
    data: dict[str, Any] = {}
    for path in _files(directory):
        rel = _relative(path, directory)
        if path.suffix == ".rego" and not _is_test(path):
            source = path.read_text(encoding="utf-8")
            match = _PACKAGE.search(source)
            package = match.group(1).replace(".", "/") if match else ""
            if not _under_roots(package, roots):
                raise BundleError(f"{rel}: package {package or '?'} is outside the roots {roots}")
            policies[rel] = source
        elif path.name == DATA_FILE:
            keys = rel.split("/")[:-1]
            if not keys or not _under_roots("/".join(keys), roots):
                raise BundleError(f"{rel}: data outside the roots {roots}")
            _place(data, keys, json.loads(path.read_text(encoding="utf-8")), rel)
        elif path.suffix in {".json", ".yaml", ".yml"}:
            raise BundleError(f"{rel}: OPA loads data only from files named data.json: "
                              f"move it to {Path(rel).with_suffix('').as_posix()}/data.json")
    _check_agreements(data)
    revision = compute_revision(directory)
    stamped = data.get("hub", {}).get("bundle", {}).get("revision")
    if manifest.get("revision") != revision or stamped != revision:
        raise BundleError(
            "the bundle's revision stamp is stale: run `python -m policies stamp` "
            f"(files {revision}, .manifest {manifest.get('revision')}, {STAMP} {stamped})")
    return Bundle(directory, revision, policies, data, manifest)


def _check_agreements(data: dict[str, Any]) -> None:
    """Agreement dates are parsed without a guard in agreements.rego: each must be RFC 3339 or
    null, or the bundle is refused here, before any engine evaluates it."""
    agreements = data.get("hub", {}).get("config", {}).get("agreements", {})
    for agreement_id, agreement in agreements.items():
        for key in AGREEMENT_DATES:
            value = agreement.get(key, "missing") if isinstance(agreement, dict) else "missing"
            if value is not None and not (isinstance(value, str) and TIMESTAMP.match(value)):
                raise BundleError(
                    f"agreement {agreement_id}: {key} must be an RFC 3339 timestamp or null "
                    f"(got {value!r}) in hub/config/agreements/data.json")


@lru_cache(maxsize=1)
def bundle() -> Bundle:
    """The installed bundle, read once per process."""
    return load_bundle()


def bundle_info() -> tuple[Path, str]:
    """The bundle directory and its revision hash."""
    b = bundle()
    return b.directory, b.revision


__all__ = [
    "BUNDLE_DIR",
    "DECISION_RULE",
    "ROOTS",
    "TIMESTAMP",
    "Bundle",
    "BundleError",
    "bundle",
    "bundle_files",
    "bundle_info",
    "compute_revision",
    "load_bundle",
    "rego_test_files",
    "stamp",
]
