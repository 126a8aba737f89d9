"""An HTTP front on OPA's own evaluator, speaking OPA's Data API, for the OPA adapter's tests.

No OPA server can be installed here, so this serves what the adapter uses of the Data API
(POST /v1/data/<path> with {"input": ...} answering {"result": ...}, or {} when undefined) from
OPA's Go evaluator in process, loaded with the bundle exactly as the embedded engine is. What it
cannot show: OPA's own HTTP layer, bundle downloading and its decision logs.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from hub.policy.opa_inprocess import build_opa
from policies import Bundle, bundle


@contextmanager
def opa_data_api(source: Bundle | None = None, *, delay: float = 0.0,
                 status: int = 200) -> Iterator[str]:
    """Serve the bundle on a free loopback port; yields the base URL. ``delay`` holds every
    answer back, ``status`` makes every answer that HTTP status."""
    from opa_bindings import OpaUndefinedError

    engine = build_opa(source or bundle())
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body: dict[str, Any] = json.loads(self.rfile.read(length) or b"{}")
            path = self.path.removeprefix("/v1/data/").strip("/").replace("/", ".")
            time.sleep(delay)
            if status != 200:
                self._answer(status, {"code": "internal_error", "message": "test failure"})
                return
            try:
                with lock:
                    result = engine.eval_document(path, body.get("input"))
                self._answer(200, {"result": result})
            except OpaUndefinedError:
                self._answer(200, {})

        def _answer(self, code: int, document: dict[str, Any]) -> None:
            payload = json.dumps(document).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
