"""The production engine: an OPA server running ``policies/`` as a bundle, via opa-python-client.

OPA loads the bundle itself (``opa run --server --bundle policies/``, see docker-compose.yml); the
hub never pushes policies. Before its first decision, and again after any failure, the hub reads
``data.hub.bundle.revision`` from the server and refuses to decide unless it is the revision the
hub was built with; every decision also reports the revision it was made under, and a decision
made under any other revision is refused (hub/policy/decision.py). Any failure (unreachable,
timeout, HTTP error, undefined result, wrong revision) becomes a deny-all decision whose reason
names it.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from opa_client import OpaClient

from hub.policy.engine import FailClosedEngine, bundle_from
from policies import Bundle

DECISION_PACKAGE = "hub.sharing"
DECISION_RULE_NAME = "decision"
REVISION_PACKAGE = "hub.bundle"
REVISION_RULE_NAME = "revision"


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


class RevisionMismatch(RuntimeError):
    """The OPA server holds another bundle revision than the hub expects."""


class OpaEngine(FailClosedEngine):
    """PolicyEngine over an OPA server that serves the hub's bundle."""

    name = "opa"

    def __init__(
        self,
        url: str,
        *,
        source: Bundle | Path | None = None,
        timeout: float = 2.0,
        retries: int = 1,
        token: str | None = None,
    ) -> None:
        self.url = url
        self._verified = False
        self._lock = threading.Lock()
        self._client: OpaClient | None = None
        try:
            self.load(bundle_from(source))
            self._client = client_for(url, timeout=timeout, retries=retries, token=token)
        except Exception as exc:
            self._error = f"OPA engine misconfigured: {exc}"

    def served_revision(self) -> Any:
        """The bundle revision the server holds (``data.hub.bundle.revision``), or None."""
        assert self._client is not None
        response = self._client.query_rule(
            input_data={}, package_path=REVISION_PACKAGE, rule_name=REVISION_RULE_NAME)
        return response.get("result") if isinstance(response, dict) else None

    def verify_revision(self) -> None:
        """Raise RevisionMismatch unless the server holds the expected bundle revision."""
        served = self.served_revision()
        if served != self.bundle_revision:
            raise RevisionMismatch(
                f"OPA at {self.url} serves bundle revision {served!r}, the hub expects "
                f"{self.bundle_revision}: deploy the same policies/ to both (see "
                "docs/policies.md, 'Running OPA')")
        self._verified = True

    def check(self) -> str | None:
        """None when the server answers with the expected revision; otherwise why not."""
        if self._error:
            return self._error
        try:
            self.verify_revision()
        except Exception as exc:
            self._verified = False
            return self.describe_failure(exc, malformed=False)
        return None

    def evaluate(self, engine_input: dict[str, Any]) -> Any:
        """The raw decision document from the server (None when undefined); raises on failure."""
        assert self._client is not None
        if not self._verified:
            with self._lock:
                if not self._verified:
                    self.verify_revision()
        response = self._client.query_rule(
            input_data=engine_input, package_path=DECISION_PACKAGE, rule_name=DECISION_RULE_NAME
        )
        return response.get("result") if isinstance(response, dict) else None

    def describe_failure(self, exc: Exception, malformed: bool) -> str:
        # OPA may have restarted with another bundle: check the revision again before the next
        # decision.
        self._verified = False
        if isinstance(exc, RevisionMismatch):
            return f"{exc}: denied"
        if malformed:
            return f"OPA at {self.url} returned no usable decision: {exc}"
        detail = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return (f"OPA at {self.url} unavailable or failed ({type(exc).__name__}: "
                f"{str(detail)[:300]}): denied")

    def close(self) -> None:
        if self._client is not None:
            self._client.close_connection()
