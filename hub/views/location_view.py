"""Location view: hotspots by ward and estate, and repeat addresses (3+ complaints within
12 months, 000:L241), from every agency's incidents."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any, ClassVar

from domain.model import Incident
from domain.rules import repeats
from hub.views.projections import View, ViewState, iso


class LocationState(ViewState):
    def __init__(self) -> None:
        super().__init__()
        self.places: dict[str, dict[str, Any]] = {}

    def state(self) -> dict[str, Any]:
        return {"places": self.places}


class LocationView(View):
    reads: ClassVar[tuple[type, ...]] = (Incident.Reported,)
    state_class = LocationState
    view: LocationState

    def apply(self, e: Any) -> None:
        if not e.location:
            return
        place = self.view.places.setdefault(e.location["match_key"], {
            "ward": e.location.get("ward"), "estate": e.location.get("estate"),
            "reports": []})
        place["reports"].append([iso(e.reported_at), e.agency, e.category])

    def hotspots(self, by: str = "ward", top: int = 10) -> list[tuple[str, int]]:
        counts: Counter[str] = Counter()
        for place in self.view.places.values():
            if place.get(by) and place[by] != "none":
                counts[place[by]] += len(place["reports"])
        return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]

    def repeat_addresses(self, category: str | None = None) -> list[str]:
        return sorted(key for key, place in self.view.places.items()
                      if repeats.is_repeat_location(
                          datetime.fromisoformat(at) for at, _, cat in place["reports"]
                          if category is None or cat == category))

    def location(self, key: str) -> dict[str, Any] | None:
        return self.view.places.get(key)
