"""Incidents as the partnership's statistics count them: month, category and ward of the
latest version of each incident, nothing about a person (hub/statistics.py)."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.utils import get_topic

from domain.model.incident import Incident
from hub.views.tables import TableView

UNKNOWN_WARD = "unknown"
GROUP_COLUMNS = {"category": "category", "ward": "ward", "month": "month"}


class IncidentCounts(TableView):
    name = "incident_counts"
    topics = (get_topic(Incident.Reported),)
    tables = ("incidents",)
    schema = (
        "CREATE TABLE IF NOT EXISTS {t}_incidents (id TEXT PRIMARY KEY, month TEXT NOT NULL, "
        "category TEXT NOT NULL, ward TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_incidents_month ON {t}_incidents (month)",
    )

    @singledispatchmethod
    def apply(self, event: Any, cursor: Any, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _reported(self, e: Incident.Reported, cursor: Any, position: int) -> None:
        """A later version of an incident replaces the earlier one."""
        at = e.occurred_at
        self.view.execute(cursor, (
            "INSERT INTO {t}_incidents VALUES (:id, :month, :category, :ward) "
            "ON CONFLICT (id) DO UPDATE SET month = excluded.month, "
            "category = excluded.category, ward = excluded.ward"), {
            "id": str(e.originator_id), "month": f"{at.year:04d}-{at.month:02d}",
            "category": str(e.category),
            "ward": str((e.location or {}).get("ward") or UNKNOWN_WARD)})

    def counts(self, group_by: str, first: str | None, last: str | None) -> dict[str, int]:
        """Incidents per group whose month is in [first, last] (None: open)."""
        self.catch_up()
        column = GROUP_COLUMNS[group_by]
        where, params = ["TRUE"], {}
        if first is not None:
            where.append("month >= :first")
            params["first"] = first
        if last is not None:
            where.append("month <= :last")
            params["last"] = last
        rows = self.view.select(
            f"SELECT {column} AS g, COUNT(*) AS n FROM {{t}}_incidents "
            f"WHERE {' AND '.join(where)} GROUP BY {column}", params)
        return {str(r["g"]): int(r["n"]) for r in rows}

    def groups(self, group_by: str) -> list[str]:
        """Every value the grouping has ever had, whatever the period."""
        self.catch_up()
        column = GROUP_COLUMNS[group_by]
        return [str(r["g"]) for r in self.view.select(
            f"SELECT DISTINCT {column} AS g FROM {{t}}_incidents ORDER BY g")]
