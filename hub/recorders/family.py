"""``person.relationship.recorded``: an agency recorded, changed or ended a family or
household tie between two people (domain/model/family.py).

Refused before anything is stored, with the reason in the agency's dead letter: a tie of a
person to themselves, one that ends before it starts, a version no later than the one held,
or a later version that names other people than the record did.
"""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from domain.contract.envelope import Envelope
from domain.model import DomainRefused
from domain.model.family import Family, Relationship, family_id, relationship_id
from hub.recorders.base import Loader, Recorder, RecordRefused


def relationship_recorded(load: Loader, envelope: Envelope) -> list[Aggregate]:
    data = envelope.data
    ref, version = data["record"]["ref"], data["record"]["version"]
    terms = {"person": data["person"], "kind": data["relationship"],
             "relative": data["relative"], "since": data.get("since"),
             "until": data.get("until"), "lives_together": data.get("lives_together")}
    held: Relationship | None = load(relationship_id(envelope.agency, ref))
    try:
        if held is not None:
            return [held] if held.amend(version=version, source=envelope.id, **terms) else []
        tie = Relationship.record(agency=envelope.agency, ref=ref, version=version,
                                  source=envelope.id, **terms)
    except DomainRefused as exc:
        raise RecordRefused(exc.reason, str(exc)) from exc
    changed: list[Aggregate] = [tie]
    for key in tie.keys:
        family = load(family_id(key)) or Family(match_key=key)
        family.add(tie.id_text)
        changed.append(family)
    return changed


RECORDERS: dict[str, Recorder] = {"person.relationship.recorded": relationship_recorded}
