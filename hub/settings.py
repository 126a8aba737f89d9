"""Configuration from the environment, with embedded defaults that need nothing installed.

Event store: SQLite under the data directory unless ``PERSISTENCE_MODULE`` is set, in which
case the ``eventsourcing`` variables (``POSTGRES_DBNAME``, ``POSTGRES_HOST``...) are passed
through exactly as the library reads them. Encryption at rest is always on: the key comes from
``HUB_CIPHER_KEY``; only the embedded default may create one, in the data directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from eventsourcing.cryptography import AESCipher

STORE_VARIABLES = ("PERSISTENCE_MODULE", "SQLITE_DBNAME", "SQLITE_LOCK_TIMEOUT", "POSTGRES_DBNAME",
                   "POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD",
                   "POSTGRES_SCHEMA", "POSTGRES_POOL_SIZE", "POSTGRES_MAX_OVERFLOW",
                   "POSTGRES_CONN_MAX_AGE", "POSTGRES_LOCK_TIMEOUT", "POSTGRES_CONNECT_TIMEOUT",
                   "POSTGRES_PRE_PING", "POSTGRES_MAX_WAITING",
                   "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT", "POSTGRES_STATEMENT_TIMEOUT")
# Every PostgreSQL call has a bounded wait (hub/store.py): seconds to get a connection (each of
# two attempts), to wait for a lock, for one statement, and for an idle transaction.
POSTGRES_BOUNDS = {"POSTGRES_CONNECT_TIMEOUT": "2", "POSTGRES_PRE_PING": "y",
                   "POSTGRES_LOCK_TIMEOUT": "5", "POSTGRES_STATEMENT_TIMEOUT": "30",
                   "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "5"}


class ConfigurationError(RuntimeError):
    """Configuration the hub cannot start with; the message names the variable to set."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    bootstrap_servers: str | None = None
    opa_url: str | None = None
    store_env: dict[str, str] = field(default_factory=dict)
    consumer_group: str = "csp-hub-ingest"
    # How long a group member may take between polls; Tansu also waits about this long for
    # a consumer group's first join, so the embedded default keeps it short.
    max_poll_interval_ms: int = 30_000
    session_timeout_ms: int = 10_000
    # Names the Kafka cluster whose offsets the stored positions refer to. A cluster that
    # starts empty again (`hub serve`'s in-memory broker) gets a new name, so its offsets,
    # which begin at 0 again, are not mistaken for ones already recorded.
    kafka_cluster: str = ""

    def position_source(self, topic: str, partition: int) -> str:
        """The name a partition's position is stored under."""
        prefix = f"{self.kafka_cluster}/" if self.kafka_cluster else ""
        return f"{prefix}{topic}:{partition}"

    def consumer_options(self) -> dict[str, object]:
        return {"max_poll_interval_ms": self.max_poll_interval_ms,
                "session_timeout_ms": self.session_timeout_ms,
                "heartbeat_interval_ms": max(self.session_timeout_ms // 3, 100)}

    @property
    def registry_path(self) -> Path:
        return self.data_dir / "registry.json"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        data_dir = data_dir_from_env(env)
        store = {k: env[k] for k in STORE_VARIABLES if k in env}
        if "PERSISTENCE_MODULE" not in store:
            store["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
            store["SQLITE_DBNAME"] = str(data_dir / "hub.sqlite")
            store.setdefault("SQLITE_LOCK_TIMEOUT", "30")
        elif store["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
            store = {**POSTGRES_BOUNDS, **store}
        # Keep hot aggregates (people seen again and again) in memory; each read still
        # fast-forwards from the store, so a cached copy is never stale.
        store.setdefault("AGGREGATE_CACHE_MAXSIZE", env.get("HUB_AGGREGATE_CACHE", "10000"))
        store["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        store["CIPHER_KEY"] = _cipher_key(env, data_dir, embedded="SQLITE_DBNAME" in store)
        return cls(data_dir=data_dir, bootstrap_servers=env.get("HUB_KAFKA_BOOTSTRAP"),
                   opa_url=env.get("HUB_OPA_URL"), store_env=store,
                   consumer_group=env.get("HUB_CONSUMER_GROUP", "csp-hub-ingest"),
                   max_poll_interval_ms=int(env.get("HUB_KAFKA_MAX_POLL_INTERVAL_MS", 30_000)),
                   session_timeout_ms=int(env.get("HUB_KAFKA_SESSION_TIMEOUT_MS", 10_000)),
                   kafka_cluster=env.get("HUB_KAFKA_CLUSTER", ""))


def data_dir_from_env(environ: Mapping[str, str] | None = None) -> Path:
    """``HUB_DATA_DIR``, absolute; found without creating anything (Settings.from_env may
    create the embedded store's key in it)."""
    env = os.environ if environ is None else environ
    return Path(env.get("HUB_DATA_DIR", "hub-data")).resolve()


def _cipher_key(env: Mapping[str, str], data_dir: Path, *, embedded: bool) -> str:
    if env.get("HUB_CIPHER_KEY"):
        return env["HUB_CIPHER_KEY"]
    if not embedded:
        raise ConfigurationError(
            "HUB_CIPHER_KEY is not set: the event store is encrypted at rest; generate a key "
            "with `hub keys cipher` and provide it from your secret store")
    key_file = data_dir / "keys" / "store.key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(AESCipher.create_key(num_bytes=32))
    return key_file.read_text().strip()
