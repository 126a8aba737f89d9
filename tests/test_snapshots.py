"""Snapshots of busy aggregates: a cold read from a snapshot equals a full replay."""

from __future__ import annotations

import secrets

from eventsourcing.persistence import Tracking

from connectors.csv_incidents import row_to_envelope
from domain.model import ids
from tests.conftest import Partnership
from tests.test_worker_crash import incident_rows


def test_a_person_seen_often_is_snapshotted_and_reads_back_the_same(
        partnership: Partnership) -> None:
    key = secrets.token_bytes(32)
    hub = partnership.open_hub()
    rows = [{**row, "victim_name": "Ash Applewood"} for row in incident_rows(120)]
    work = hub.unit_of_work()
    for n, row in enumerate(rows):
        work.record(row_to_envelope(row, agency="met-police", source="urn:t",
                                    partnership_key=key))
        if n % 10 == 9:  # batches of ten, as the worker stores them
            work.commit(Tracking("hub.agency.met-police:0", n))
            work = hub.unit_of_work()
    victim = row_to_envelope(rows[0], agency="met-police", source="urn:t",
                             partnership_key=key).data["parties"][0]["match_key"]
    assert hub.snapshots is not None
    snapshots = list(hub.snapshots.get(ids.person_id(victim)))
    # Registered is version 1, each incident links once; a snapshot is taken at the end of
    # the batch that crossed a multiple of 50.
    assert [s.originator_version for s in snapshots] == [51, 101]

    cold = partnership.open_hub()  # a new process: no cache, reads from the last snapshot
    person = cold.person(victim)
    assert person is not None and person.version == 121
    assert [link.ref for link in person.links] == [row["incident_ref"] for row in rows]
