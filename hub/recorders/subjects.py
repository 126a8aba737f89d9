"""Subjects beside every record: the Location it happened at, the Household of the parties who
live there, and possible person matches.

Wraps the recorders of events that name places or people, so the incident and case recorders
stay as they are. Possible matches are proposed (domain/rules/matching.py), never merged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import Household, Location, MatchProposal, NameIndex
from domain.model.household import household_id
from domain.model.subjects import location_id, name_index_id, proposal_id
from domain.rules.matching import possible_match
from hub.recorders.base import Loader, Recorder, when

RECORD_TIME = {"incident.reported": "reported_at", "case.opened": "opened_at",
               "case.party.added": "at"}


def with_subjects(kind: str, recorder: Recorder) -> Recorder:
    def record(load: Loader, envelope: Envelope) -> list[Aggregate]:
        aggregates = recorder(load, envelope)
        if not aggregates:
            return aggregates  # a redelivery: nothing new to link
        touched: dict[UUID, Aggregate] = {a.id: a for a in aggregates}

        def get(aggregate_id: UUID) -> Any:
            return touched.get(aggregate_id) or load(aggregate_id)

        data = envelope.data
        owner = data["record"].get("agency", envelope.agency)
        location = data.get("location")
        if location:
            place = get(location_id(location["match_key"])) or Location(
                match_key=location["match_key"], ward=location.get("ward"),
                estate=location.get("estate"))
            place.link(kind, owner, data["record"]["ref"])
            touched[place.id] = place
            residents = [p for p in data.get("parties", []) if p.get("lives_at_location")]
            if residents:
                home = get(household_id(location["match_key"])) or Household(
                    location_key=location["match_key"])
                for resident in residents:
                    home.note_resident(resident["match_key"], owner, data["record"]["ref"])
                touched[home.id] = home
        at = when(data[RECORD_TIME[envelope.type]])
        parties = data.get("parties") or ([data["party"]] if "party" in data else [])
        for party in parties:
            for found in _propose_matches(get, party, at):
                touched[found.id] = found
        return list(touched.values())

    return record


def _propose_matches(get: Loader, party: dict[str, Any], at: datetime) -> list[Aggregate]:
    name_key = party.get("name_key")
    if not name_key:
        return []
    index = get(name_index_id(name_key)) or NameIndex(name_key=name_key)
    if index.people.get(party["match_key"], "?") == party.get("dob_key"):
        return [index]
    found: list[Aggregate] = [index]
    for other, other_dob in index.people.items():
        if other == party["match_key"]:
            continue
        rule = possible_match(name_key, party.get("dob_key"), name_key, other_dob)
        if rule and get(proposal_id(party["match_key"], other)) is None:
            found.append(MatchProposal(a=party["match_key"], b=other, rule=rule, proposed_at=at))
    index.note(match_key=party["match_key"], dob_key=party.get("dob_key"))
    return found
