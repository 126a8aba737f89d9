"""The one way lists are paged: newest first in pages of ``limit``, each page oldest first, and
a ``Link: <...>; rel="next"`` header (RFC 8288) to the older rows while there are more."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request, Response

Limit = Annotated[int, Query(ge=1, le=10_000, description="rows per page (newest first)")]
Before = Annotated[int | None, Query(ge=1, le=2**62, description=(
    "continue with rows older than this position (the `next` link gives it)"))]


def link_next(request: Request, response: Response, next_before: int | None) -> None:
    """Point to the next (older) page, if there is one."""
    if next_before is not None:
        url = request.url.include_query_params(before=next_before)
        response.headers["Link"] = f'<{url}>; rel="next"'
