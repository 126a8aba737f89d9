"""The production topology: docker-compose.yml restarts what stops, creates its topics, sets every
variable production needs, keeps Kafka's data on its volume, mounts secrets read-only, gives each
replica a host port, and agrees with the README's configuration table both ways; the image holds
no secrets (Docker is not available on the development machines, so this reads the files)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
COMPOSE = ROOT / "docker-compose.yml"
# What a production deployment must set (the rest have defaults that suit it).
PRODUCTION = {"HUB_KAFKA_BOOTSTRAP", "HUB_OPA_URL", "HUB_DATA_DIR", "HUB_CIPHER_KEY",
              "HUB_AUDIT_KEY_FILE", "HUB_SESSION_SECRET", "HUB_PUBLIC_ORIGIN", "HUB_LOG_FORMAT",
              "PERSISTENCE_MODULE", "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_DBNAME",
              "POSTGRES_USER", "POSTGRES_PASSWORD"}
# README variables compose may leave out, and why: every one in the table is in exactly one of
# PRODUCTION, DEFAULT_SUITS and NEVER_IN_PRODUCTION, so a new variable has to be placed.
DEFAULT_SUITS = {
    "HUB_CONSUMER_GROUP": "one hub, one consumer group: the default name serves",
    "HUB_KAFKA_MAX_POLL_INTERVAL_MS": "consumer tuning; the defaults suit the batch sizes",
    "HUB_KAFKA_SESSION_TIMEOUT_MS": "consumer tuning; the defaults suit the batch sizes",
    "HUB_KAFKA_CLUSTER": "set only when the hub moves to a new, empty Kafka cluster",
    "HUB_OVERRIDE_ROLES": "the default is the partnership's break-glass policy",
    "HUB_CONSENT_ROLES": "the default is the partnership's consent policy",
    "HUB_MAX_BODY_BYTES": "64 KiB holds every request the API takes",
    "HUB_MATCH_LINK_WEIGHT": "the calibrated weights of docs/matching.md",
    "HUB_MATCH_PROPOSE_WEIGHT": "the calibrated weights of docs/matching.md",
    "HUB_PANEL_TYPES": "the packaged panel types unless a partnership adds its own",
    "HUB_AUDIT_CHECKPOINT_EVERY": "checkpoint cadence of docs/audit.md",
    "HUB_AUDIT_CHECKPOINT_SECONDS": "checkpoint cadence of docs/audit.md",
    "HUB_AGGREGATE_CACHE": "memory tuning per process",
    "HUB_SUBJECT_KEY_SCHEMA": "the event store's own schema is the default",
}
NEVER_IN_PRODUCTION = {
    "HUB_ALLOW_HTTP_SESSIONS": "sends the session cookie over plain http: local demo and tests",
    "HUB_PARTNERSHIP_KEY": "connectors only; the hub never holds the partnership key",
}
HUB_SERVICES = ("topics", "worker", "matcher", "api")  # built from this repository
SECRETS = "/run/secrets"


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


def readme_table() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme[readme.index("## Configuration"):readme.index("## A pilot on one machine")]


def postgres_variables() -> set[str]:
    """The POSTGRES_* names eventsourcing.postgres or the hub itself reads: what the README's
    ``POSTGRES_*`` row stands for (a misspelt one, say POSTGRES_DB, would be silently unused)."""
    import eventsourcing.postgres
    sources = [Path(eventsourcing.postgres.__file__), *ROOT.glob("hub/**/*.py")]
    return {name for path in sources
            for name in re.findall(r"\b(POSTGRES_[A-Z_]+)\b", path.read_text())}


def test_every_variable_the_code_reads_is_documented() -> None:
    documented = set(re.findall(r"`(HUB_[A-Z_]+)`", readme_table()))
    used = set()
    for path in [*ROOT.glob("hub/**/*.py"), *ROOT.glob("connectors/**/*.py")]:
        used |= set(re.findall(r"\b(HUB_[A-Z_]+)\b", path.read_text()))
    assert used <= documented, f"read by the code but not in README: {sorted(used - documented)}"


def test_every_variable_compose_sets_for_the_hub_is_in_the_readme_table() -> None:
    table = readme_table()
    assert "`PERSISTENCE_MODULE`, `POSTGRES_*`" in table
    documented = set(re.findall(r"`((?:HUB|POSTGRES)_[A-Z_]+|PERSISTENCE_MODULE)`", table))
    postgres = postgres_variables()
    found = services()
    for name in HUB_SERVICES:
        env = set(found[name]["environment"])
        undocumented = {v for v in env - documented
                        if not (v.startswith("POSTGRES_") and v in postgres)}
        assert undocumented == set(), (name, sorted(undocumented))


def test_every_variable_production_needs_is_set_in_compose() -> None:
    table = set(re.findall(r"`(HUB_[A-Z_]+)`", readme_table()))
    placed = {v for v in PRODUCTION if v.startswith("HUB_")} | set(DEFAULT_SUITS) | set(
        NEVER_IN_PRODUCTION)
    assert table == placed, ("README and this test disagree: place", sorted(table ^ placed))
    found = services()
    for name in HUB_SERVICES:
        env = found[name]["environment"]
        assert set(env) >= PRODUCTION, (name, sorted(PRODUCTION - set(env)))
        assert not set(env) & set(NEVER_IN_PRODUCTION), name
        assert env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
    hub_env = found["api"]["environment"]
    postgres = found["postgres"]["environment"]
    assert hub_env["POSTGRES_HOST"] == "postgres" and hub_env["POSTGRES_PORT"] == "5432"
    assert hub_env["POSTGRES_DBNAME"] == postgres["POSTGRES_DB"]  # the database it creates
    assert hub_env["POSTGRES_USER"] == postgres["POSTGRES_USER"]
    assert hub_env["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD}"  # the same secret, not a value


def test_hub_services_restart_and_replicas_have_a_host_port_each() -> None:
    found = services()
    for name in ("api", "worker", "matcher"):
        assert found[name].get("restart") in {"unless-stopped", "always"}, name
    for name, service in found.items():
        replicas = int(service.get("deploy", {}).get("replicas", 1))
        for port in service.get("ports", []):
            if not isinstance(port, dict) and ":" not in str(port):
                continue  # a container port only: the host picks a free one per replica
            published = (str(port.get("published", "")) if isinstance(port, dict)
                         else str(port).rsplit(":", 1)[0].rsplit(":", 1)[-1])
            if not published:
                continue  # an ephemeral host port: no clash between replicas
            low, _, high = published.partition("-")
            width = int(high or low) - int(low) + 1
            assert width >= replicas, (f"{name}: {replicas} replicas cannot share the "
                                       f"{width} host port(s) {published}")


def test_the_secrets_are_mounted_read_only_where_the_audit_key_is_read() -> None:
    found = services()
    for name in HUB_SERVICES:
        key_file = found[name]["environment"]["HUB_AUDIT_KEY_FILE"]
        assert key_file.startswith(SECRETS + "/")
        mounts = [v for v in found[name].get("volumes", [])
                  if (v.get("target") if isinstance(v, dict) else v.split(":")[1]) == SECRETS]
        if name == "topics":  # creates topics only: it never signs, so it gets no secrets
            assert mounts == []
            continue
        assert len(mounts) == 1, name
        mount = mounts[0]
        read_only = (mount.get("read_only") is True if isinstance(mount, dict)
                     else mount.split(":")[2:] == ["ro"])
        assert read_only, f"{name} mounts {SECRETS} writable"


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
