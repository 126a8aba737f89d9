"""The worker's /metrics: Prometheus text over HTTP, for API clients with the operator role.

The worker has no web framework, so this is prometheus-client's WSGI app behind a bearer-token
check against the same registry the API uses (`hub clients create <agency> --role operator`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app

from hub.registry import Registry

log = logging.getLogger(__name__)
OPERATOR = "operator"


class _Threaded(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _guarded(registry_path: Path) -> Callable[..., Iterable[bytes]]:
    metrics = make_wsgi_app()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        header = environ.get("HTTP_AUTHORIZATION", "")
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        client = Registry.load(registry_path).authenticate(token) if 0 < len(token) < 200 \
            else None
        if client is None or client.role != OPERATOR:
            start_response("401 Unauthorized", [("Content-Type", "text/plain"),
                                                ("WWW-Authenticate", "Bearer")])
            return [b"send 'Authorization: Bearer <token>' of an API client with role operator\n"]
        return metrics(environ, start_response)  # type: ignore[no-any-return]

    return app


def serve_metrics(host: str, port: int, registry_path: Path) -> WSGIServer:
    """Serve in a daemon thread; returns the server (``server_port`` is the bound port)."""
    server = make_server(host, port, _guarded(registry_path), _Threaded, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("metrics on http://%s:%s/metrics (operator token required)", host,
             server.server_port)
    return server
