"""The panels' JSON API: same service, same policy decisions as the pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from hub.api import create_app
from tests.panels.conftest import Seeded


@pytest.fixture
def client(seeded: Seeded) -> Iterator[TestClient]:
    with TestClient(create_app(seeded.settings, seeded.hub, seeded.engine)) as test_client:
        yield test_client


def h(seeded: Seeded, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {seeded.tokens[name]}", "X-Hub-User": f"{name}.user"}


def test_marac_over_json(client: TestClient, seeded: Seeded) -> None:
    assert client.get("/v1/panels/types").status_code == 401
    types = client.get("/v1/panels/types", headers=h(seeded, "police")).json()
    assert {t["id"] for t in types} == {"marac", "gmap", "hccp", "asb_case_review"}

    chair = h(seeded, "police-chair")
    assert client.get("/v1/panels/marac/suggestions",
                      headers=h(seeded, "police")).status_code == 403
    made = client.post("/v1/panels/marac/suggestions/refer", headers=chair)
    assert made.status_code == 201 and len(made.json()) == 4
    for r in made.json():
        decided = client.post(f"/v1/panels/referrals/{r['referral_id']}/decision",
                              json={"accept": True, "reason": "threshold met"}, headers=chair)
        assert decided.json()["status"] == "accepted"
    again = client.post(f"/v1/panels/referrals/{made.json()[0]['referral_id']}/decision",
                        json={"accept": False, "reason": "no"}, headers=chair)
    assert again.status_code == 409 and again.json()["detail"]["reason"] == "already-decided"
    held_at = (seeded.now + timedelta(days=3)).isoformat()
    meeting = client.post("/v1/panels/meetings", json={"panel_type": "marac",
                                                       "held_at": held_at}, headers=chair)
    mid = meeting.json()["meeting_id"]
    agenda = client.post(f"/v1/panels/meetings/{mid}/agenda", json={}, headers=chair).json()
    assert [i["case"]["ref"] for i in agenda["agenda"]] == ["HASB-1", "HASB-4", "HASB-2",
                                                            "HASB-3"]
    pack = client.get(f"/v1/panels/meetings/{mid}/pack", headers=h(seeded, "housing"))
    assert pack.status_code == 200 and all(c["allowed"] for c in pack.json()["cases"])
    withheld = {w["field"] for w in pack.json()["cases"][0]["withheld"]}
    assert "incident.0.party.1.name" in withheld
    outsider = client.get(f"/v1/panels/meetings/{mid}/pack", headers=h(seeded, "fire"))
    assert outsider.status_code == 403 and "not a member" in outsider.json()["detail"]
    action = client.post(f"/v1/panels/meetings/{mid}/actions", json={
        "case": {"agency": "wcc-housing", "ref": "HASB-1"}, "owner": "wcc-housing",
        "description": "Fit door locks", "due": str(seeded.now.date())}, headers=chair)
    assert action.status_code == 201 and action.json()["status"] == "open"
    tracker = client.get("/v1/panels/actions", headers=h(seeded, "housing")).json()
    assert [a["action_id"] for a in tracker] == [action.json()["action_id"]]

    assert client.get("/v1/panels/access-log", headers=chair).status_code == 403
    log = client.get("/v1/panels/access-log", headers=h(seeded, "dpo")).json()
    assert any(r["agency"] == "lfb" and not r["allowed"] for r in log)
