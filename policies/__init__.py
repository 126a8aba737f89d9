"""The hub's Rego policy bundle: policies under ``hub/``, data under ``data/``.

Both engines (embedded regorus and an OPA server) load exactly these files, and every decision
carries the bundle revision so an auditor can tell which rules and agreements produced it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

BUNDLE_DIR = Path(__file__).resolve().parent
DATA_ROOT = ("hub", "config")
"""Data files load under ``data.hub.config.<file stem>`` in both engines."""

DECISION_RULE = "data.hub.sharing.decision"


@dataclass(frozen=True)
class Bundle:
    """The bundle's location, revision, policy sources and data documents."""

    directory: Path
    revision: str
    policies: dict[str, str]  # relative path -> Rego source (tests excluded)
    data: dict[str, Any]  # file stem -> JSON document

    def data_tree(self) -> dict[str, Any]:
        """The data documents nested under ``hub.config`` as one document."""
        return {DATA_ROOT[0]: {DATA_ROOT[1]: dict(self.data)}}


def _is_test(path: Path) -> bool:
    return path.name.endswith("_test.rego")


def bundle_files(directory: Path = BUNDLE_DIR) -> list[Path]:
    """The files the revision covers: .rego and .json, sorted by relative path, tests excluded."""
    files = [
        p
        for p in directory.rglob("*")
        if p.is_file() and p.suffix in {".rego", ".json"} and not _is_test(p)
    ]
    return sorted(files, key=lambda p: p.relative_to(directory).as_posix())


def rego_test_files(directory: Path = BUNDLE_DIR) -> list[Path]:
    """The Rego unit test files beside the policies."""
    return sorted(p for p in directory.rglob("*_test.rego") if p.is_file())


def compute_revision(directory: Path = BUNDLE_DIR) -> str:
    """sha256 over (relative path, NUL, content, NUL) of every bundle file in path order."""
    digest = hashlib.sha256()
    for path in bundle_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return "sha256:" + digest.hexdigest()


def load_bundle(directory: Path = BUNDLE_DIR) -> Bundle:
    """Read the bundle from disk (the revision is computed from the same bytes that are loaded)."""
    policies: dict[str, str] = {}
    data: dict[str, Any] = {}
    for path in bundle_files(directory):
        rel = path.relative_to(directory).as_posix()
        if path.suffix == ".rego":
            policies[rel] = path.read_text(encoding="utf-8")
        else:
            document = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(document, dict):
                raise ValueError(f"bundle data file {rel} must hold a JSON object")
            if path.stem in data:
                raise ValueError(f"bundle data file name {path.stem} is used twice")
            data[path.stem] = document
    return Bundle(directory, compute_revision(directory), policies, data)


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
    "DATA_ROOT",
    "DECISION_RULE",
    "Bundle",
    "bundle",
    "bundle_files",
    "bundle_info",
    "compute_revision",
    "load_bundle",
    "rego_test_files",
]
