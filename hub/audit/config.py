"""Audit configuration, read from the environment next to the hub's own settings.

- ``HUB_AUDIT_KEY_FILE``: the Ed25519 private key (PEM) that signs checkpoints of the chain
  head. Default ``<data dir>/keys/audit.pem``, created with mode 0600, for the embedded SQLite
  store only; required otherwise (``hub audit keygen --key-file PATH``).
- ``HUB_AUDIT_CHECKPOINT_EVERY`` (1000) / ``HUB_AUDIT_CHECKPOINT_SECONDS`` (300): sign a
  checkpoint after that many new entries, or when the last one is older than that.
- ``HUB_OVERRIDE_ROLES``: comma-separated client roles that may release under an override
  (break-glass). Default ``police_officer,safeguarding_lead,panel_chair``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hub.settings import ConfigurationError, Settings

NO_KEY = ("HUB_AUDIT_KEY_FILE is not set: audit checkpoints are signed with the hub's audit "
          "key; generate one with `hub audit keygen --key-file PATH` and provide it")

DEFAULT_OVERRIDE_ROLES = ("police_officer", "safeguarding_lead", "panel_chair")


@dataclass(frozen=True)
class AuditConfig:
    data_dir: Path
    key_file: Path | None  # None: no key configured, so checkpoints cannot be signed
    may_create_key: bool
    checkpoint_every: int = 1000
    checkpoint_seconds: float = 300.0

    def require_key_file(self) -> Path:
        if self.key_file is None:
            raise ConfigurationError(NO_KEY)
        return self.key_file

    @property
    def checkpoints_file(self) -> Path:
        return self.data_dir / "audit" / "checkpoints.jsonl"

    @classmethod
    def from_settings(cls, settings: Settings, environ: Mapping[str, str] | None = None
                      ) -> AuditConfig:
        env = os.environ if environ is None else environ
        embedded = "SQLITE_DBNAME" in settings.store_env
        key_file = env.get("HUB_AUDIT_KEY_FILE")
        if key_file:
            path: Path | None = Path(key_file)
        elif embedded:
            path = settings.data_dir / "keys" / "audit.pem"
        else:
            path = None
        return cls(data_dir=settings.data_dir, key_file=path, may_create_key=not key_file,
                   checkpoint_every=int(env.get("HUB_AUDIT_CHECKPOINT_EVERY", 1000)),
                   checkpoint_seconds=float(env.get("HUB_AUDIT_CHECKPOINT_SECONDS", 300)))


def override_roles(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    env = os.environ if environ is None else environ
    raw = env.get("HUB_OVERRIDE_ROLES")
    if raw is None:
        return frozenset(DEFAULT_OVERRIDE_ROLES)
    return frozenset(r.strip() for r in raw.split(",") if r.strip())
