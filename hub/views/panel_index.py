"""The panel index: which referrals, meetings and access records exist, by panel and by case,
and which cases are open, kept as tables so the panel pages never scan the whole store.

The index holds ids, panel types, case references, members and times only; the panel service
loads the aggregates it lists (from the store's cache) for everything else, so what a page
shows is always the aggregate's own state.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.utils import get_topic

from domain.model import Case
from domain.model.panels import PanelAccess, PanelMeeting, Referral
from hub.views.tables import TableView


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


class PanelIndex(TableView):
    name = "panel_index"
    topics = tuple(get_topic(e) for e in (
        Referral.Made, PanelMeeting.Scheduled, PanelMeeting.CaseListed, PanelAccess.Recorded,
        Case.Opened, Case.Closed))
    tables = ("referrals", "meetings", "members", "listed", "access", "cases")
    schema = (
        "CREATE TABLE IF NOT EXISTS {t}_referrals (id TEXT PRIMARY KEY, panel_type TEXT NOT "
        "NULL, case_key TEXT NOT NULL, at_us BIGINT NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_referrals_panel ON {t}_referrals (panel_type, at_us)",
        "CREATE INDEX IF NOT EXISTS {n}_referrals_case ON {t}_referrals (case_key)",
        "CREATE TABLE IF NOT EXISTS {t}_meetings (id TEXT PRIMARY KEY, panel_type TEXT NOT "
        "NULL, held_us BIGINT NOT NULL, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_meetings_panel ON {t}_meetings (panel_type, held_us)",
        "CREATE TABLE IF NOT EXISTS {t}_members (meeting_id TEXT NOT NULL, agency TEXT NOT "
        "NULL, PRIMARY KEY (agency, meeting_id))",
        "CREATE TABLE IF NOT EXISTS {t}_listed (meeting_id TEXT NOT NULL, case_key TEXT NOT "
        "NULL, PRIMARY KEY (case_key, meeting_id))",
        "CREATE TABLE IF NOT EXISTS {t}_access (id TEXT PRIMARY KEY, position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_access_position ON {t}_access (position)",
        "CREATE TABLE IF NOT EXISTS {t}_cases (id TEXT PRIMARY KEY, open BOOLEAN NOT NULL, "
        "position BIGINT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_cases_open ON {t}_cases (open, position)",
    )

    # -- writing ------------------------------------------------------------------------------

    @singledispatchmethod
    def apply(self, event: Any, cursor: Any, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _referred(self, e: Referral.Made, cursor: Any, position: int) -> None:
        self.view.execute(cursor, "INSERT INTO {t}_referrals VALUES (:id, :panel, :case, :at, "
                                  ":position)", {
            "id": str(e.originator_id), "panel": e.panel_type,
            "case": f"{e.case_agency}/{e.case_ref}", "at": _micros(e.at), "position": position})

    @apply.register
    def _scheduled(self, e: PanelMeeting.Scheduled, cursor: Any, position: int) -> None:
        meeting = str(e.originator_id)
        self.view.execute(cursor, "INSERT INTO {t}_meetings VALUES (:id, :panel, :held, "
                                  ":position)", {
            "id": meeting, "panel": e.panel_type, "held": _micros(e.held_at),
            "position": position})
        for agency in sorted(set(e.members)):
            self.view.execute(cursor, "INSERT INTO {t}_members VALUES (:id, :agency)",
                              {"id": meeting, "agency": agency})

    @apply.register
    def _listed(self, e: PanelMeeting.CaseListed, cursor: Any, position: int) -> None:
        self.view.execute(cursor, "INSERT INTO {t}_listed VALUES (:id, :case)", {
            "id": str(e.originator_id), "case": f"{e.case_agency}/{e.case_ref}"})

    @apply.register
    def _accessed(self, e: PanelAccess.Recorded, cursor: Any, position: int) -> None:
        self.view.execute(cursor, "INSERT INTO {t}_access VALUES (:id, :position)",
                          {"id": str(e.originator_id), "position": position})

    @apply.register
    def _opened(self, e: Case.Opened, cursor: Any, position: int) -> None:
        self.view.execute(cursor, "INSERT INTO {t}_cases VALUES (:id, TRUE, :position)",
                          {"id": str(e.originator_id), "position": position})

    @apply.register
    def _closed(self, e: Case.Closed, cursor: Any, position: int) -> None:
        self.view.execute(cursor, "UPDATE {t}_cases SET open = FALSE WHERE id = :id",
                          {"id": str(e.originator_id)})

    # -- reading ------------------------------------------------------------------------------

    def _ids(self, text: str, params: dict[str, Any] | None = None) -> list[UUID]:
        self.catch_up()
        return [UUID(row["id"]) for row in self.view.select(text, params)]

    def referrals(self, panel_type: str | None = None, case_key: str | None = None
                  ) -> list[UUID]:
        """Referrals, oldest first."""
        where, params = _where({"panel_type": panel_type, "case_key": case_key})
        return self._ids(f"SELECT id FROM {{t}}_referrals r WHERE {where} "
                         "ORDER BY at_us, position", params)

    def meetings(self, panel_type: str | None = None, *, member: str | None = None,
                 case_key: str | None = None, from_: datetime | None = None,
                 limit: int | None = None) -> list[UUID]:
        """Meetings by the time they are held, earliest first."""
        where, params = _where({"panel_type": panel_type})
        if from_ is not None:
            where += " AND r.held_us >= :from_us"
            params["from_us"] = _micros(from_)
        if member is not None:
            where += (" AND EXISTS (SELECT 1 FROM {t}_members x WHERE x.agency = :member "
                      "AND x.meeting_id = r.id)")
            params["member"] = member
        if case_key is not None:
            where += (" AND EXISTS (SELECT 1 FROM {t}_listed x WHERE x.case_key = :case "
                      "AND x.meeting_id = r.id)")
            params["case"] = case_key
        text = f"SELECT id FROM {{t}}_meetings r WHERE {where} ORDER BY held_us, position"
        if limit is not None:
            text += " LIMIT :limit"
            params["limit"] = limit
        return self._ids(text, params)

    def access(self) -> list[UUID]:
        return self._ids("SELECT id FROM {t}_access ORDER BY position")

    def open_cases(self) -> list[UUID]:
        return self._ids("SELECT id FROM {t}_cases WHERE open ORDER BY position")


def _where(equal: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Columns equal to the values given (None: any), for a table aliased ``r``."""
    given = {column: value for column, value in equal.items() if value is not None}
    return " AND ".join(["TRUE", *(f"r.{c} = :{c}" for c in given)]), given
