"""Ingestion through the real broker into the real store: records, duplicates, dead letters."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from eventsourcing.utils import get_topic
from kafka import KafkaProducer

from connectors.csv_incidents import read_incidents
from connectors.publisher import AgencyPublisher, agency_topic
from domain.contract.envelope import new_envelope, sign
from domain.model import Incident
from tests.conftest import Partnership, wait_until
from tests.kafka_helpers import read_topic

SAMPLES = Path(__file__).parents[1] / "hub" / "demo_data"


def reported_count(hub) -> int:  # type: ignore[no-untyped-def]
    topic = get_topic(Incident.Reported)
    return len(hub.process_recorder.select_notifications(start=1, limit=1_000_000,
                                                         topics=[topic]))


def publish_samples(partnership: Partnership) -> None:
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    for agency, sample in (("met-police", "met-police-incidents"),
                           ("wcc-asb", "wcc-asb-incidents")):
        envelopes = read_incidents(SAMPLES / f"{sample}.csv", agency=agency,
                                   partnership_key=partnership.partnership_key)
        with AgencyPublisher(bootstrap, agency, partnership.agency_keys[agency]) as publisher:
            publisher.publish(envelopes)


def test_two_agencies_records_about_one_person_are_linked(partnership: Partnership) -> None:
    hub = partnership.open_hub()
    publish_samples(partnership)
    with partnership.running_worker(hub):
        wait_until(lambda: reported_count(hub) == 3, what="3 incidents recorded")
    police = hub.incident("met-police", "MP-24-0001")
    council = hub.incident("wcc-asb", "ASB-7781")
    assert police is not None and council is not None
    # "Alex Sample" and "alex  SAMPLE" with the same date of birth are one person.
    victim_key = police.parties[0]["match_key"]
    assert council.parties[0]["match_key"] == victim_key
    person = hub.person(victim_key)
    assert person is not None
    assert {(link.agency, link.ref) for link in person.links} == {
        ("met-police", "MP-24-0001"), ("met-police", "MP-24-0002"), ("wcc-asb", "ASB-7781")}


def test_republished_records_change_nothing_and_a_new_worker_resumes(
        partnership: Partnership) -> None:
    hub = partnership.open_hub()
    publish_samples(partnership)
    publish_samples(partnership)  # a re-export: the same event ids again, at new offsets
    with partnership.running_worker(hub) as worker:
        wait_until(lambda: worker.counts.handled == 6, what="6 messages handled")
    assert reported_count(hub) == 3
    assert worker.counts.recorded == 3
    incident = hub.incident("met-police", "MP-24-0002")
    assert incident is not None
    assert incident.source_event_ids == ["met-police:incident.reported:MP-24-0002:v1"]

    # A later worker in the same group resumes after the stored positions: it handles only
    # what is new, never the six messages already recorded.
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    late = read_incidents(SAMPLES / "wcc-asb-incidents.csv", agency="wcc-asb",
                          partnership_key=partnership.partnership_key)
    envelope = next(late)
    changed = replace(envelope, id="wcc-asb:late:1",
                      data={**envelope.data, "record": {"ref": "ASB-9", "version": 1}})
    with AgencyPublisher(bootstrap, "wcc-asb", partnership.agency_keys["wcc-asb"]) as publisher:
        publisher.publish([changed])
    with partnership.running_worker(hub) as second:
        wait_until(lambda: hub.incident("wcc-asb", "ASB-9") is not None, what="the new record")
    assert second.counts.handled == 1
    assert reported_count(hub) == 4


def test_bad_input_is_dead_lettered_with_a_reason_and_the_stream_continues(
        partnership: Partnership) -> None:
    hub = partnership.open_hub()
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    police_key = partnership.agency_keys["met-police"]
    good = next(read_incidents(SAMPLES / "met-police-incidents.csv", agency="met-police",
                               partnership_key=partnership.partnership_key))
    unknown_type = new_envelope(event_id="met-police:x:1", source="urn:t",
                                event_type="incident.deleted", subject="s",
                                agency="met-police", data={})
    bad_schema = new_envelope(event_id="met-police:y:1", source="urn:t",
                              event_type="incident.reported", subject="s",
                              agency="met-police", data={"record": {"ref": "R", "version": 1}})
    forged = sign(good, Ed25519PrivateKey.generate())
    stranger = new_envelope(event_id="nobody:1", source="urn:t", event_type="incident.reported",
                            subject="s", agency="nobody", data=good.data)
    impostor = sign(new_envelope(event_id="wcc-asb:1", source="urn:t",
                                 event_type="incident.reported", subject="s",
                                 agency="wcc-asb", data=good.data), police_key)
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    police = agency_topic("met-police")
    for topic, raw in (
        (police, b"{this is not json"),
        (police, sign(unknown_type, police_key).to_bytes()),
        (police, sign(bad_schema, police_key).to_bytes()),
        (police, forged.to_bytes()),
        (police, good.to_bytes()),  # unsigned
        (agency_topic("nobody"), sign(stranger, police_key).to_bytes()),
        (police, impostor.to_bytes()),
        (police, sign(good, police_key).to_bytes()),  # the one good event, last
    ):
        producer.send(topic, key=b"k", value=raw)
    producer.flush()
    producer.close()

    with partnership.running_worker(hub) as worker:
        wait_until(lambda: hub.incident("met-police", "MP-24-0001") is not None,
                   what="the good event after the bad ones")
        wait_until(lambda: worker.counts.dead_lettered == 7, what="7 dead letters")
    letters = read_topic(bootstrap, partnership.settings.deadletter_topic, expected=7)
    reasons = sorted(letter["reason"] for letter in letters)
    assert reasons == sorted(["malformed-json", "unknown-type", "schema-invalid",
                              "bad-signature", "bad-signature", "unknown-agency",
                              "agency-mismatch"])
    by_reason = {letter["reason"]: letter for letter in letters}
    assert "hub agencies register nobody" in by_reason["unknown-agency"]["message"]
    assert "occurred_at" in by_reason["schema-invalid"]["message"]
    assert by_reason["malformed-json"]["original"] == "{this is not json"
    assert json.loads(by_reason["unknown-type"]["original"])["type"] == "incident.deleted"
    assert reported_count(hub) == 1
