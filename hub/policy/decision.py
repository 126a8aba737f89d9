"""Decisions as the rest of the hub sees them, independent of which engine produced them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldDecision:
    """Release or withhold one field, with the gateway or consent relied on and why."""

    path: str
    allowed: bool
    gateway: str | None
    consent_id: str | None
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """One policy decision over a record; the hub logs it before any data leaves."""

    decision_id: str
    allowed: bool
    fields: dict[str, FieldDecision]
    agreement: str | None
    reasons: tuple[str, ...]
    bundle_revision: str
    engine: str
    input_paths: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def released(self) -> tuple[str, ...]:
        """Paths that may be shown to the recipient, in record order."""
        return tuple(p for p, d in self.fields.items() if d.allowed)

    @property
    def withheld(self) -> dict[str, str]:
        """Withheld path -> its first reason (for the UI's 'withheld because ...')."""
        return {
            p: (d.reasons[0] if d.reasons else "withheld (default deny)")
            for p, d in self.fields.items()
            if not d.allowed
        }

    @property
    def gateways(self) -> tuple[str, ...]:
        """Distinct gateways relied on by released fields, sorted."""
        return tuple(sorted({d.gateway for d in self.fields.values() if d.allowed and d.gateway}))

    @property
    def consent_ids(self) -> tuple[str, ...]:
        """Distinct consent records relied on by released fields, sorted."""
        return tuple(
            sorted({d.consent_id for d in self.fields.values() if d.allowed and d.consent_id})
        )

    def redact(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Keep only released paths: anything the policy did not decide on is dropped."""
        released = set(self.released)
        return {path: value for path, value in values.items() if path in released}


def new_decision_id() -> str:
    return uuid.uuid4().hex


def field_paths(policy_input: Any) -> tuple[str, ...]:
    """The field paths named in an input, tolerating any malformed shape."""
    record = policy_input.get("record") if isinstance(policy_input, Mapping) else None
    fields = record.get("fields") if isinstance(record, Mapping) else None
    if not isinstance(fields, list):
        return ()
    paths: list[str] = []
    for f in fields:
        path = f.get("path") if isinstance(f, Mapping) else None
        if isinstance(path, str) and path and path not in paths:
            paths.append(path)
    return tuple(paths)


def deny_all(
    policy_input: Any, reasons: Iterable[str], *, bundle_revision: str, engine: str
) -> Decision:
    """The fail-closed decision: every field withheld, the record-level reasons say why."""
    why = tuple(reasons) or ("denied (default deny)",)
    paths = field_paths(policy_input)
    return Decision(
        decision_id=new_decision_id(),
        allowed=False,
        fields={p: FieldDecision(p, False, None, None, why) for p in paths},
        agreement=None,
        reasons=why,
        bundle_revision=bundle_revision,
        engine=engine,
        input_paths=paths,
    )


class MalformedResult(ValueError):
    """The engine answered with something that is not a decision document."""


def _str_or_none(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MalformedResult(f"{what} must be a string or null")


def _reasons(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise MalformedResult(f"{what} must be a list of strings")
    return tuple(value)


def from_result(
    result: Any, policy_input: Any, *, bundle_revision: str, engine: str
) -> Decision:
    """Turn the Rego ``decision`` document into a Decision.

    Only fields present in the input are kept, and an input field the engine did not decide on
    is withheld: the engine can narrow what is released, never widen it.
    """
    if not isinstance(result, Mapping):
        raise MalformedResult("decision is not an object (undefined or wrong type)")
    raw_fields = result.get("fields")
    if not isinstance(raw_fields, Mapping):
        raise MalformedResult("decision.fields is not an object")
    reported = result.get("bundle_revision")
    if reported is not None and reported != bundle_revision:
        raise MalformedResult(
            f"engine evaluated bundle {reported}, expected {bundle_revision}"
        )
    paths = field_paths(policy_input)
    fields: dict[str, FieldDecision] = {}
    for path in paths:
        raw = raw_fields.get(path)
        if not isinstance(raw, Mapping):
            fields[path] = FieldDecision(
                path, False, None, None, ("no policy decision for this field (default deny)",)
            )
            continue
        allowed = raw.get("allowed") is True
        fields[path] = FieldDecision(
            path=path,
            allowed=allowed,
            gateway=_str_or_none(raw.get("gateway"), f"{path}.gateway"),
            consent_id=_str_or_none(raw.get("consent_id"), f"{path}.consent_id"),
            reasons=_reasons(raw.get("reasons", []), f"{path}.reasons"),
        )
    return Decision(
        decision_id=new_decision_id(),
        allowed=any(f.allowed for f in fields.values()),
        fields=fields,
        agreement=_str_or_none(result.get("agreement"), "agreement"),
        reasons=_reasons(result.get("reasons", []), "reasons"),
        bundle_revision=bundle_revision,
        engine=engine,
        input_paths=paths,
    )
