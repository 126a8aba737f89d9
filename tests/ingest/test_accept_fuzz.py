"""Fuzzing the worker's accept path: any bytes, any envelope, never an exception.

Whatever a message holds, ``accept`` returns either a verified, valid envelope or a dead letter
that is bounded, names the original's position and digest, and is addressed to the topic of the
agency that owns the source topic (or the operator's, for a topic no agency owns).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from kafka.consumer.fetcher import ConsumerRecord

from connectors import keys
from connectors.csv_incidents import read_incidents
from domain.contract import schemas
from domain.contract.deadletter import (
    EXCERPT_BYTES,
    MAX_DEADLETTER_BYTES,
    UNKNOWN_AGENCY_TOPIC,
    DeadLetter,
)
from domain.contract.envelope import (
    Envelope,
    EnvelopeError,
    check_identity,
    named_match_keys,
    parse,
    sign,
)
from hub.ingest.accept import Agencies, Refused, accept
from hub.registry import Registry

SAMPLES = Path(__file__).parents[2] / "hub" / "demo_data"
AGENCY = "met-police"
TOPICS = ("hub.agency.met-police", "hub.agency.wcc-asb", "hub.agency.nobody",
          "hub.agency._unknown", "hub.agency." + "x" * 238, "hub.agency.")
KEY = Ed25519PrivateKey.generate()
FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def agencies(tmp_path_factory: pytest.TempPathFactory) -> Agencies:
    path = tmp_path_factory.mktemp("registry") / "registry.json"
    registry = Registry()
    registry.register_agency(AGENCY, AGENCY, keys.public_key_text(KEY))
    registry.register_agency("wcc-asb", "wcc-asb", None)  # registered, but publishes nothing
    registry.register_agency("_unknown", "a name no agency's letters may go to", None)
    registry.save(path)
    return Agencies(path)


def valid_events() -> list[Envelope]:
    found = read_incidents(SAMPLES / "met-police-incidents.csv", agency=AGENCY,
                           partnership_key=secrets.token_bytes(32))
    return [sign(envelope, KEY) for envelope in found]


VALID = valid_events()


def message(topic: str, value: bytes | None, offset: int = 7) -> ConsumerRecord:
    return ConsumerRecord(topic, 2, None, offset, 0, 0, b"k", value, [], None, 1,
                          len(value or b""), 0)


def check(outcome: Envelope | Refused, record: ConsumerRecord) -> str:
    """The outcome is a trusted envelope or a bounded, well-addressed dead letter; returns the
    refusal's reason (or "accepted") for hypothesis's statistics."""
    raw = record.value or b""
    if isinstance(outcome, Envelope):
        assert record.topic == "hub.agency." + AGENCY
        assert outcome.agency == AGENCY
        schemas.validate(outcome)
        check_identity(outcome)
        return "accepted"
    letter = outcome.letter
    assert isinstance(letter, DeadLetter)
    assert letter.reason != "internal-error", letter.message
    assert len(letter.to_bytes()) <= MAX_DEADLETTER_BYTES
    assert (letter.topic, letter.partition, letter.offset) == (record.topic, 2, record.offset)
    assert letter.original_bytes == len(raw)
    assert letter.original_sha256 == hashlib.sha256(raw).hexdigest()
    excerpt = (letter.excerpt.encode() if letter.excerpt_encoding == "utf-8"
               else base64.b64decode(letter.excerpt))
    assert raw.startswith(excerpt) and len(excerpt) >= min(len(raw), EXCERPT_BYTES) - 3
    owner = record.topic.removeprefix("hub.agency.")
    owned = owner in (AGENCY, "wcc-asb")
    assert outcome.topic == ("hub.deadletter." + owner if owned else UNKNOWN_AGENCY_TOPIC)
    return letter.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner,
                                                                max_size=5),
    max_leaves=25)


def nested(depth: int, leaf: Any = 1) -> Any:
    """``depth`` levels of arrays and objects, built without recursion."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"x": value}
    return value


def deep_json(depth: int) -> str:
    return '{"x":[' * (depth // 2) + "1" + "]}" * (depth // 2)


@st.composite
def envelopes(draw: st.DrawFn) -> bytes:
    """A real signed event, changed in one way, then (maybe) signed again so that the change
    reaches schema validation and the identity check rather than stopping at the signature."""
    doc: dict[str, Any] = json.loads(draw(st.sampled_from(VALID)).to_bytes())
    where = draw(st.sampled_from(["attribute", "data", "field", "huge", "deep", "none"]))
    attribute = draw(st.sampled_from(sorted(doc)))
    field = draw(st.sampled_from(sorted(doc["data"])))
    if where == "attribute":
        doc[attribute] = draw(json_values)
    elif where == "data":
        doc["data"] = draw(json_values)
    elif where == "field":
        doc["data"][field] = draw(json_values)
    elif where == "huge":
        size = draw(st.sampled_from([600, 5000, 2 ** 20, 5 * 2 ** 20]))
        text = draw(st.sampled_from(["x", "é", "\u2028", "\x00", '"', "😀"])) * size
        if draw(st.booleans()):
            doc["data"][field] = text
        else:
            doc[attribute] = text
    elif where == "deep":
        depth = draw(st.sampled_from([31, 32, 33, 1000, 100_000]))
        if depth >= 1000:  # too deep for json.dumps itself: write the text directly
            raw = json.dumps({**doc, "data": "@@"}).encode()
            return raw.replace(b'"@@"', deep_json(depth).encode())
        doc["data"][field] = nested(depth)
    if draw(st.booleans()):
        with contextlib.suppress(EnvelopeError):  # not parseable: it goes as it is
            doc = json.loads(sign(parse(json.dumps(doc).encode()), KEY).to_bytes())
    return json.dumps(doc, ensure_ascii=draw(st.booleans())).encode()


@FUZZ
@given(raw=st.binary(max_size=5000), topic=st.sampled_from(TOPICS))
def test_any_bytes_on_any_topic(agencies: Agencies, raw: bytes, topic: str) -> None:
    record = message(topic, raw)
    event(check(accept(record, agencies), record))


@FUZZ
@given(value=json_values, topic=st.sampled_from(TOPICS))
def test_any_json_value(agencies: Agencies, value: Any, topic: str) -> None:
    record = message(topic, json.dumps(value).encode())
    event(check(accept(record, agencies), record))


@FUZZ
@given(raw=envelopes())
def test_changed_envelopes(agencies: Agencies, raw: bytes) -> None:
    record = message("hub.agency." + AGENCY, raw)
    event(check(accept(record, agencies), record))


@FUZZ
@given(valid=st.sampled_from(VALID), attribute=st.sampled_from(["id", "subject"]),
       value=st.text(min_size=1, max_size=80))
def test_an_id_or_subject_naming_another_record_is_never_accepted(
        agencies: Agencies, valid: Envelope, attribute: str, value: str) -> None:
    changed = sign(Envelope(**{**valid.__dict__, attribute: value}), KEY)
    record = message("hub.agency." + AGENCY, changed.to_bytes())
    outcome = accept(record, agencies)
    event(check(outcome, record))
    if value != getattr(valid, attribute) and isinstance(outcome, Envelope):
        assert attribute == "subject" and value in named_match_keys(valid.data)


HEADER_NAMES = ("content-type", "ce_specversion", "ce_id", "ce_type", "ce_source", "ce_time",
                "ce_subject", "ce_agency", "ce_schemaversion", "ce_signature", "ce_dataschema",
                "ce_Partition-Key", "ce_partitionkey", "ce_", "")


@FUZZ
@given(valid=st.sampled_from(VALID), as_data=st.booleans(),
       headers=st.lists(st.tuples(st.sampled_from(HEADER_NAMES) | st.text(max_size=30),
                                  st.none() | st.binary(max_size=40)
                                  | st.sampled_from([b"1.0", b"application/cloudevents+json",
                                                     b"application/json", b"text/plain"])),
                        max_size=80))
def test_any_kafka_headers(agencies: Agencies, valid: Envelope, as_data: bool,
                           headers: list[tuple[str, bytes | None]]) -> None:
    """Structured or binary mode, any headers at all: an envelope or a dead letter."""
    value = json.dumps(valid.data).encode() if as_data else valid.to_bytes()
    record = ConsumerRecord("hub.agency." + AGENCY, 2, None, 7, 0, 0, b"k", value, headers,
                            None, 1, len(value), 0)
    event(check(accept(record, agencies), record))


def test_every_valid_event_is_accepted(agencies: Agencies) -> None:
    for valid in VALID:
        assert accept(message("hub.agency." + AGENCY, valid.to_bytes()), agencies) == valid


@pytest.mark.parametrize(("value", "reason"), [
    (None, "malformed-json"),
    (b"[" * 100_000 + b"]" * 100_000, "too-deep"),
    (b"x" * (5 * 2 ** 20), "too-large"),
])
def test_the_probed_messages_are_refused_with_their_reason(
        agencies: Agencies, value: bytes | None, reason: str) -> None:
    record = message("hub.agency." + AGENCY, value)
    outcome = accept(record, agencies)
    check(outcome, record)
    assert isinstance(outcome, Refused) and outcome.letter.reason == reason
