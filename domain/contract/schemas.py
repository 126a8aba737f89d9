"""JSON Schemas for event payloads, one file per type and version, used on both sides."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from domain.contract.envelope import Envelope, EnvelopeError


@cache
def known_types() -> dict[tuple[str, str], dict[str, Any]]:
    """(type, schemaversion) -> schema, read from the files beside this module."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for entry in resources.files("domain.contract").joinpath("schemas").iterdir():
        if entry.name.endswith(".schema.json"):
            event_type, version = entry.name.removesuffix(".schema.json").rsplit(".v", 1)
            found[(event_type, version)] = json.loads(entry.read_text())
    return found


@cache
def _validator(event_type: str, version: str) -> Draft202012Validator:
    return Draft202012Validator(known_types()[(event_type, version)],
                                format_checker=FormatChecker())


def validate(envelope: Envelope) -> None:
    """Raise EnvelopeError naming the first offending field, or return quietly."""
    key = (envelope.type, envelope.schemaversion)
    if key not in known_types():
        versions = sorted(f"{t} v{v}" for t, v in known_types())
        raise EnvelopeError("unknown-type",
                            f"event type {envelope.type!r} version {envelope.schemaversion!r} is "
                            f"not one the hub accepts; known: {', '.join(versions)}")
    errors = sorted(_validator(*key).iter_errors(envelope.data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        field = "/".join(str(p) for p in first.absolute_path) or "(payload)"
        raise EnvelopeError("schema-invalid",
                            f"data field {field!r}: {first.message} "
                            f"(schema {envelope.dataschema})")
