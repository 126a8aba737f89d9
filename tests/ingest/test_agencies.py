"""The registry as the accept path reads it: found when registered late, never mistaken for
bad content when the file itself is broken."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka.consumer.fetcher import ConsumerRecord

from connectors import keys
from hub.ingest.accept import Agencies, Refused, RegistryUnreadable, accept
from hub.registry import Registry


def message(topic: str, value: bytes) -> ConsumerRecord:
    return ConsumerRecord(topic, 0, None, 0, 0, 0, None, value, [], None, 0, len(value), 0)


def test_an_agency_registered_after_start_is_found(tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    Registry().save(path)
    agencies = Agencies(path)
    assert not agencies.is_registered("met-police")
    registry = Registry()
    registry.register_agency("met-police", "Police",
                             keys.public_key_text(Ed25519PrivateKey.generate()))
    registry.save(path)
    os.utime(path, ns=(1, 1))  # a new modification time, however coarse the file system's
    assert agencies.is_registered("met-police")
    assert agencies.signing_keys("met-police")


def test_a_broken_registry_stops_the_worker_rather_than_refusing_messages(
        tmp_path: Path) -> None:
    path = tmp_path / "registry.json"
    path.write_text("{not json")
    with pytest.raises(RegistryUnreadable, match="restore it"):
        Agencies(path)

    Registry().save(path)
    agencies = Agencies(path)
    assert isinstance(accept(message("hub.agency.nobody", b"{}"), agencies), Refused)
    path.write_text('{"agencies": [{"id": "nobody"}]}')  # a field missing
    os.utime(path, ns=(2, 2))
    with pytest.raises(RegistryUnreadable):
        accept(message("hub.agency.nobody", b"{}"), agencies)
