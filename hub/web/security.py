"""What keeps the pages safe in a browser: security headers on every answer, and a form
token plus an Origin (or Referer) check on every form post.

The form token is per session, kept in the signed session cookie and in a hidden field of
every form; a post without it, or from a page of another origin, changes nothing. The pages'
own origin is ``HUB_PUBLIC_ORIGIN`` when it is set (a hub behind a TLS-terminating proxy, e.g.
``https://hub.example.org``), otherwise the one the request came to.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_FIELD = "csrf_token"
PAGES_CSP = ("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# FastAPI's /docs and /redoc load their script from a CDN and start it inline.
DOCS_CSP = ("default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net "
            "https://fonts.googleapis.com; font-src https://fonts.gstatic.com; "
            "img-src 'self' data: https:; "
            "worker-src blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
DOCS = ("/docs", "/redoc")


class SecurityHeaders:
    """Content-Security-Policy (no framing, no inline script), nosniff, a same-origin
    Referrer-Policy (same-origin form posts keep their Origin header), and no-store on
    everything but the static assets: packs and agendas must not linger in caches."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = (
                    DOCS_CSP if path.startswith(DOCS) else PAGES_CSP)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "DENY"
                if not path.startswith("/panels/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, with_headers)


def form_token(session: dict[str, object]) -> str:
    """The session's form token, made on first use."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def own_origins(request: Request, environ: Mapping[str, str] | None = None) -> set[str]:
    """``HUB_PUBLIC_ORIGIN`` when it is set (and then only it: the Host header a proxy passes
    through must not widen it); otherwise the origin the request came to."""
    env = os.environ if environ is None else environ
    if env.get("HUB_PUBLIC_ORIGIN"):
        return {env["HUB_PUBLIC_ORIGIN"].rstrip("/")}
    return {f"{request.url.scheme}://{request.url.netloc}"}


def form_refusal(request: Request, token: str) -> str | None:
    """Why a form post must not be acted on, or None when it came from our own page."""
    origins = own_origins(request)
    origin = request.headers.get("origin")
    referer = request.headers.get("referer")
    if origin is not None:
        same = origin in origins
    else:
        same = referer is not None and any(referer == o or referer.startswith(o + "/")
                                           for o in origins)
    if not same:
        return ("This form was not sent from the hub's own pages, so nothing was changed. "
                "Open the page on the hub and send the form from there.")
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not hmac.compare_digest(expected.encode(),
                                                                token.encode()):
        return ("This form has expired (or did not come from your session), so nothing was "
                "changed. Reload the page and send it again.")
    return None
