"""Every endpoint but health and the OpenAPI document needs a registered API client.

Clients belong to one agency and carry one role; the individual officer behind a request is
named in ``X-Hub-User`` and written into the disclosure log.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub.api.limits import TOKEN_MAX, USER_MAX
from hub.registry import ApiClient, Registry
from hub.sharing import Requester

bearer = HTTPBearer(auto_error=False, scheme_name="client token",
                    description="an API client token (`hub clients create` prints it once)")


class RegistryCache:
    """Reloads the registry file when it changes, so new clients work without a restart."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._registry = Registry()

    def get(self) -> Registry:
        stamp = self.path.stat().st_mtime if self.path.exists() else None
        if stamp != self._stamp:
            self._registry = Registry.load(self.path)
            self._stamp = stamp
        return self._registry


def authenticated_client(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)] = None,
) -> ApiClient:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED,
                            "send 'Authorization: Bearer <client token>'; tokens are issued "
                            "with `hub clients create`",
                            headers={"WWW-Authenticate": "Bearer"})
    token = credentials.credentials
    client = (request.app.state.registry.get().authenticate(token)
              if len(token) <= TOKEN_MAX else None)
    if client is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "unknown or revoked client token",
                            headers={"WWW-Authenticate": "Bearer"})
    return client


def requester(client: Annotated[ApiClient, Depends(authenticated_client)],
              x_hub_user: Annotated[str | None, Header(
                  max_length=USER_MAX, description="the person making the request, as the "
                  "disclosure log will name them")] = None) -> Requester:
    if not x_hub_user or not x_hub_user.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            "name the person making the request in the X-Hub-User header; "
                            "every disclosure records who asked")
    return Requester(user=x_hub_user.strip(), agency=client.agency, role=client.role)


def require_role(*roles: str):  # type: ignore[no-untyped-def]
    def check(who: Annotated[Requester, Depends(requester)]) -> Requester:
        if who.role not in roles:
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"this needs one of the roles {', '.join(roles)}; your client "
                                f"has role {who.role!r}")
        return who
    return check
