"""Server-rendered pages for panel members and coordinators (FastAPI + Jinja2)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from hub.web.pages import web_router
from hub.web.security import SecurityHeaders
from hub.web.sessions import LIFETIME

_PROCESS_SECRET = secrets.token_urlsafe(32)


def session_options(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Options for starlette's SessionMiddleware: a signed cookie holding only the session id
    (the session itself is in the store, hub/web/sessions.py) and the form token.

    The secret comes from HUB_SESSION_SECRET; without it a random one per process (sessions
    end on restart, and replicas need it set). The cookie is Secure (HTTPS only) unless
    HUB_ALLOW_HTTP_SESSIONS=1, which is for a local demo or tests on plain http only.
    """
    env = os.environ if environ is None else environ
    return {"secret_key": env.get("HUB_SESSION_SECRET") or _PROCESS_SECRET,
            "session_cookie": "hub_session", "same_site": "strict",
            "https_only": env.get("HUB_ALLOW_HTTP_SESSIONS", "") != "1",
            "max_age": int(LIFETIME.total_seconds())}


__all__ = ["SecurityHeaders", "session_options", "web_router"]
