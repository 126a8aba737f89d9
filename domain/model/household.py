"""A household: the people who live at one address, as the agencies' records say.

Membership comes only from a record that says the party lives at the record's location
(``lives_at_location``: a tenant's housing case, a noise complaint about the caller's home),
never from merely being named at an address, so a neighbour who causes a nuisance there is not
counted as part of the household.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model import ids


@ids.remembered
def household_id(location_key: str) -> UUID:
    return uuid5(ids.NAMESPACE, f"household:{location_key}")


class Household(Aggregate):
    @staticmethod
    def create_id(location_key: str, **_: Any) -> UUID:
        return household_id(location_key)

    @event("Registered")
    def __init__(self, *, location_key: str) -> None:
        self.location_key = location_key
        self.members: dict[str, list[str]] = {}  # person match key -> records saying so

    def note_resident(self, match_key: str, agency: str, ref: str) -> None:
        if f"{agency}:{ref}" not in self.members.get(match_key, []):
            self._resident_noted(match_key=match_key, agency=agency, ref=ref)

    @event("ResidentNoted")
    def _resident_noted(self, *, match_key: str, agency: str, ref: str) -> None:
        self.members.setdefault(match_key, []).append(f"{agency}:{ref}")
