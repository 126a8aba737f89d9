"""The envelope contract: canonical form, signatures and schema validation, on both sides."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.contract import matchkeys, schemas
from domain.contract.envelope import (
    EnvelopeError,
    check_identity,
    nests_deeper_than,
    new_envelope,
    parse,
    sign,
    verify,
)

KEY = secrets.token_bytes(32)
VICTIM = matchkeys.person_key(KEY, "Alex Sample", "1990-04-12")


def incident(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "record": {"ref": "INC-1", "version": 1},
        "occurred_at": "2026-09-01T21:00:00Z", "reported_at": "2026-09-01T21:05:00Z",
        "category": "noise", "summary": "Loud music",
        "parties": [{"role": "victim",
                     "match_key": matchkeys.person_key(KEY, "Alex Sample", "1990-04-12")}],
    }
    data.update(changes)
    return data


def envelope(**changes: object):  # type: ignore[no-untyped-def]
    return new_envelope(event_id="met-police:incident.reported:INC-1:v1", source="urn:test",
                        event_type="incident.reported", subject="s", agency="met-police",
                        data=incident(**changes))


def test_signed_envelope_round_trips_and_verifies() -> None:
    key = Ed25519PrivateKey.generate()
    signed = sign(envelope(), key)
    parsed = parse(signed.to_bytes())
    verify(parsed, key.public_key())
    schemas.validate(parsed)
    assert parsed == signed


def test_any_change_after_signing_breaks_the_signature() -> None:
    key = Ed25519PrivateKey.generate()
    doc = json.loads(sign(envelope(), key).to_bytes())
    doc["data"]["summary"] = "Something else"
    with pytest.raises(EnvelopeError) as refused:
        verify(parse(json.dumps(doc).encode()), key.public_key())
    assert refused.value.reason == "bad-signature"


def test_another_agencys_key_does_not_verify() -> None:
    signed = sign(envelope(), Ed25519PrivateKey.generate())
    with pytest.raises(EnvelopeError, match="met-police"):
        verify(signed, Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(("raw", "reason"), [
    (b"{not json", "malformed-json"),
    (b"\xff\xfe", "malformed-json"),
    (b"[1, 2]", "malformed-envelope"),
    (b'{"specversion": "1.0"}', "malformed-envelope"),
])
def test_malformed_messages_are_named(raw: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError) as refused:
        parse(raw)
    assert refused.value.reason == reason


def test_unknown_event_type_lists_the_known_ones() -> None:
    unknown = new_envelope(event_id="x", source="s", event_type="incident.deleted",
                           subject="s", agency="a", data={})
    with pytest.raises(EnvelopeError, match=re.escape("incident.reported v1")) as refused:
        schemas.validate(unknown)
    assert refused.value.reason == "unknown-type"


@pytest.mark.parametrize(("changes", "field"), [
    ({"category": "loud"}, "category"),
    ({"occurred_at": "yesterday"}, "occurred_at"),
    ({"parties": [{"role": "victim", "match_key": "Alex Sample"}]}, "parties/0/match_key"),
    ({"unexpected": 1}, "(payload)"),
    # RFC 3339 allows a lower-case t; the recorders' datetime.fromisoformat does not
    ({"occurred_at": "2026-09-01t21:00:00z"}, "occurred_at"),
    ({"occurred_at": "9999-12-31T23:59:59-23:59"}, "occurred_at"),  # overflows in UTC
    ({"parties": [{"role": "victim", "match_key": VICTIM, "date_of_birth": "0001-01-01"}]},
     "parties/0/date_of_birth"),
])
def test_schema_errors_name_the_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(EnvelopeError, match=re.escape(f"'{field}'")) as refused:
        schemas.validate(envelope(**changes))
    assert refused.value.reason == "schema-invalid"


def test_match_keys_ignore_case_accents_and_spacing_but_not_birth_date() -> None:
    same = matchkeys.person_key(KEY, "  ZOË  o'Brien", "2001-02-03")
    assert same == matchkeys.person_key(KEY, "Zoe O Brien", "2001-02-03")
    assert same != matchkeys.person_key(KEY, "Zoe O Brien", "2001-02-04")
    assert same != matchkeys.person_key(secrets.token_bytes(32), "Zoe O Brien", "2001-02-03")


# -- hostile input: every refusal is an EnvelopeError with a reason, never another exception --

@pytest.mark.parametrize(("raw", "reason"), [
    (b"[" * 100_000 + b"]" * 100_000, "too-deep"),
    (b'{"data":' * 100_000 + b"1" + b"}" * 100_000, "too-deep"),
    (b"{" * 40, "too-deep"),
    (b" " * (1024 * 1024 + 1), "too-large"),
    (b'{"n": ' + b"9" * 5000 + b"}", "malformed-json"),  # beyond Python's integer digits limit
    (b'{"n": NaN}', "malformed-json"),
    (b'{"s": "\\ud800"}', "malformed-json"),  # a lone surrogate cannot be written as UTF-8
    (b"", "malformed-json"),
])
def test_hostile_messages_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(EnvelopeError) as refused:
        parse(raw)
    assert refused.value.reason == reason


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", [
    "{" * 32 + '"' + '\\"' * 500_000,          # an unterminated string of escaped quotes
    '"' + '\\"' * 500_000 + '"' + "{" * 33,     # a long string, then the brackets
])
def test_nesting_check_is_linear_in_any_input(text: str) -> None:
    """A regex that backtracked over escaped quotes took about an hour on one 1 MiB message
    (found by an outside probe); the token scan reads each character once."""
    assert nests_deeper_than(text, 32) is text.endswith("{")


def test_nesting_is_counted_outside_strings_only() -> None:
    assert not nests_deeper_than('{"a": "[[[[[[", "b": "\\"{{{{"}', 2)
    assert nests_deeper_than('{"a": [[{"b": 1}]]}', 3)
    assert not nests_deeper_than('{"a": [[{"b": 1}]]}', 4)
    signed = sign(envelope(), Ed25519PrivateKey.generate())
    assert parse(signed.to_bytes()) == signed  # a real event is well within the limits


def test_a_surrogate_pair_is_one_character_and_accepted() -> None:
    doc = json.loads(envelope().to_bytes())
    doc["data"]["summary"] = "\ud83d\ude00"  # json.dumps writes the escaped pair
    assert parse(json.dumps(doc).encode()).data["summary"] == "😀"


def test_an_over_long_attribute_is_named() -> None:
    doc = json.loads(envelope().to_bytes())
    doc["subject"] = "s" * 100_000
    with pytest.raises(EnvelopeError, match="'subject' is 100,000 characters") as refused:
        parse(json.dumps(doc).encode())
    assert refused.value.reason == "malformed-envelope"


# -- identity: the envelope's id and subject name what its payload is about --------------------

def identified(event_id: str = "met-police:incident.reported:INC-1:v1", subject: str = VICTIM,
               event_type: str = "incident.reported", data: dict[str, object] | None = None
               ):  # type: ignore[no-untyped-def]
    return new_envelope(event_id=event_id, source="urn:test", event_type=event_type,
                        subject=subject, agency="met-police",
                        data=incident() if data is None else data)


@pytest.mark.parametrize("subject", [VICTIM, "met-police:INC-1"])
def test_an_event_naming_its_own_record_and_subject_is_accepted(subject: str) -> None:
    check_identity(identified(subject=subject))


@pytest.mark.parametrize("event_id", [
    "met-police:incident.reported:INC-2:v1",   # another record
    "met-police:incident.reported:INC-1:v2",   # another version
    "met-police:case.opened:INC-1:v1",         # another type
    "wcc-asb:incident.reported:INC-1:v1",      # another agency
    "INC-1",
])
def test_an_id_naming_another_record_is_refused_with_the_right_id(event_id: str) -> None:
    right = re.escape("the id must be 'met-police:incident.reported:INC-1:v1'")
    with pytest.raises(EnvelopeError, match=right) as refused:
        check_identity(identified(event_id=event_id))
    assert refused.value.reason == "id-mismatch"
    assert event_id in str(refused.value)


def test_a_subject_naming_someone_not_in_the_payload_is_refused() -> None:
    stranger = matchkeys.person_key(KEY, "Someone Else", "1970-01-01")
    with pytest.raises(EnvelopeError, match=re.escape(VICTIM)) as refused:
        check_identity(identified(subject=stranger))
    assert refused.value.reason == "subject-mismatch"


def test_a_case_change_names_nobody_so_any_match_key_subject_keeps_its_case_in_order() -> None:
    change: dict[str, object] = {"record": {"ref": "C1", "version": 2},
                                 "at": "2026-09-02T10:00:00Z", "changes": {"legal_action": True}}
    check_identity(identified("met-police:case.updated:C1:v2", VICTIM, "case.updated", change))
    with pytest.raises(EnvelopeError) as refused:
        check_identity(identified("met-police:case.updated:C1:v2", "s", "case.updated", change))
    assert refused.value.reason == "subject-mismatch"
