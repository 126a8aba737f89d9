"""probe12: consent-only recipients (advance-idva, victim-support, mediation-service) take
personal data only with the person's consent (docs/policies.md stage 8; seeds/002 L438,
L1450, L2026)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import Hub


def test_idva_learns_of_a_victims_police_da_incident_without_consent(client: TestClient,
                                                                     seeded: Hub) -> None:
    """Nobody in HASB-1 consented to the IDVA service. Asking for housing's HASB-1 for
    safeguarding, the IDVA is told a police domestic abuse incident CAD-1 about the same
    people exists, when it happened and in which ward (record fields with no subject pass the
    consent rule); an unknown reference gives 404, so the answer also confirms the housing
    case and its link to the police incident."""
    asked = client.post("/v1/case-views", headers=seeded.headers("idva"), json={
        "case": {"agency": "wcc-housing", "ref": "HASB-1"}, "purpose": "safeguarding"})
    assert asked.status_code == 404, asked.json().get("view")
