"""An SQLite-backed hub and a small vocabulary for feeding it agency events without Kafka."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Tracking

from domain.contract import matchkeys
from domain.contract.envelope import new_envelope
from domain.contract.schemas import validate
from domain.rules import matching
from hub.application import PartnershipHub

KEY = b"k" * 32
T0 = datetime(2025, 4, 1, 9, 0, tzinfo=UTC)

Send = Callable[..., int]


def person(name: str, dob: str, role: str, *, with_name_key: bool = False) -> dict[str, Any]:
    found = {"role": role, "match_key": matchkeys.person_key(KEY, name, dob)}
    if with_name_key:
        found.update(name_key=matching.name_key(KEY, name), dob_key=matching.dob_key(KEY, dob))
    return found


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[PartnershipHub]:
    app = PartnershipHub(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                              "SQLITE_DBNAME": str(tmp_path / "hub.sqlite"),
                              "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                              "CIPHER_KEY": AESCipher.create_key(32)})
    yield app
    app.close()


@pytest.fixture
def send(hub: PartnershipHub) -> Send:
    """send(type, data, agency=...) validates and records one event at the next offset."""
    offsets = itertools.count()

    def record(event_type: str, data: dict[str, Any], agency: str = "wcc-housing") -> int:
        envelope = new_envelope(event_id=str(uuid4()), source=f"urn:agency:{agency}",
                                event_type=event_type, subject="test", agency=agency,
                                data=data, time=T0)
        validate(envelope)
        return hub.record_agency_event(envelope, Tracking("test:0", next(offsets)))

    return record


def opened(ref: str = "C1", parties: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"record": {"ref": ref, "version": 1}, "opened_at": T0.isoformat(),
            "category": "noise", "summary": "Loud music nightly",
            "parties": parties if parties is not None else [
                person("Ada Ashcombe", "1980-01-02", "victim")]}


def change(version: int, ref: str = "C1", day: int = 1, **data: Any) -> dict[str, Any]:
    at = T0.replace(day=min(28, day + 1))
    return {"record": {"ref": ref, "version": version}, "at": at.isoformat(), **data}
