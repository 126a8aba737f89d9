"""Links are checked against a set kept beside the ordered list; the set is never stored."""

from __future__ import annotations

from typing import Any

from domain.model import Person
from domain.model.subjects import Location
from hub.application import PartnershipHub


def test_a_link_made_again_adds_nothing_before_and_after_a_snapshot() -> None:
    app = PartnershipHub(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                              "SQLITE_DBNAME": ":memory:"})
    person = Person(match_key="mk1:" + "a" * 64)
    for n in range(300):
        person.link("incident", "met-police", f"CR-{n}", "victim")
    person.link("incident", "met-police", "CR-7", "victim")
    app.save(person)
    assert person.version == 301
    app.take_snapshot(person.id)
    assert app.snapshots is not None
    snapshot: Any = next(iter(app.snapshots.get(person.id, desc=True, limit=1)))
    assert "_link_set" not in snapshot.state and len(snapshot.state["links"]) == 300

    restored = snapshot.mutate(None)  # as a cold reader gets it
    restored.link("incident", "met-police", "CR-7", "victim")
    restored.link("incident", "met-police", "CR-7", "perpetrator")  # another role: a new link
    assert [e.ref for e in restored.collect_events()] == ["CR-7"]
    assert len(restored.links) == 301


def test_a_location_keeps_its_links_in_order() -> None:
    place = Location(match_key="lk1:x", ward=None, estate=None)
    for ref in ("B", "A", "B", "C", "A"):
        place.link("incident", "met-police", ref)
    assert [link.ref for link in place.links] == ["B", "A", "C"]
