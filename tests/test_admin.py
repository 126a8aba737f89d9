"""The operator's commands: agencies, clients, keys and topics, and their effect on the worker's
accept path and the API without a restart."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from kafka.admin import KafkaAdminClient
from kafka.consumer.fetcher import ConsumerRecord

from connectors import keys
from connectors.csv_incidents import read_incidents
from domain.contract.envelope import Envelope, sign
from hub.api import create_app
from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker
from hub.cli import main
from hub.ingest.accept import Agencies, Refused, accept
from hub.policy import load_engine
from hub.registry import Registry
from hub.settings import Settings

SAMPLES = Path(__file__).parents[1] / "hub" / "demo_data"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "hub-data"))
    monkeypatch.delenv("HUB_KAFKA_BOOTSTRAP", raising=False)
    return tmp_path / "hub-data"


def hub(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def event(key: Ed25519PrivateKey) -> Envelope:
    found = next(iter(read_incidents(SAMPLES / "met-police-incidents.csv",
                                     agency="met-police", partnership_key=b"k" * 32)))
    return sign(found, key)


def message(envelope: Envelope) -> ConsumerRecord:
    value = envelope.to_bytes()
    return ConsumerRecord("hub.agency.met-police", 0, None, 0, 0, 0, None, value, [], None,
                          0, len(value), 0)


def test_a_client_for_a_partner_not_yet_registered_is_created_and_a_stranger_refused(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = hub(capsys, "clients", "create", "wcc-housing", "--role", "case_officer")
    assert code == 0 and "registered partner agency wcc-housing" in out
    token = out.strip().splitlines()[-1]
    assert Registry.load(data_dir / "registry.json").authenticate(token) is not None

    code, _, err = hub(capsys, "clients", "create", "acme-ltd", "--role", "case_officer")
    assert code == 2 and "not a partner agency in the policy bundle" in err
    code, _, err = hub(capsys, "clients", "create", "wcc-housing", "--role", "superuser")
    assert code == 2 and "unknown role 'superuser'" in err and "case_officer" in err


def test_clients_are_listed_rotated_and_revoked_and_the_api_follows_at_once(
        data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, out, _ = hub(capsys, "clients", "create", "wcc-asb", "--role", "dpo")
    token = out.strip().splitlines()[-1]
    client_id = token.split(".")[0]
    settings = Settings.from_env({"HUB_DATA_DIR": str(data_dir)})
    api = TestClient(create_app(settings, PartnershipHub(env=settings.store_env),
                                load_engine()))

    def status(with_token: str) -> int:
        return api.get("/v1/dpo/partner-report", headers={
            "Authorization": f"Bearer {with_token}", "X-Hub-User": "A DPO"}).status_code

    assert status(token) == 200
    code, out, _ = hub(capsys, "clients", "list")
    assert code == 0 and f"{client_id}\twcc-asb\tdpo\t" in out

    _, out, _ = hub(capsys, "clients", "rotate", client_id)
    rotated = out.strip().splitlines()[-1]
    assert rotated.split(".")[0] == client_id and rotated != token
    assert status(token) == 401 and status(rotated) == 200

    code, out, _ = hub(capsys, "clients", "revoke", client_id)
    assert code == 0 and f"revoked client {client_id}" in out
    assert status(rotated) == 401
    code, _, err = hub(capsys, "clients", "revoke", client_id)
    assert code == 2 and "no API client" in err


def test_a_rotated_key_overlaps_and_a_revoked_agency_is_refused_without_a_restart(
        data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    assert hub(capsys, "agencies", "register", "met-police", "--public-key",
               keys.public_key_text(old))[0] == 0
    agencies = Agencies(data_dir / "registry.json")
    assert isinstance(accept(message(event(old)), agencies), Envelope)

    code, out, _ = hub(capsys, "agencies", "rotate-key", "met-police", "--public-key",
                       keys.public_key_text(new), "--overlap-hours", "1")
    assert code == 0 and "accepted for 1 more hour" in out
    os.utime(data_dir / "registry.json", ns=(1, 1))  # however coarse the file system's clock
    agencies._checked = 0.0  # the worker re-reads within a second; the test does not wait
    assert isinstance(accept(message(event(new)), agencies), Envelope)
    assert isinstance(accept(message(event(old)), agencies), Envelope)  # in the overlap

    registry = Registry.load(data_dir / "registry.json")
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    registry.agencies["met-police"].previous_keys[0]["valid_until"] = past
    registry.save(data_dir / "registry.json")
    os.utime(data_dir / "registry.json", ns=(2, 2))
    agencies._checked = 0.0
    refused = accept(message(event(old)), agencies)
    assert isinstance(refused, Refused) and refused.letter.reason == "bad-signature"

    code, out, _ = hub(capsys, "agencies", "list")
    assert "met-police" in out and "1 older key(s)" in out
    code, out, _ = hub(capsys, "agencies", "revoke", "met-police")
    assert code == 0 and "revoked agency met-police" in out
    os.utime(data_dir / "registry.json", ns=(3, 3))
    agencies._checked = 0.0
    refused = accept(message(event(new)), agencies)
    assert isinstance(refused, Refused) and refused.letter.reason == "revoked-agency"
    assert "was revoked on" in refused.letter.message


def test_admin_commands_take_the_data_dir_and_create_nothing_there(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # --data-dir wins over HUB_DATA_DIR (and monkeypatch puts the variable back afterwards,
    # whatever the command set it to).
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path / "unused"))
    monkeypatch.chdir(tmp_path)
    elsewhere = tmp_path / "srv" / "hub-data"
    code, out, _ = hub(capsys, "--data-dir", str(elsewhere), "clients", "create", "wcc-asb",
                       "--role", "dpo")
    assert code == 0
    assert Registry.load(elsewhere / "registry.json").authenticate(
        out.strip().splitlines()[-1]) is not None
    assert hub(capsys, "--data-dir", str(elsewhere), "agencies", "list")[0] == 0
    assert sorted(p.name for p in elsewhere.iterdir()) == ["registry.json"]  # no keys made
    assert not (tmp_path / "unused").exists()


def test_a_partnership_key_is_made_once_and_private(
        data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out_file = tmp_path / "secrets" / "partnership.key"
    code, out, _ = hub(capsys, "keys", "partnership", "--out", str(out_file))
    assert code == 0 and "give it to every signatory" in out
    assert len(bytes.fromhex(out_file.read_text().strip())) == 32
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    before = out_file.read_text()
    code, _, err = hub(capsys, "keys", "partnership", "--out", str(out_file))
    assert code == 2 and "exists" in err and out_file.read_text() == before
    code, out, _ = hub(capsys, "keys", "cipher")
    assert code == 0 and len(out.strip()) >= 40


def test_topics_are_created_for_every_registered_agency(
        data_dir: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = hub(capsys, "topics", "ensure")
    assert code == 2 and "HUB_KAFKA_BOOTSTRAP is not set" in err
    with EmbeddedBroker(log_path=tmp_path / "broker.log") as broker:
        monkeypatch.setenv("HUB_KAFKA_BOOTSTRAP", broker.bootstrap_servers)
        key = keys.public_key_text(Ed25519PrivateKey.generate())
        code, out, _ = hub(capsys, "agencies", "register", "lfb", "--public-key", key)
        assert code == 0 and "hub.agency.lfb" in out  # registering creates its topics
        admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
        try:
            topics = set(admin.list_topics())
            described = {t["name"]: len(t["partitions"])
                         for t in admin.describe_topics(["hub.agency.lfb"])}
        finally:
            admin.close()
    assert {"hub.agency.lfb", "hub.deadletter.lfb", "hub.deadletter._unknown"} <= topics
    assert described["hub.agency.lfb"] == 3
    assert json.loads((data_dir / "registry.json").read_text())["agencies"][0]["id"] == "lfb"
