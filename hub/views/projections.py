"""How every partnership view is kept: an eventsourcing ``Projection`` over the hub's
notification log, writing to an in-memory ``POPOTrackingRecorder`` that remembers the last
notification it applied. ``catch_up`` is the one driver, used both to keep a live view current
and to rebuild a view from an empty start, so the two cannot drift apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.persistence import Tracking
from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic

from hub.application import PartnershipHub


@dataclass(frozen=True)
class Progress:
    done: int
    total: int
    elapsed: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed > 0 else 0.0

    def __str__(self) -> str:
        return (f"{self.done}/{self.total} notifications in {self.elapsed:.1f}s "
                f"({self.rate:,.0f}/s)")


ProgressCallback = Callable[[Progress], None]


def print_progress(progress: Progress) -> None:
    print(f"  rebuilding: {progress}", flush=True)


class ViewState(POPOTrackingRecorder):
    """A materialised view held in memory, with the tracking position it has reached."""

    def state(self) -> dict[str, Any]:
        """Everything the view knows, as plain data: equal views have equal states."""
        raise NotImplementedError


class View(Projection[ViewState]):
    """Subclasses list the domain event classes they read and handle each in ``apply``."""

    reads: ClassVar[tuple[type, ...]] = ()
    state_class: ClassVar[type[ViewState]] = ViewState

    def __init__(self, view: ViewState | None = None) -> None:
        super().__init__(view or self.state_class())

    @classmethod
    def topic_names(cls) -> list[str]:
        return [get_topic(event_class) for event_class in cls.reads]

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:  # type: ignore[override]
        self.apply(domain_event)
        self.view.insert_tracking(tracking)

    def apply(self, domain_event: Any) -> None:
        raise NotImplementedError

    def position(self, app: PartnershipHub) -> int:
        return self.view.max_tracking_id(app.name) or 0

    def catch_up(self, app: PartnershipHub, *, batch: int = 1000,
                 progress: ProgressCallback | None = None, every: int = 10_000) -> int:
        """Apply every notification after the view's position; returns how many were read."""
        total = app.recorder.max_notification_id() or 0
        start, done, started, reported = self.position(app) + 1, 0, time.monotonic(), 0
        topics = self.topic_names()
        while True:
            notifications = app.recorder.select_notifications(
                start=start, limit=batch, stop=total, topics=topics)
            for notification in notifications:
                self.process_event(app.mapper.to_domain_event(notification),
                                   Tracking(app.name, notification.id))
            done += len(notifications)
            if progress is not None and (done - reported >= every or len(notifications) < batch):
                progress(Progress(done, total, time.monotonic() - started))
                reported = done
            if len(notifications) < batch:
                return done
            start = notifications[-1].id + 1

    @classmethod
    def rebuild(cls, app: PartnershipHub, progress: ProgressCallback | None = None) -> View:
        """The view from an empty start, replaying the whole notification log."""
        view = cls()
        view.catch_up(app, progress=progress)
        return view


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def event_name(domain_event: Any) -> str:
    return type(domain_event).__qualname__  # e.g. "Case.Opened"
