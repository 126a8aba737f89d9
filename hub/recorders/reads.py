"""Which aggregates each event type's recorder will load, known from the envelope alone, so
that a batch reads all of them in one query before recording (hub/working_set.py).

A read-ahead hint, not a rule: an aggregate a recorder loads that is not named here is read on
its own when asked for, so a hint that is short costs a query and never correctness. Match
proposals depend on what the name indexes hold, so ``proposals_of`` names them once those are
read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any
from uuid import UUID

from domain.contract.envelope import Envelope
from domain.model import ids
from domain.model.consent import consent_aggregate_id, consent_id, subject_consents_id
from domain.model.family import family_id, relationship_id
from domain.model.household import household_id
from domain.model.subjects import location_id, name_index_id, proposal_id

Reads = Callable[[Envelope], Iterable[UUID]]
log = logging.getLogger(__name__)


def _parties(data: dict[str, Any]) -> list[dict[str, Any]]:
    return data.get("parties") or ([data["party"]] if "party" in data else [])


def _subjects(envelope: Envelope) -> Iterator[UUID]:
    """People, their name indexes, the place and its household (hub/recorders/subjects.py)."""
    data = envelope.data
    for party in _parties(data):
        yield ids.person_id(party["match_key"])
        if party.get("name_key"):
            yield name_index_id(party["name_key"])
    location = data.get("location")
    if location:
        yield location_id(location["match_key"])
        yield household_id(location["match_key"])


def _incident(envelope: Envelope) -> Iterator[UUID]:
    yield ids.incident_id(envelope.agency, envelope.data["record"]["ref"])
    yield from _subjects(envelope)


def _case_opened(envelope: Envelope) -> Iterator[UUID]:
    yield ids.case_id(envelope.agency, envelope.data["record"]["ref"])
    yield from _subjects(envelope)


def _case_changed(envelope: Envelope) -> Iterator[UUID]:
    """The case, under the agency that opened it (hub/recorders/case_lifecycle.py)."""
    record = envelope.data["record"]
    yield ids.case_id(record.get("agency", envelope.agency), record["ref"])
    yield from _subjects(envelope)
    incident = envelope.data.get("incident")
    if incident:
        yield ids.incident_id(incident["agency"], incident["ref"])


def _match(envelope: Envelope) -> Iterator[UUID]:
    a, b = envelope.data["proposal"]["a"], envelope.data["proposal"]["b"]
    yield from (proposal_id(a, b), ids.person_id(a), ids.person_id(b))


def _consent(envelope: Envelope) -> Iterator[UUID]:
    consent = envelope.data["consent"]
    yield consent_aggregate_id(consent_id(consent.get("agency") or envelope.agency,
                                          consent["ref"]))
    yield subject_consents_id(envelope.data["subject"]["match_key"])


def _relationship(envelope: Envelope) -> Iterator[UUID]:
    yield relationship_id(envelope.agency, envelope.data["record"]["ref"])
    for side in ("person", "relative"):
        yield family_id(envelope.data[side]["match_key"])


READS: dict[str, Reads] = {
    "incident.reported": _incident, "case.opened": _case_opened, "match.decided": _match,
    "consent.given": _consent, "consent.refused": _consent, "consent.withdrawn": _consent,
    "person.relationship.recorded": _relationship,
    **{t: _case_changed for t in ("case.updated", "case.party.added", "case.risk.assessed",
                          "case.action.assigned", "case.intervention.recorded",
                          "case.incident.linked", "case.closed")}}


def reads_of(envelopes: Iterable[Envelope]) -> set[UUID]:
    """Every aggregate these events are expected to load; an envelope the hint cannot read
    (its recorder will refuse it) adds nothing."""
    found: set[UUID] = set()
    for envelope in envelopes:
        reads = READS.get(envelope.type)
        try:
            found.update(reads(envelope) if reads else ())
        except Exception as exc:  # a hint only: the recorder says what is wrong
            log.debug("no read-ahead for %s: %s", envelope.id, exc)
    return found


# Recorders that propose matches between the people they name (hub/recorders/subjects.py).
PROPOSING = ("incident.reported", "case.opened", "case.party.added")


def proposals_of(envelopes: Iterable[Envelope], loaded: Mapping[UUID, Any]) -> set[UUID]:
    """Every match proposal these events may look up: between each person they name and any
    other seen with the same name key, whether the name index holds them or this batch
    names them too."""
    named: dict[str, set[str]] = {}
    for envelope in envelopes:
        if envelope.type not in PROPOSING:
            continue
        try:
            for party in _parties(envelope.data):
                if party.get("name_key"):
                    named.setdefault(party["name_key"], set()).add(party["match_key"])
        except Exception as exc:  # a hint only
            log.debug("no read-ahead for %s: %s", envelope.id, exc)
    found: set[UUID] = set()
    for name_key, keys in named.items():
        index = loaded.get(name_index_id(name_key))
        others = keys | set(getattr(index, "people", None) or ())
        found.update(proposal_id(a, b) for a in keys for b in others if a != b)
    return found
