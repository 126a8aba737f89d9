"""Each person's standing across every record that names them, kept as they arrive: the most
protected role any record gives them and whether any record says they asked for anonymity.

``standing_elsewhere`` (hub/views/standing.py) reads it for the people of a view in one query
instead of loading every record each of them appears in. A request for anonymity, once
recorded, stands (fail closed): a later version of a record that leaves it out does not lift it.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.utils import get_topic

from domain.model import Case, Incident
from hub.views.standing import ROLE_PRECEDENCE, Standing, rank
from hub.views.tables import TableView


class PartyStanding(TableView):
    name = "party_standing"
    topics = tuple(get_topic(e) for e in (Incident.Reported, Case.Opened, Case.PartyAdded))
    tables = ("people",)
    schema = (
        "CREATE TABLE IF NOT EXISTS {t}_people (match_key TEXT PRIMARY KEY, "
        "role_rank INTEGER NOT NULL, anonymity BOOLEAN NOT NULL)",
    )

    def _record(self, cursor: Any, parties: list[dict[str, Any]]) -> None:
        for party in parties:
            key = party.get("match_key")
            if not key:
                continue
            self.view.execute(cursor, (
                "INSERT INTO {t}_people VALUES (:key, :rank, :anonymity) "
                "ON CONFLICT (match_key) DO UPDATE SET "
                "role_rank = CASE WHEN excluded.role_rank < {n}_people.role_rank "
                "THEN excluded.role_rank ELSE {n}_people.role_rank END, "
                "anonymity = (excluded.anonymity OR {n}_people.anonymity)"), {
                "key": key, "rank": rank(party.get("role")),
                "anonymity": bool(party.get("anonymity_requested"))})

    @singledispatchmethod
    def apply(self, event: Any, cursor: Any, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _reported(self, e: Incident.Reported, cursor: Any, position: int) -> None:
        self._record(cursor, list(e.parties))

    @apply.register
    def _opened(self, e: Case.Opened, cursor: Any, position: int) -> None:
        self._record(cursor, list(e.parties))

    @apply.register
    def _added(self, e: Case.PartyAdded, cursor: Any, position: int) -> None:
        self._record(cursor, [e.party])

    def standing(self, keys: set[str]) -> dict[str, Standing]:
        """Each known key's standing across the records naming it."""
        if not keys:
            return {}
        self.catch_up()
        names = {f"k{n}": key for n, key in enumerate(sorted(keys))}
        rows = self.view.select(
            "SELECT match_key, role_rank, anonymity FROM {t}_people WHERE match_key IN ("
            + ", ".join(f":{name}" for name in names) + ")", names)
        return {r["match_key"]: Standing(
            ROLE_PRECEDENCE[r["role_rank"]] if r["role_rank"] < len(ROLE_PRECEDENCE) else None,
            bool(r["anonymity"])) for r in rows}
