"""JSON Schemas for event payloads, one file per type and version, used on both sides."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs
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


# Dates the hub can compute with: people alive, events of this era (and no overflow when a
# deadline is added to one).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2199


@cache
def format_checker() -> FormatChecker:
    """RFC 3339 dates and times as jsonschema checks them, that also parse the way the hub
    reads them (``datetime.fromisoformat``, which refuses a lower-case ``t`` or ``z``) and fall
    within EARLIEST_YEAR..LATEST_YEAR."""
    checker = FormatChecker()
    rfc3339_date_time, _ = checker.checkers["date-time"]
    rfc3339_date, _ = checker.checkers["date"]

    @checker.checks("date-time", raises=ValueError)
    def date_time(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        at = datetime.fromisoformat(instance.replace("Z", "+00:00"))
        return bool(rfc3339_date_time(instance)) and at.tzinfo is not None and (
            EARLIEST_YEAR <= at.year <= LATEST_YEAR)

    @checker.checks("date", raises=ValueError)
    def calendar_date(instance: object) -> bool:
        if not isinstance(instance, str):
            return True
        return bool(rfc3339_date(instance)) and (
            EARLIEST_YEAR <= date.fromisoformat(instance).year <= LATEST_YEAR)

    return checker


def _format(name: str) -> Any:
    """One of format_checker()'s checks as a predicate, so both validators agree on dates."""
    check = format_checker().checkers[name][0]

    def holds(instance: object) -> bool:
        try:
            return bool(check(instance))
        except Exception:
            return False

    return holds


@cache
def _fast_validator(event_type: str, version: str) -> jsonschema_rs.Validator:
    """Compiled once per schema (jsonschema-rs): validating every record in Python was 10-17%
    of the worker. It only says yes quickly; a no is judged again by ``_validator``."""
    return jsonschema_rs.Draft202012Validator(
        known_types()[(event_type, version)], validate_formats=True,
        formats={"date-time": _format("date-time"), "date": _format("date")})


def _fast_valid(key: tuple[str, str], data: Any) -> bool:
    try:
        return bool(_fast_validator(*key).is_valid(data))
    except Exception:  # anything it cannot take (say, nesting too deep) goes the slow way
        return False


@cache
def _validator(event_type: str, version: str) -> Draft202012Validator:
    """The schema as written, for error messages that point at its own structure."""
    return Draft202012Validator(known_types()[(event_type, version)],
                                format_checker=format_checker())


def validate(envelope: Envelope) -> None:
    """Raise EnvelopeError naming the first offending field, or return quietly."""
    key = (envelope.type, envelope.schemaversion)
    if key not in known_types():
        versions = sorted(f"{t} v{v}" for t, v in known_types())
        raise EnvelopeError("unknown-type",
                            f"event type {envelope.type!r} version {envelope.schemaversion!r} is "
                            f"not one the hub accepts; known: {', '.join(versions)}")
    if _fast_valid(key, envelope.data):
        return
    errors = sorted(_validator(*key).iter_errors(envelope.data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        field = "/".join(str(p) for p in first.absolute_path) or "(payload)"
        raise EnvelopeError("schema-invalid",
                            f"data field {field!r}: {first.message} "
                            f"(schema {envelope.schema_urn})")
