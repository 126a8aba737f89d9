"""The API's answer when the event store cannot answer in time (``hub.store``): 503 at once,
saying so, with nothing released or changed (whatever needed the store did not happen)."""

from __future__ import annotations

from fastapi import Request, status
from fastapi.responses import JSONResponse

from hub.store import StoreUnavailable

RETRY_AFTER_S = 5


def store_unavailable(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StoreUnavailable)
    return JSONResponse(
        {"detail": f"{exc}; nothing was released or changed: try again shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_S)})
