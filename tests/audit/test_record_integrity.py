"""Every disclosure and access record is checked against the chain entry that carries it:
altered, deleted, unreadable and unchained rows are named; one bad row hides nothing else."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from domain.model.audit import AUDIT_LOG_ID
from domain.model.disclosure import Disclosure
from hub.cli import main
from tests.audit import db
from tests.audit.conftest import ASK, Hub


def verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def released(hub: Hub, api: TestClient, n: int) -> list[str]:
    ids = []
    for i in range(n):
        answer = api.post("/v1/case-views", json=ASK, headers=hub.headers("wcc-housing", f"u{i}"))
        assert answer.status_code == 200, answer.text
        ids.append(answer.json()["disclosure_id"])
    return ids


def entry_seqs(hub: Hub) -> dict[str, int]:
    """Chain entry sequence number by the id of the record it carries."""
    found = {}
    for stored in hub.app.recorder.select_events(AUDIT_LOG_ID, gt=1):
        event = hub.app.mapper.to_domain_event(stored)
        found[str(event.entry["ref"])] = event.seq
    return found


def reencrypted(hub: Hub, record_id: str, **changes: object) -> bytes:
    """The record's row as someone holding the store key would rewrite it."""
    stored = hub.app.recorder.select_events(UUID(record_id), lte=1)[0]
    event = hub.app.mapper.to_domain_event(stored)
    return hub.app.mapper.to_stored_event(dataclasses.replace(event, **changes)).state


def flipped(hub: Hub, record_id: str) -> bytes:
    """The record's row with one byte changed by someone without the key."""
    state = bytearray(hub.app.recorder.select_events(UUID(record_id), lte=1)[0].state)
    state[len(state) // 2] ^= 0xFF
    return bytes(state)


def test_an_altered_and_a_deleted_disclosure_are_named_by_id_and_position(
        hub: Hub, api: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    hub.record_samples()
    _, altered, deleted, _ = released(hub, api, 4)
    search = api.get("/v1/dpo/disclosures", headers=hub.headers("dpo", "the.dpo"))
    assert search.status_code == 200
    code, report = verify_cli(capsys)
    assert code == 0 and report["ok"], report
    assert report["entries"] == 5 and report["records"] == 5  # 4 disclosures, 1 access

    seqs = entry_seqs(hub)
    db.set_state(hub.settings, UUID(altered), 1,
                 reencrypted(hub, altered, recipient="someone-else", released=[]))
    db.delete_after(hub.settings, UUID(deleted), 0)

    code, report = verify_cli(capsys)
    assert code == 1
    named = sorted((p["seq"], p["kind"], p["record"]) for p in report["problems"])
    assert named == [(seqs[altered], "record-altered", altered),
                     (seqs[deleted], "record-missing", deleted)]
    assert report["entries"] == 5  # the chain itself is intact
    assert main(["audit", "verify"]) == 1
    text = capsys.readouterr().out
    assert f"disclosure {altered} does not match chain entry {seqs[altered]}" in text
    assert f"disclosure {deleted}, recorded by chain entry {seqs[deleted]}, is missing" in text


def test_an_unreadable_row_is_named_and_the_dpo_still_sees_every_other_row(
        hub: Hub, api: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    hub.record_samples()
    ids = released(hub, api, 3)
    seqs = entry_seqs(hub)
    db.set_state(hub.settings, UUID(ids[1]), 1, flipped(hub, ids[1]))

    code, report = verify_cli(capsys)
    assert code == 1
    assert [(p["seq"], p["kind"], p["record"]) for p in report["problems"]] == [
        (seqs[ids[1]], "record-unreadable", ids[1])]

    listed = api.get("/v1/dpo/disclosures", headers=hub.headers("dpo", "the.dpo"))
    assert listed.status_code == 200, listed.text
    rows = {r["disclosure_id"]: r for r in listed.json()}
    assert set(rows) == set(ids)
    assert rows[ids[1]]["unreadable"] is True
    assert rows[ids[1]]["detail"].startswith(f"unreadable record {ids[1]}")
    assert rows[ids[0]]["recipient"] == rows[ids[2]]["recipient"] == "wcc-housing"
    # Any search shows it (it could be any of them); reports count only what they can read.
    by_partner = api.get("/v1/dpo/disclosures", params={"partner": "wcc-housing"},
                         headers=hub.headers("dpo", "the.dpo"))
    assert {r["disclosure_id"] for r in by_partner.json()} == set(ids)
    report_rows = api.get("/v1/dpo/partner-report", headers=hub.headers("dpo", "the.dpo"))
    assert report_rows.status_code == 200
    assert [(r["partner"], r["released"]) for r in report_rows.json()] == [("wcc-housing", 2)]
    log = api.get("/v1/disclosures", headers=hub.headers("dpo", "the.dpo"))
    assert log.status_code == 200
    assert [r["disclosure_id"] for r in log.json()] == ids
    assert [r.get("unreadable", False) for r in log.json()] == [False, True, False]


def test_an_unreadable_access_record_is_named_and_the_access_log_still_lists(
        hub: Hub, api: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    for _ in range(3):
        assert api.get("/v1/dpo/refusals", headers=hub.headers("dpo", "the.dpo")).status_code \
            == 200
    seqs = entry_seqs(hub)
    second = sorted(seqs, key=seqs.__getitem__)[1]
    db.set_state(hub.settings, UUID(second), 1, flipped(hub, second))
    code, report = verify_cli(capsys)
    assert code == 1
    assert [(p["seq"], p["kind"], p["record"]) for p in report["problems"]] == [
        (2, "record-unreadable", second)]
    log = api.get("/v1/dpo/access-log", headers=hub.headers("dpo", "the.dpo"))
    assert log.status_code == 200
    assert [r["action"] for r in log.json()] == ["dpo.refusals", "unreadable", "dpo.refusals"]


def test_a_disclosure_added_behind_the_hubs_back_is_named(
        hub: Hub, api: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    hub.record_samples()
    (genuine,) = released(hub, api, 1)
    stored = hub.app.mapper.to_domain_event(
        hub.app.recorder.select_events(UUID(genuine), lte=1)[0])
    fields = {k: v for k, v in vars(stored).items()
              if k not in {"originator_id", "originator_version", "timestamp",
                           "originator_topic"}}
    forged = Disclosure(**{**fields, "recipient": "nobody-asked"})
    hub.app.save(forged)  # stored, but not through the audit trail
    code, report = verify_cli(capsys)
    assert code == 1
    assert [(p["seq"], p["kind"], p["record"]) for p in report["problems"]] == [
        (2, "record-unchained", str(forged.id))]


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_verify_refuses_a_data_directory_that_does_not_exist(
        hub: Hub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-dir"
    monkeypatch.setenv("HUB_DATA_DIR", str(missing))
    monkeypatch.delenv("HUB_CIPHER_KEY")
    monkeypatch.delenv("SQLITE_DBNAME", raising=False)
    monkeypatch.delenv("PERSISTENCE_MODULE", raising=False)
    assert main(["audit", "verify"]) == 2
    out = capsys.readouterr()
    assert f"the data directory {missing} does not exist" in out.err
    assert "HUB_DATA_DIR" in out.err and "OK" not in out.out
    assert not missing.exists()

    missing.mkdir()  # a directory, but no store in it
    assert main(["audit", "verify"]) == 2
    assert f"there is no event store at {missing / 'hub.sqlite'}" in capsys.readouterr().err
    assert not (missing / "hub.sqlite").exists()
