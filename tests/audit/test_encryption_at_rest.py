"""The event store is encrypted at rest: the raw database holds no name, date of birth or
address from a recorded record, nor from a disclosure of it or the audit chain."""

from __future__ import annotations

from fastapi.testclient import TestClient

from hub.audit.config import AuditConfig
from tests.audit import db
from tests.audit.conftest import ASK, Hub

PERSONAL = ("Alex Sample", "alex  SAMPLE", "Jordan Fictional", "1990-04-12", "1985-01-30",
            "Example House", "W2 1XX")


def test_raw_store_holds_no_plaintext_personal_data(hub: Hub, api: TestClient) -> None:
    hub.record_samples()
    shared = api.post("/v1/case-views", json=ASK, headers=hub.headers("wcc-housing"))
    assert shared.status_code == 200 and "Alex Sample" in shared.text  # it is really there
    assert api.post("/v1/dpo/audit/checkpoints", headers=hub.headers("dpo")).status_code == 200

    raw = db.raw_bytes(hub.settings)
    assert len(raw) > 10_000
    assert b"CASE-2026-0042" not in raw  # not even the case reference
    checkpoints = AuditConfig.from_settings(hub.settings).checkpoints_file.read_bytes()
    for text in PERSONAL:
        for encoded in (text.encode(), text.encode("utf-16-le")):
            assert encoded not in raw, text
            assert encoded not in checkpoints, text
