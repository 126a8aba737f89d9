"""The policy engine interface, input checks shared by both engines, and engine selection."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from hub.policy.decision import Decision, MalformedResult, deny_all, from_result
from hub.policy.kinds import engine_input, field_attributes, group
from policies import TIMESTAMP, Bundle, bundle, load_bundle

_REQUIRED: tuple[tuple[str, ...], ...] = (
    ("now",),
    ("requester", "user"),
    ("requester", "agency"),
    ("requester", "role"),
    ("recipient",),
    ("purpose",),
    ("record", "id"),
    ("record", "supplier"),
)


@runtime_checkable
class PolicyEngine(Protocol):
    """Anything that turns a policy input into a Decision; decide() never raises."""

    name: str
    bundle_revision: str

    def decide(self, policy_input: dict[str, Any]) -> Decision: ...

    def check(self) -> str | None:
        """None when the engine can decide with the expected bundle; otherwise why not."""
        ...


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(key)
    return doc


def check_input(policy_input: Any) -> list[str]:
    """Problems that make the whole request unanswerable (mirrors policies/hub/validate.rego).

    Checked in Python too so a malformed request is refused before it reaches an engine, and
    so a bug in one place cannot let a half-filled request through.
    """
    problems = check_request(policy_input)
    fields = _get(policy_input, ("record", "fields"))
    if isinstance(fields, list) and fields:
        problems.extend(group(fields, ()).problems)
    return problems


def check_request(policy_input: Any) -> list[str]:
    """check_input without the per-field checks, which grouping the fields makes."""
    if not isinstance(policy_input, Mapping):
        return ["invalid input: the policy input must be an object"]
    problems = [
        f"missing input: {'.'.join(path)}"
        for path in _REQUIRED
        if not (isinstance(v := _get(policy_input, path), str) and v.strip())
    ]
    now = policy_input.get("now")
    if isinstance(now, str) and now.strip() and not TIMESTAMP.match(now):
        problems.append("invalid input: now is not an RFC 3339 timestamp")
    for key in ("gateway_claims", "consents"):
        value = policy_input.get(key, [])
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(f"invalid input: {key} must be an array")
            continue
        problems.extend(
            f"invalid input: {key}[{i}] must be an object"
            for i, item in enumerate(value)
            if not isinstance(item, Mapping)
        )
    fields = _get(policy_input, ("record", "fields"))
    if not isinstance(fields, list) or not fields:
        problems.append("missing input: record.fields (a non-empty array of fields)")
    return problems


def load_engine(opa_url: str | None = None, **options: Any) -> PolicyEngine:
    """The embedded regorus engine, or an OPA server client when ``opa_url`` is given.

    Neither constructor contacts a server or raises on an unreachable one: an engine that
    cannot answer denies each decision, with the reason.
    """
    if opa_url:
        from hub.policy.opa_engine import OpaEngine

        return OpaEngine(opa_url, **options)
    from hub.policy.regorus_engine import RegorusEngine

    return RegorusEngine(**options)


def bundle_from(source: Bundle | Path | None) -> Bundle:
    """The bundle an engine evaluates: given, read from a directory, or the installed one.
    Raises BundleError (with the fix) for a bundle that must not be used."""
    if isinstance(source, Bundle):
        return source
    return load_bundle(source) if source is not None else bundle()


class FailClosedEngine:
    """What both engines share: check the input, evaluate, and turn any failure into a
    deny-all decision that says why. Subclasses provide ``evaluate`` and the failure wording."""

    name: str
    bundle_revision: str = "unknown"
    _error: str | None = None
    _attributes: tuple[str, ...] = ()

    def load(self, source: Bundle) -> None:
        """Take the bundle's revision and the field attributes its decisions depend on."""
        self.bundle_revision = source.revision
        self._attributes = field_attributes(source)

    def failed_to_load(self, why: str) -> None:
        """From now on every decision is a refusal that says why."""
        self._error = f"policy bundle failed to load: {why}"

    def evaluate(self, engine_input: dict[str, Any]) -> Any:
        """The raw decision document for an input whose fields are grouped into kinds."""
        raise NotImplementedError

    def check(self) -> str | None:
        return self._error

    def describe_failure(self, exc: Exception, malformed: bool) -> str:
        raise NotImplementedError

    def decide(self, policy_input: dict[str, Any]) -> Decision:
        def deny(*why: str) -> Decision:
            return deny_all(policy_input, why, bundle_revision=self.bundle_revision,
                            engine=self.name)

        if self._error:
            return deny(self._error)
        problems = check_request(policy_input)
        if problems:
            return deny(*problems)
        grouped = group(policy_input["record"]["fields"], self._attributes)
        if grouped.problems:
            return deny(*grouped.problems)
        try:
            result = self.evaluate(engine_input(policy_input, grouped))
            return from_result(result, grouped.kind_of, bundle_revision=self.bundle_revision,
                               engine=self.name)
        except MalformedResult as exc:
            return deny(self.describe_failure(exc, malformed=True))
        except Exception as exc:
            return deny(self.describe_failure(exc, malformed=False))
