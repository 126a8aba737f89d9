"""The production topology: docker-compose.yml restarts what stops, creates its topics, sets every
variable production needs, keeps Kafka's data on its volume, and agrees with the README's
configuration table (Docker is not available on the development machines, so this reads the
file)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
COMPOSE = ROOT / "docker-compose.yml"
# What a production deployment must set (the rest have defaults that suit it).
PRODUCTION = {"HUB_KAFKA_BOOTSTRAP", "HUB_OPA_URL", "HUB_DATA_DIR", "HUB_CIPHER_KEY",
              "HUB_AUDIT_KEY_FILE", "HUB_SESSION_SECRET", "HUB_PUBLIC_ORIGIN",
              "PERSISTENCE_MODULE", "POSTGRES_HOST", "POSTGRES_DBNAME", "POSTGRES_USER",
              "POSTGRES_PASSWORD"}


def services() -> dict:  # type: ignore[type-arg]
    return dict(yaml.safe_load(COMPOSE.read_text())["services"])


def test_every_service_restarts_and_the_store_and_api_report_their_health() -> None:
    found = services()
    long_running = {name for name in found if name != "topics"}
    assert {name: found[name].get("restart") for name in long_running} == dict.fromkeys(
        long_running, "unless-stopped")
    assert found["topics"]["restart"] == "on-failure"  # runs once per start, then exits
    assert "pg_isready" in found["postgres"]["healthcheck"]["test"]
    assert "/ready" in " ".join(found["api"]["healthcheck"]["test"])
    assert "kafka-broker-api-versions" in " ".join(found["kafka"]["healthcheck"]["test"])


def test_topics_are_created_before_the_workers_start_and_kafka_keeps_its_data() -> None:
    found = services()
    assert found["topics"]["command"] == ["hub", "topics", "ensure"]
    assert found["worker"]["depends_on"]["topics"] == {
        "condition": "service_completed_successfully"}
    kafka = found["kafka"]
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    log_dir = kafka["environment"]["KAFKA_LOG_DIRS"]
    assert any(v.endswith(":" + log_dir) for v in kafka["volumes"])  # KRaft data on the volume
    assert "CLUSTER_ID" in kafka["environment"]
    assert "--bundle" in found["opa"]["command"]


def test_every_variable_production_needs_is_set_and_documented() -> None:
    found = services()
    for name in ("worker", "api", "topics"):
        env = found[name]["environment"]
        assert set(env) >= PRODUCTION, (name, PRODUCTION - set(env))
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Configuration"):readme.index("## A pilot on one machine")]
    documented = set(re.findall(r"`(HUB_[A-Z_]+)`", table))
    used = set()
    for path in [*ROOT.glob("hub/**/*.py"), *ROOT.glob("connectors/**/*.py")]:
        used |= set(re.findall(r"\b(HUB_[A-Z_]+)\b", path.read_text()))
    assert used <= documented, f"read by the code but not in README: {sorted(used - documented)}"
    in_compose = {k for k in found["api"]["environment"] if k.startswith("HUB_")}
    assert in_compose <= documented, sorted(in_compose - documented)
