"""Erasure by crypto-shredding: afterwards the person's name, date of birth and address cannot
be read from the event store, snapshots, views, the API or a backup; the audit log still
counts the disclosures about them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from eventsourcing.persistence import StoredEvent, Tracking
from fastapi.testclient import TestClient

from connectors.csv_cases import read_cases
from connectors.csv_incidents import read_incidents
from domain.model import ids
from hub.application import PartnershipHub
from hub.audit.queries import disclosure_rows
from hub.cli import main
from hub.views.case_view import build_case_view
from hub.views.caseload import CaseloadView
from hub.views.location_view import LocationView
from hub.views.person_view import PersonView
from hub.views.timeline import TimelineView
from tests.audit import db
from tests.audit.conftest import Hub

QUILL = ("Quill Umberlee", "1977-07-07", "9 Pickle Mews", "W9 9ZZ")
# Quill's special category and offence data: sealed with the identifiers, gone with them.
QUILL_SENSITIVE = ("Quillish heritage", "quill-related anxiety", "Quill forgery")
ALEX = "Alex Sample"
CASE_REF = "CASE-2026-0077"
INCIDENTS_CSV = (
    "incident_ref,version,occurred_at,reported_at,category,summary,channel,address,postcode,"
    "ward,victim_name,victim_dob,perpetrator_name,perpetrator_dob,domestic_abuse,"
    "confidentiality,victim_ethnicity,victim_health,victim_previous_offences\n"
    "MP-24-0900,1,2026-10-01T21:00:00Z,2026-10-01T21:05:00Z,verbal_abuse_harassment,"
    "Shouting in the stairwell,phone,9 Pickle Mews,W9 9ZZ,Westbourne,Quill Umberlee,"
    "1977-07-07,,,,standard,Quillish heritage,Mental health: quill-related anxiety,"
    "Quill forgery:convicted:2020-01-01\n")
CASES_CSV = (
    "case_ref,version,opened_at,category,summary,lead_officer,triage_tier,address,postcode,ward,"
    "victim_name,victim_dob,perpetrator_name,perpetrator_dob,incident_refs\n"
    f"{CASE_REF},1,2026-10-02T09:00:00Z,verbal_abuse_harassment,Harassment on the stairwell,"
    "T. Officer,tier2_priority,9 Pickle Mews,W9 9ZZ,Westbourne,Quill Umberlee,1977-07-07,,,"
    "met-police:MP-24-0900\n")


def record_quill(hub: Hub, tmp_path: Path) -> None:
    (tmp_path / "i.csv").write_text(INCIDENTS_CSV)
    (tmp_path / "c.csv").write_text(CASES_CSV)
    envelopes = [*read_incidents(tmp_path / "i.csv", agency="met-police",
                                 partnership_key=hub.partnership_key),
                 *read_cases(tmp_path / "c.csv", agency="wcc-asb",
                             partnership_key=hub.partnership_key)]
    for n, envelope in enumerate(envelopes, 1):
        hub.app.record_agency_event(envelope, Tracking("tests-quill:0", n))


def decoded_store(app: PartnershipHub, settings: Any) -> str:
    """Every stored event and snapshot, decrypted and decoded with the hub's own mapper."""
    texts = []
    if db.is_sqlite(settings):
        conn = sqlite3.connect(app.env["SQLITE_DBNAME"])
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                             "'table' AND sql LIKE '%state%'")]
        rows = [r for t in tables for r in conn.execute(
            f"SELECT originator_id, originator_version, topic, state FROM {t}")]
        conn.close()
    else:
        import psycopg

        from tests.stores import POSTGRES_DSN
        schema = settings.store_env["POSTGRES_SCHEMA"]
        with psycopg.connect(POSTGRES_DSN) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.columns WHERE table_schema = %s "
                "AND column_name = 'state'", (schema,))]
            rows = [r for t in tables for r in conn.execute(
                f"SELECT originator_id, originator_version, topic, state FROM {schema}.{t}")]
    assert len(rows) > 20
    for originator_id, version, topic, state in rows:
        event = app.mapper.to_domain_event(StoredEvent(originator_id, version, topic,
                                                       bytes(state)))
        texts.append(repr(vars(event)))
    return "\n".join(texts)


def views_text(app: PartnershipHub) -> str:
    return "\n".join(repr(view.rebuild(app).view.state())
                     for view in (PersonView, TimelineView, CaseloadView, LocationView))


def assert_gone(text: str) -> None:
    for value in QUILL + QUILL_SENSITIVE:
        assert value not in text, value


def test_an_erased_person_cannot_be_read_anywhere_and_the_log_still_counts(
        hub: Hub, api: TestClient, tmp_path: Path) -> None:
    hub.record_samples()
    record_quill(hub, tmp_path)
    case_id = ids.case_id("wcc-asb", CASE_REF)
    hub.app.take_snapshot(case_id)
    ask = {"case": {"agency": "wcc-asb", "ref": CASE_REF}, "purpose": "asb_case_management"}
    made = [api.post("/v1/case-views", json=ask, headers=hub.headers(client))
            for client in ("wcc-housing", "wcc-housing", "met-police")]
    assert all(m.status_code == 200 for m in made), made[0].text
    assert all(value in made[0].text for value in QUILL)  # really there before
    case = hub.app.case("wcc-asb", CASE_REF)
    assert case is not None
    quill = case.parties[0]["match_key"]
    fresh = hub.reopen()
    before = decoded_store(fresh, hub.settings)
    assert all(v in before for v in (QUILL[0], *QUILL_SENSITIVE))  # readable, with the key
    fresh.close()
    backup = tmp_path / "backup.sqlite"
    if db.is_sqlite(hub.settings):
        with sqlite3.connect(hub.settings.store_env["SQLITE_DBNAME"]) as live, \
                sqlite3.connect(backup) as copy:
            live.backup(copy)

    erased = api.post("/v1/dpo/erasures", json={"match_key": quill, "reason": "Art 17 #12"},
                      headers=hub.headers("dpo", "the.dpo"))
    assert erased.status_code == 200 and erased.json()["keys_destroyed"] == 1

    after = api.post("/v1/case-views", json=ask, headers=hub.headers("wcc-housing"))
    assert after.status_code == 200 and "case" in after.json()["view"]
    assert_gone(after.text)
    view = build_case_view(hub.app, "wcc-asb", CASE_REF)
    assert view is not None
    assert_gone(repr([f.value for f in view.fields(view.case.opened_at.date())]))

    fresh = hub.reopen()  # another process: nothing cached
    store_text = decoded_store(fresh, hub.settings)
    assert_gone(store_text)
    assert ALEX in store_text  # everyone else is still readable
    views = views_text(fresh)
    assert_gone(views)
    fresh.close()
    raw = db.raw_bytes(hub.settings)
    keys_file = Path(hub.settings.store_env.get("SQLITE_DBNAME", "/nonexistent")).with_name(
        "hub-subject-keys.sqlite")
    if keys_file.exists():
        raw += keys_file.read_bytes()
    assert_gone(raw.decode("latin-1"))

    if db.is_sqlite(hub.settings):  # a backup from before, read with today's keys
        restored = PartnershipHub(env={**hub.settings.store_env,
                                       "SQLITE_DBNAME": str(backup)})
        restored.mapper.transcoder.keys = hub.app.mapper.transcoder.keys  # type: ignore[attr-defined]
        backup_text = decoded_store(restored, SimpleNamespace(store_env=restored.env))
        assert_gone(backup_text)
        assert ALEX in backup_text
        restored.close()

    sar = api.get(f"/v1/dpo/subject-access/{quill}", headers=hub.headers("dpo")).json()
    assert [e["disclosure_id"] for e in sar["disclosures"]][:3] == [
        m.json()["disclosure_id"] for m in made]
    assert len([r for r in disclosure_rows(hub.app) if quill in r["subjects"]]) == 4
    verified = api.get("/v1/dpo/audit/verify", headers=hub.headers("dpo")).json()
    assert verified["ok"], verified


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_erasure_from_the_command_line(hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    hub.record_samples()
    case = hub.app.case("wcc-asb", "CASE-2026-0042")
    assert case is not None
    key = case.parties[0]["match_key"]
    assert main(["audit", "erase", key, "--reason", "retention period ended",
                 "--by", "the.dpo"]) == 0
    assert "1 key(s) destroyed" in capsys.readouterr().out
    fresh = hub.reopen()
    erased = fresh.case("wcc-asb", "CASE-2026-0042")
    assert erased is not None and erased.parties[0]["name"] is None
    assert erased.parties[1]["name"] == "Jordan Fictional"
    assert erased.location["address"] == "Flat 3 Example House"  # Jordan's record too
    fresh.close()
    assert main(["audit", "verify"]) == 0
