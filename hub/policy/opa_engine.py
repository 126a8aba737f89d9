"""The production engine: an OPA server, driven through opa-python-client.

The hub pushes its own bundle (PUT /v1/policies/<id>, PUT /v1/data/hub/config/<file>) so the
server evaluates exactly the files the embedded engine does, and queries
POST /v1/data/hub/sharing/decision. Any failure (unreachable, timeout, HTTP error, undefined
result) becomes a deny-all decision whose reason names the failure.
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import urlsplit

from opa_client import OpaClient

from hub.policy.engine import FailClosedEngine
from policies import DATA_ROOT, Bundle, bundle

POLICY_ID_PREFIX = "csp-hub"
DECISION_PACKAGE = "hub.sharing"
DECISION_RULE_NAME = "decision"


def client_for(url: str, *, timeout: float, retries: int, token: str | None) -> OpaClient:
    """An OpaClient for a URL such as http://127.0.0.1:8181 (the path part is not supported)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"OPA URL must be http(s)://host[:port], got {url!r}")
    if parts.path not in {"", "/"}:
        raise ValueError(f"OPA URL must not have a path, got {url!r}")
    ssl = parts.scheme == "https"
    port = parts.port or (443 if ssl else 8181)
    return OpaClient(
        host=parts.hostname, port=port, ssl=ssl, timeout=timeout, retries=retries, token=token
    )


class OpaEngine(FailClosedEngine):
    """PolicyEngine over an OPA server; pushes the bundle on first use and after a failure."""

    name = "opa"

    def __init__(
        self,
        url: str,
        *,
        source: Bundle | None = None,
        timeout: float = 2.0,
        retries: int = 1,
        token: str | None = None,
        push: bool = True,
    ) -> None:
        self.url = url
        self._bundle = source or bundle()
        self.bundle_revision = self._bundle.revision
        self._push_wanted = push
        self._pushed = not push
        self._lock = threading.Lock()
        self._error: str | None = None
        self._client: OpaClient | None = None
        try:
            self._client = client_for(url, timeout=timeout, retries=retries, token=token)
        except Exception as exc:
            self._error = f"OPA engine misconfigured: {exc}"

    def push_bundle(self) -> None:
        """Load the bundle's policies and data into the server (idempotent PUTs)."""
        assert self._client is not None
        for rel, source in self._bundle.policies.items():
            self._client.update_policy_from_string(
                source, f"{POLICY_ID_PREFIX}/{rel}", rego_compat=False
            )
        root = "/".join(DATA_ROOT)
        for stem, document in self._bundle.data.items():
            self._client.update_or_create_data(document, f"{root}/{stem}")
        self._client.update_or_create_data({"revision": self.bundle_revision}, "hub/bundle")
        self._pushed = True

    def _ensure_pushed(self) -> None:
        if self._pushed:
            return
        with self._lock:
            if not self._pushed:
                self.push_bundle()

    def evaluate(self, policy_input: dict[str, Any]) -> Any:
        """The raw decision document from the server (None when undefined); raises on failure."""
        assert self._client is not None
        self._ensure_pushed()
        response = self._client.query_rule(
            input_data=policy_input, package_path=DECISION_PACKAGE, rule_name=DECISION_RULE_NAME
        )
        return response.get("result") if isinstance(response, dict) else None

    def describe_failure(self, exc: Exception, malformed: bool) -> str:
        # Another deployment may have pushed a different bundle, or OPA restarted empty:
        # push ours again before the next decision.
        self._pushed = not self._push_wanted
        if malformed:
            return f"OPA at {self.url} returned no usable decision: {exc}"
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return (f"OPA at {self.url} unavailable or failed ({type(exc).__name__}: "
                f"{str(detail)[:300]}): denied")

    def close(self) -> None:
        if self._client is not None:
            self._client.close_connection()
