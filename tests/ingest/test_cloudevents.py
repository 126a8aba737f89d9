"""CloudEvents 1.0 conformance, checked against the CloudEvents Python SDK both ways.

An event made with the SDK (structured or binary Kafka mode, with extension attributes, without
the optional datacontenttype and dataschema) is accepted when its publisher signs the canonical
form; the hub's own messages parse with the SDK's Kafka binding as structured-mode events.
Through the real broker and the real worker, and through the pure accept path for the variants.
"""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from connectors import keys
from connectors.csv_incidents import read_incidents
from connectors.publisher import AgencyPublisher
from domain.contract.envelope import Envelope, canonical_bytes, parse, sign
from hub.ingest.accept import Agencies, Refused, accept
from hub.registry import Registry
from tests.conftest import Partnership, wait_until

SAMPLES = Path(__file__).parents[2] / "hub" / "demo_data"
AGENCY = "met-police"
TOPIC = f"hub.agency.{AGENCY}"
KEY = Ed25519PrivateKey.generate()


def hub_event(partnership_key: bytes = b"k" * 32) -> Envelope:
    """A real incident as the police connector builds it (unsigned)."""
    return next(iter(read_incidents(SAMPLES / "met-police-incidents.csv", agency=AGENCY,
                                    partnership_key=partnership_key)))


def sdk_event(envelope: Envelope, *, drop: tuple[str, ...] = (),
              extra: dict[str, Any] | None = None) -> CloudEvent:
    """The same event built with the SDK: a publisher that never saw the hub's code."""
    attributes = {name: value for name, value in envelope.unsigned().items()
                  if name != "data" and name not in drop}
    attributes.pop("time")  # the SDK keeps time as a datetime and writes it itself
    return CloudEvent({**attributes, **(extra or {})}, envelope.data)


def signed_structured(event: CloudEvent, key: Ed25519PrivateKey) -> ce_kafka.KafkaMessage:
    """Sign as docs/envelope.md says: the canonical form of every attribute but signature."""
    doc = json.loads(ce_kafka.to_structured(event, JSONFormat()).value)
    attributes = {**event.get_attributes(), "signature": _sign(key, canonical_bytes(doc))}
    return ce_kafka.to_structured(CloudEvent(attributes, event.get_data()), JSONFormat())


def signed_binary(event: CloudEvent, key: Ed25519PrivateKey) -> ce_kafka.KafkaMessage:
    """Binary mode: the attributes are the ce_ header strings, data is the value."""
    unsigned = ce_kafka.to_binary(event, JSONFormat())
    doc: dict[str, Any] = {name.removeprefix("ce_"): value.decode()
                           for name, value in unsigned.headers.items()
                           if name.startswith("ce_")}
    if "content-type" in unsigned.headers:
        doc["datacontenttype"] = unsigned.headers["content-type"].decode()
    doc["data"] = json.loads(unsigned.value)
    headers = {**unsigned.headers, "ce_signature": _sign(key, canonical_bytes(doc)).encode()}
    return ce_kafka.KafkaMessage(headers=headers, key=unsigned.key, value=unsigned.value)


def _sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(key.sign(payload)).decode()


def record(message: ce_kafka.KafkaMessage, offset: int = 0) -> ConsumerRecord:
    headers = [(name, value) for name, value in message.headers.items()]
    key = message.key.encode() if isinstance(message.key, str) else message.key
    return ConsumerRecord(TOPIC, 0, None, offset, 0, 0, key, message.value, headers, None,
                          len(key or b""), len(message.value), -1)


@pytest.fixture(scope="module")
def agencies(tmp_path_factory: pytest.TempPathFactory) -> Agencies:
    path = tmp_path_factory.mktemp("registry") / "registry.json"
    registry = Registry()
    registry.register_agency(AGENCY, AGENCY, keys.public_key_text(KEY))
    registry.save(path)
    return Agencies(path)


VARIANTS = {
    "structured": ((), {}),
    "structured without datacontenttype and dataschema": (("datacontenttype", "dataschema"), {}),
    "structured with partitionkey and traceparent extensions": (
        (), {"partitionkey": "pk-1", "traceparent": "00-0af7651916cd43dd-b7ad6b716920-01"}),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_an_sdk_event_in_structured_mode_is_accepted(agencies: Agencies, variant: str) -> None:
    drop, extra = VARIANTS[variant]
    envelope = hub_event()
    message = signed_structured(sdk_event(envelope, drop=drop, extra=extra), KEY)
    assert message.headers["content-type"].startswith(b"application/cloudevents+json")
    outcome = accept(record(message), agencies)
    assert isinstance(outcome, Envelope), outcome
    assert (outcome.id, outcome.data) == (envelope.id, envelope.data)
    assert outcome.extensions == {k: v for k, v in extra.items()}
    assert outcome.datacontenttype == (None if "datacontenttype" in drop else "application/json")


@pytest.mark.parametrize("drop", [(), ("datacontenttype", "dataschema")])
def test_an_sdk_event_in_binary_mode_is_accepted(agencies: Agencies, drop: tuple[str, ...]
                                                 ) -> None:
    envelope = hub_event()
    message = signed_binary(sdk_event(envelope, drop=drop, extra={"partitionkey": "pk"}), KEY)
    assert "ce_specversion" in message.headers
    outcome = accept(record(message), agencies)
    assert isinstance(outcome, Envelope), outcome
    assert (outcome.id, outcome.subject, outcome.data) == (envelope.id, envelope.subject,
                                                           envelope.data)
    assert outcome.extensions == {"partitionkey": "pk"}


def test_an_extension_attribute_is_signed_like_the_rest(agencies: Agencies) -> None:
    """Changing an extension after signing breaks the signature, in either mode."""
    event = sdk_event(hub_event(), extra={"partitionkey": "pk-1"})
    structured = signed_structured(event, KEY)
    doc = json.loads(structured.value)
    doc["partitionkey"] = "pk-2"
    tampered = ce_kafka.KafkaMessage(structured.headers, structured.key,
                                     json.dumps(doc).encode())
    outcome = accept(record(tampered), agencies)
    assert isinstance(outcome, Refused) and outcome.letter.reason == "bad-signature"

    binary = signed_binary(event, KEY)
    headers = {**binary.headers, "ce_partitionkey": b"pk-2"}
    outcome = accept(record(ce_kafka.KafkaMessage(headers, binary.key, binary.value)), agencies)
    assert isinstance(outcome, Refused) and outcome.letter.reason == "bad-signature"


@pytest.mark.parametrize(("headers", "fragment"), [
    ({"content-type": b"application/avro"}, "not a CloudEvents JSON event"),
    ({"ce_specversion": b"1.0", "content-type": b"application/xml"}, "is not JSON"),
    ({"ce_specversion": b"1.0"}, "lacks required attribute"),
    ({"content-type": b"\xff\xfe"}, "is not UTF-8"),
])
def test_a_message_in_a_mode_or_type_the_hub_cannot_read_is_dead_lettered_with_the_reason(
        agencies: Agencies, headers: dict[str, bytes], fragment: str) -> None:
    value = json.dumps(sign(hub_event(), KEY).to_dict()).encode()
    outcome = accept(record(ce_kafka.KafkaMessage(headers, b"k", value)), agencies)
    assert isinstance(outcome, Refused)
    assert fragment in outcome.letter.message


def test_the_structured_content_type_decides_the_mode_whatever_ce_headers_say(
        agencies: Agencies) -> None:
    message = signed_structured(sdk_event(hub_event()), KEY)
    headers = {**message.headers, "ce_specversion": b"1.0", "ce_id": b"something else"}
    outcome = accept(record(ce_kafka.KafkaMessage(headers, message.key, message.value)),
                     agencies)
    assert isinstance(outcome, Envelope), outcome


def test_an_extension_name_the_spec_forbids_is_refused() -> None:
    doc = {**sign(hub_event(), KEY).to_dict(), "Trace-Id": "x"}
    with pytest.raises(ValueError, match="lower-case letters or digits"):
        parse(json.dumps(doc).encode())


def test_sdk_events_in_both_modes_reach_the_store_through_the_broker(
        partnership: Partnership) -> None:
    hub = partnership.open_hub()
    bootstrap = partnership.settings.bootstrap_servers
    envelopes = list(read_incidents(SAMPLES / "met-police-incidents.csv", agency=AGENCY,
                                    partnership_key=partnership.partnership_key))
    key = partnership.agency_keys[AGENCY]
    messages = [signed_structured(sdk_event(envelopes[0], drop=("datacontenttype",),
                                            extra={"partitionkey": "p"}), key),
                signed_binary(sdk_event(envelopes[1], drop=("dataschema",)), key)]
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for message in messages:
        producer.send(TOPIC, key=message.key.encode() if isinstance(message.key, str)
                      else message.key, value=message.value,
                      headers=list(message.headers.items()))
    producer.flush(30)
    producer.close()
    with partnership.running_worker(hub):
        wait_until(lambda: all(hub.incident(AGENCY, e.data["record"]["ref"]) is not None
                               for e in envelopes[:2]), what="both SDK events recorded")


def test_the_hubs_messages_parse_with_the_sdks_kafka_binding(partnership: Partnership) -> None:
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    envelope = hub_event(secrets.token_bytes(32))
    with AgencyPublisher(bootstrap, AGENCY, partnership.agency_keys[AGENCY]) as publisher:
        publisher.publish([envelope])
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = consumer.partitions_for_topic(TOPIC) or set()
        consumer.assign([TopicPartition(TOPIC, p) for p in partitions])
        consumer.seek_to_beginning()
        found: list[ConsumerRecord] = []
        wait_until(lambda: bool(found.extend(
            r for rs in consumer.poll(timeout_ms=500).values() for r in rs) or found),
            what="the published message read back")
    finally:
        consumer.close()
    raw = found[0]
    message = ce_kafka.KafkaMessage(headers=dict(raw.headers), key=raw.key, value=raw.value)
    event = ce_kafka.from_kafka(message, JSONFormat())  # picks the mode from content-type
    assert event.get_id() == envelope.id
    assert event.get_type() == envelope.type
    assert event.get_subject() == envelope.subject
    assert event.get_data() == envelope.data
    assert event.get_extension("agency") == AGENCY
    assert event.get_extension("partitionkey") == envelope.subject  # the Kafka key
    assert event.get_time().isoformat().replace("+00:00", "Z") == envelope.time
