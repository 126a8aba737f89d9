"""Recording a batch: one transaction, refusals reported once and leaving nothing behind."""

from __future__ import annotations

import secrets
from dataclasses import replace

from eventsourcing.persistence import Tracking

from connectors.csv_incidents import row_to_envelope
from hub.application import PartnershipHub
from hub.recorders import RecordRefused
from hub.settings import Settings
from tests.test_worker_crash import incident_rows


def test_a_refused_event_is_reported_once_and_the_rest_of_the_batch_is_stored(
        store_env: dict[str, str]) -> None:
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    hub = PartnershipHub(env=settings.store_env)
    key = secrets.token_bytes(32)
    first, second, third = (row_to_envelope(row, agency="met-police", source="urn:t",
                                            partnership_key=key) for row in incident_rows(3))
    # The same incident again under a new event id: a contradiction the recorder refuses,
    # after the earlier events in the batch have already changed people in memory.
    contradiction = replace(first, id="met-police:incident.reported:CR-00000:v2",
                            data={**first.data, "summary": "changed"})
    refusals: list[tuple[int, RecordRefused]] = []
    recorded = hub.record_batch(
        "hub.agency.met-police:0",
        [(0, first), (1, second), (2, contradiction), (3, third)],
        last_offset=3, on_refused=lambda offset, refusal: refusals.append((offset, refusal)))

    assert recorded == 3
    assert [(offset, refusal.reason) for offset, refusal in refusals] == [(2, "already-recorded")]
    assert hub.has_recorded(Tracking("hub.agency.met-police:0", 3))
    incident = hub.incident("met-police", "CR-00000")
    assert incident is not None and incident.summary == "Noise complaint 0"
    victim = hub.person(first.data["parties"][0]["match_key"])
    assert victim is not None and [link.ref for link in victim.links] == ["CR-00000"]

    # Delivered again (say after a crash before the Kafka commit): nothing changes.
    again = hub.record_batch("hub.agency.met-police:0", [(0, first), (1, second), (3, third)],
                             last_offset=3, on_refused=lambda *_: None)
    assert again == 0
