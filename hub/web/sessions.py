"""Server-side sign-in sessions for the panel pages.

The signed cookie holds only a session id (and the form token, hub/web/security.py); the
session itself (which API client, which person, until when, whether it was ended) is an
aggregate in the hub's store, so every API replica sees the same state. Signing out ends it
there: a copy of the cookie taken before stops working at once, not when the cookie expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from hub.application import PartnershipHub

LIFETIME = timedelta(hours=8)


class WebSession(Aggregate):
    """One sign-in: started with an API client's token and the person's name."""

    @event("Started")
    def __init__(self, *, client_id: str, user: str, started_at: datetime,
                 expires_at: datetime) -> None:
        self.client_id = client_id
        self.user = user
        self.started_at = started_at
        self.expires_at = expires_at
        self.ended_at: datetime | None = None
        self.end_reason: str | None = None

    def active(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at

    @event("Ended")
    def end(self, *, at: datetime, reason: str) -> None:
        self.ended_at = at
        self.end_reason = reason


@dataclass(frozen=True)
class SessionStore:
    hub: PartnershipHub

    def start(self, client_id: str, user: str, now: datetime) -> str:
        session = WebSession(client_id=client_id, user=user, started_at=now,
                             expires_at=now + LIFETIME)
        self.hub.save(session)
        return str(session.id)

    def current(self, session_id: object, now: datetime) -> WebSession | None:
        """The live session of that id; None if unknown, ended or expired."""
        try:
            found = self.hub.get_or_none(UUID(str(session_id)))
        except ValueError:
            return None
        if not isinstance(found, WebSession) or not found.active(now):
            return None
        return found

    def end(self, session: WebSession, now: datetime, reason: str) -> None:
        if session.ended_at is None:
            session.end(at=now, reason=reason)
            self.hub.save(session)
