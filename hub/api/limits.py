"""Size limits on everything a client sends, so no request can fill the store or the audit
chain (which is append-only: whatever goes in stays for the retention period).

The request models use these types, so the limits are checked before any handler runs (422,
naming the field) and are declared in the OpenAPI document. The body as a whole is limited by
``BodySizeLimit`` (413), before it is parsed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Annotated

from pydantic import StringConstraints
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

USER_MAX = 200        # a person's name (X-Hub-User, sign-in)
ID_MAX = 100          # agency ids, case references, purposes, panel types, record ids
TEXT_MAX = 4_000      # reasons, justifications, notes, decisions, action descriptions
MINUTES_MAX = 20_000  # a meeting's minutes
TOKEN_MAX = 512       # an API client token (``client_id.secret``)
LIST_MAX = 50         # gateway claims, referral ids in one request
DEFAULT_BODY_MAX = 64 * 1024

AgencyId = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX,
                                            pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Ref = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX)]
Text = Annotated[str, StringConstraints(max_length=TEXT_MAX)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=TEXT_MAX)]
Minutes = Annotated[str, StringConstraints(min_length=1, max_length=MINUTES_MAX)]
UserName = Annotated[str, StringConstraints(min_length=1, max_length=USER_MAX)]


def body_limit(environ: Mapping[str, str] | None = None) -> int:
    """``HUB_MAX_BODY_BYTES``: the largest request body accepted (default 64 KiB, far above
    any real request: a case view request with claims is a few kilobytes)."""
    env = os.environ if environ is None else environ
    return int(env.get("HUB_MAX_BODY_BYTES") or DEFAULT_BODY_MAX)


class BodySizeLimit:
    """Refuse a request body over the limit with 413, whether it declares its length or is
    sent in chunks: nothing beyond the limit is read."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _too_large(self) -> str:
        return (f"request body over {self.max_bytes} bytes: nothing was read or stored; send "
                "less (the limit is HUB_MAX_BODY_BYTES)")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse({"detail": self._too_large()}, 413)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise HTTPException(413, self._too_large())
            return message

        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, tracking)
        except HTTPException as exc:
            if exc.status_code != 413 or started:
                raise
            await JSONResponse({"detail": exc.detail}, 413)(scope, receive, send)
