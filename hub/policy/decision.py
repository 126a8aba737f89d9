"""Decisions as the rest of the hub sees them, independent of which engine produced them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldDecision:
    """Release or withhold a field, with the gateway or consent relied on and why.

    Fields of one kind share one FieldDecision (see hub/policy/kinds.py); the path is its key in
    ``Decision.fields``.
    """

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
        fields=dict.fromkeys(paths, FieldDecision(False, None, None, why)),
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


UNDECIDED = FieldDecision(False, None, None, ("no policy decision for this field (default deny)",))


def _field_decision(raw: Any, kind: str) -> FieldDecision:
    if not isinstance(raw, Mapping):
        return UNDECIDED
    return FieldDecision(
        allowed=raw.get("allowed") is True,
        gateway=_str_or_none(raw.get("gateway"), f"field_kinds.{kind}.gateway"),
        consent_id=_str_or_none(raw.get("consent_id"), f"field_kinds.{kind}.consent_id"),
        reasons=_reasons(raw.get("reasons", []), f"field_kinds.{kind}.reasons"),
    )


def from_result(
    result: Any, kind_of: Mapping[str, str], *, bundle_revision: str, engine: str
) -> Decision:
    """Turn the Rego ``decision`` document into a Decision over the record's paths.

    ``kind_of`` maps each path of the input to its kind. Only those paths are kept, and a path
    whose kind the engine did not decide on is withheld: the engine can narrow what is released,
    never widen it.
    """
    if not isinstance(result, Mapping):
        raise MalformedResult("decision is not an object (undefined or wrong type)")
    raw_kinds = result.get("field_kinds")
    if not isinstance(raw_kinds, Mapping):
        raise MalformedResult("decision.field_kinds is not an object")
    reported = result.get("bundle_revision")
    if reported != bundle_revision:
        raise MalformedResult(
            f"engine evaluated bundle {reported}, expected {bundle_revision}"
        )
    decided = {kind: _field_decision(raw_kinds.get(kind), kind) for kind in set(kind_of.values())}
    fields = {path: decided[kind] for path, kind in kind_of.items()}
    return Decision(
        decision_id=new_decision_id(),
        allowed=any(f.allowed for f in decided.values()),
        fields=fields,
        agreement=_str_or_none(result.get("agreement"), "agreement"),
        reasons=_reasons(result.get("reasons", []), "reasons"),
        bundle_revision=bundle_revision,
        engine=engine,
        input_paths=tuple(kind_of),
    )
