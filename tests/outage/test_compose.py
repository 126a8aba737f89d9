"""The production topology: docker-compose.yml restarts what stops, creates its topics, sets every
variable production needs, keeps Kafka's data on its volume, and agrees with the README's
configuration table (Docker is not available on the development machines, so this reads the
file)."""

from __future__ import annotations

import re
import subprocess
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


def dockerignored(pattern_lines: list[str], path: str) -> bool:
    """Docker's rule: a path is left out when a pattern matches it or any directory above it
    (``*`` stays within one directory, ``**`` spans any number)."""
    parts = path.split("/")
    for pattern in pattern_lines:
        regex = re.escape(pattern.strip("/")).replace(r"\*\*/", "(?:.*/)?").replace(
            r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            return True
    return False


def test_the_image_holds_no_secrets_or_stores_but_all_it_installs() -> None:
    lines = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert not any(p.startswith("!") for p in patterns)  # nothing let back in
    for kept_out in ["secrets/audit.pem", "secrets/session-secret", ".venv/bin/python",
                     ".git/HEAD", "hub-data/hub.db", "data/registry.json",
                     "hub/api/__pycache__/app.cpython-311.pyc",
                     "partnership.key", "keys/met-police.pem", "csp_hub.egg-info/PKG-INFO",
                     ".env", "tests/conftest.py", "test-artifacts/log.txt"]:
        assert dockerignored(patterns, kept_out), kept_out
    tracked = subprocess.run(["git", "ls-files", "domain", "hub", "connectors", "policies"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    needed = ["pyproject.toml", "README.md", *tracked]  # what `pip install .` builds from
    assert len(needed) > 50
    assert [path for path in needed if dockerignored(patterns, path)] == []


def test_the_image_user_has_the_fixed_id_the_secrets_are_given_to() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    uid = re.search(r"^ARG HUB_UID=(\d+)$", dockerfile, re.M)
    gid = re.search(r"^ARG HUB_GID=(\d+)$", dockerfile, re.M)
    assert uid and gid, "the hub user's UID and GID are fixed build arguments"
    assert re.search(r'useradd [^\n]*--uid "\$HUB_UID"', dockerfile)
    assert re.search(r'groupadd [^\n]*--gid "\$HUB_GID"', dockerfile)
    assert re.search(r"^USER hub", dockerfile, re.M)
    assert f"chown {uid[1]}:{gid[1]} secrets/" in (ROOT / "docs" / "production.md").read_text()
