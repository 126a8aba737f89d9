"""The production topology restarts what stops: docker-compose.yml (Docker is not available on
the development machines, so this reads the file)."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).parents[2] / "docker-compose.yml"


def test_every_service_restarts_and_the_store_and_api_report_their_health() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {name: s.get("restart") for name, s in services.items()} == dict.fromkeys(
        services, "unless-stopped")
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert "/health" in " ".join(services["api"]["healthcheck"]["test"])
