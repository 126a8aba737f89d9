"""Server-rendered pages for panel members and coordinators (FastAPI + Jinja2)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from hub.web.pages import web_router

_PROCESS_SECRET = secrets.token_urlsafe(32)


def session_options(environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Options for starlette's SessionMiddleware: a signed cookie holding only the API client
    id and the officer's name (never the token). The secret comes from HUB_SESSION_SECRET;
    without it a random one per process (sessions end on restart, and replicas need it set).
    """
    env = os.environ if environ is None else environ
    return {"secret_key": env.get("HUB_SESSION_SECRET") or _PROCESS_SECRET,
            "session_cookie": "hub_session", "same_site": "strict",
            "https_only": env.get("HUB_SESSION_HTTPS_ONLY", "") == "1", "max_age": 8 * 3600}


__all__ = ["session_options", "web_router"]
