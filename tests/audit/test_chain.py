"""The audit log is a hash chain: altered, unreadable and deleted entries are named."""

from __future__ import annotations

import dataclasses
import json

import pytest
from fastapi.testclient import TestClient

from domain.model.audit import AUDIT_LOG_ID
from hub.api import create_app
from hub.application import PartnershipHub
from hub.audit.chain import AuditTrail, audit_trail
from hub.audit.config import AuditConfig
from hub.audit.queries import access_rows, disclosure_rows
from hub.cli import main
from tests.audit import db
from tests.audit.conftest import ASK, Hub


def fill(hub: Hub, n: int) -> AuditTrail:
    trail = audit_trail(hub.app, AuditConfig.from_settings(hub.settings))
    for i in range(n):
        trail.commit("test", {"n": i, "note": "an entry"})
    return trail


def verify_cli(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    code = main(["audit", "verify", "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_every_release_refusal_and_search_is_a_chained_entry(hub: Hub, api: TestClient,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    hub.record_samples()
    granted = api.post("/v1/case-views", json=ASK, headers=hub.headers("wcc-housing", "h.o"))
    refused = api.post("/v1/case-views", json={**ASK, "purpose": "safeguarding"},
                       headers=hub.headers("gp-practice-x", "dr.x"))
    search = api.get("/v1/dpo/disclosures", headers=hub.headers("dpo", "the.dpo"))
    assert granted.status_code == 200 and refused.status_code == 404  # no existence oracle
    assert search.status_code == 200 and len(search.json()) == 2

    row = {r["disclosure_id"]: r for r in search.json()}[granted.json()["disclosure_id"]]
    assert row["requester"] == {"user": "h.o", "agency": "wcc-housing", "role": "case_officer"}
    assert row["recipient"] == "wcc-housing" and row["purpose"] == "asb_case_management"
    assert row["record_ref"] == "wcc-asb:CASE-2026-0042"
    assert row["agreement"] == "swp-isp" and row["bundle_revision"].startswith("sha256:")
    assert row["suppliers"] == ["met-police", "wcc-asb"]
    assert {"identity", "address", "incident"} <= set(row["released_categories"])
    assert len(row["requested"]) == len(row["released"]) + len(row["withheld"])
    assert row["requested_at"].endswith("Z") and row["override"] is None
    gp = {r["disclosure_id"]: r for r in search.json()}[refused.json()["disclosure_id"]]
    assert not gp["allowed"] and gp["released"] == [] and gp["withheld_categories"]

    access = access_rows(hub.app)
    assert [(a["user"], a["action"], a["result_count"]) for a in access] == [
        ("the.dpo", "dpo.search_disclosures", 2)]
    code, report = verify_cli(capsys)
    assert code == 0, report
    assert report["entries"] == 3 and report["ok"]


def test_an_altered_entry_is_named(hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    fill(hub, 8)
    # Entry 3: content changed by someone holding the store key (re-encrypted, still readable).
    stored = hub.app.recorder.select_events(AUDIT_LOG_ID, gt=3, lte=4)[0]
    event = hub.app.mapper.to_domain_event(stored)
    forged = dataclasses.replace(event, entry={**event.entry, "record": {"n": 99}})
    db.set_state(hub.settings, AUDIT_LOG_ID, 4, hub.app.mapper.to_stored_event(forged).state)
    code, report = verify_cli(capsys)
    assert code == 1
    assert report["first_broken"]["seq"] == 3 and report["first_broken"]["kind"] == "content"
    assert [p["seq"] for p in report["problems"]] == [3]

    # Entry 6: bytes changed without the key: AES-GCM refuses them.
    stored = hub.app.recorder.select_events(AUDIT_LOG_ID, gt=6, lte=7)[0]
    state = bytearray(stored.state)
    state[len(state) // 2] ^= 0xFF
    db.set_state(hub.settings, AUDIT_LOG_ID, 7, bytes(state))
    code, report = verify_cli(capsys)
    assert code == 1
    assert sorted((p["seq"], p["kind"]) for p in report["problems"]) == [
        (3, "content"), (6, "unreadable")]


def test_deleting_the_newest_entries_is_detected_against_the_last_checkpoint(
        hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    trail = fill(hub, 5)
    assert main(["audit", "checkpoint"]) == 0
    trail.commit("test", {"n": 5})
    trail.checkpoint()
    trail.commit("test", {"n": 6})
    capsys.readouterr()
    code, report = verify_cli(capsys)
    assert code == 0 and report["checkpoints"] == 2 and report["last_checkpoint_seq"] == 6

    db.delete_after(hub.settings, AUDIT_LOG_ID, 4)  # keep entries 1-3, of 7
    code, report = verify_cli(capsys)
    assert code == 1
    assert report["first_broken"]["seq"] == 4
    assert report["first_broken"]["kind"] == "truncated"
    assert report["entries"] == 3

    main(["audit", "verify"])
    assert "first broken link is entry 4" in capsys.readouterr().out


def test_a_checkpoint_signed_by_another_key_is_refused(hub: Hub,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    fill(hub, 2)
    checkpoint = audit_trail(hub.app).checkpoint()
    path = AuditConfig.from_settings(hub.settings).checkpoints_file
    forged = {**checkpoint, "hash": "f" * 64, "signature": checkpoint["signature"][::-1]}
    with open(path, "a") as handle:
        handle.write(json.dumps(forged) + "\n")
    code, report = verify_cli(capsys)
    assert code == 1
    assert [p["kind"] for p in report["problems"]] == ["checkpoint-signature"]


def test_nothing_is_released_or_shown_when_the_audit_log_cannot_be_written(hub: Hub) -> None:
    hub.record_samples()
    app = PartnershipHub(env={**hub.settings.store_env, "SQLITE_LOCK_TIMEOUT": "1",
                              "POSTGRES_LOCK_TIMEOUT": "1"})
    with TestClient(create_app(hub.settings, app, hub.engine)) as api:
        with db.store_locked(hub.settings):
            release = api.post("/v1/case-views", json=ASK, headers=hub.headers("wcc-housing"))
            # Each refusal comes within about two lock timeouts (hub/store.py).
            search = api.get("/v1/dpo/disclosures", headers=hub.headers("dpo"))
        assert release.status_code == 503 and "nothing was released" in release.text
        assert "Alex" not in release.text
        # The DPO's view cannot catch up (or the search be logged) under the lock: nothing.
        assert search.status_code == 503 and "nothing" in search.text
        after = api.get("/v1/dpo/disclosures", headers=hub.headers("dpo"))
        assert after.status_code == 200 and after.json() == []
    assert disclosure_rows(app) == [] and len(access_rows(app)) == 1
    app.close()


def test_concurrent_appends_from_two_replicas_keep_one_chain(hub: Hub,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    from concurrent.futures import ThreadPoolExecutor

    other = hub.reopen()  # a second API replica on the same store
    trails = [audit_trail(hub.app), audit_trail(other)]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: trails[i % 2].commit("test", {"n": i}), range(40)))
    other.close()
    code, report = verify_cli(capsys)
    assert code == 0 and report["entries"] == 40
