"""``hub audit ...``: verify the chain, sign a checkpoint, make a key."""

from __future__ import annotations

import argparse
import json

from hub.audit import keys
from hub.audit.config import AuditConfig
from hub.settings import Settings


def run(args: argparse.Namespace) -> int:
    if args.sub == "keygen":
        key = keys.generate(args.key_file)
        print(f"audit key written to {args.key_file} (mode 0600); public key:")
        print(keys.public_text(key))
        return 0
    from hub.audit.chain import audit_trail
    from hub.audit.verify import verify_configured
    from hub.runtime import open_hub

    settings = Settings.from_env()
    config = AuditConfig.from_settings(settings)
    hub = open_hub(settings)
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
