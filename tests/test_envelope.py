"""The envelope contract: canonical form, signatures and schema validation, on both sides."""

from __future__ import annotations

import json
import re
import secrets

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.contract import matchkeys, schemas
from domain.contract.envelope import EnvelopeError, new_envelope, parse, sign, verify

KEY = secrets.token_bytes(32)


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
