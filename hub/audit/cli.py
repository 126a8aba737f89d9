"""``hub audit ...``: verify the chain, sign a checkpoint, make a key."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hub.audit import keys
from hub.audit.config import AuditConfig
from hub.settings import Settings, data_dir_from_env

STORE_PATIENCE_S = 10.0


FIX = "set HUB_DATA_DIR (and the store variables) to those the hub's API and worker run with"


def _settings_of_existing_store(sub: str) -> Settings | None:
    """The settings, or None (having said why) if there is no store to work on: opening one
    would create it empty, and an empty log verifies."""
    data_dir = data_dir_from_env()
    if not data_dir.is_dir():
        print(f"hub audit {sub}: the data directory {data_dir} does not exist; {FIX}",
              file=sys.stderr)
        return None
    settings = Settings.from_env()
    sqlite = settings.store_env.get("SQLITE_DBNAME")
    if sqlite and not Path(sqlite).is_file():
        print(f"hub audit {sub}: there is no event store at {sqlite}; {FIX}", file=sys.stderr)
        return None
    return settings


def run(args: argparse.Namespace) -> int:
    if args.sub == "keygen":
        key = keys.generate(args.key_file)
        print(f"audit key written to {args.key_file} (mode 0600); public key:")
        print(keys.public_text(key))
        return 0
    from hub.audit.chain import audit_trail
    from hub.audit.verify import verify_configured
    from hub.runtime import open_hub
    from hub.store import StoreUnavailable

    settings = _settings_of_existing_store(args.sub)
    if settings is None:
        return 2
    config = AuditConfig.from_settings(settings)
    try:
        hub = open_hub(settings, patience=STORE_PATIENCE_S)
    except StoreUnavailable as exc:
        print(f"hub audit {args.sub}: {exc}", file=sys.stderr)
        return 2
    try:
        if args.sub == "erase":
            from hub.audit.erasure import erase_subject
            done = erase_subject(hub, {"user": args.by, "agency": "cli", "role": "dpo"},
                                 args.match_key, args.reason)
            print(f"erased: {done['keys_destroyed']} key(s) destroyed for {args.match_key}")
            return 0
        if args.sub == "checkpoint":
            doc = audit_trail(hub, config).checkpoint()
            print(f"checkpoint signed at entry {doc['seq']} ({doc['hash']})")
            return 0
        report = verify_configured(hub, config)
        print(json.dumps(report.as_dict(), indent=2) if args.json else report.summary())
        return 0 if report.ok else 1
    finally:
        hub.close()
