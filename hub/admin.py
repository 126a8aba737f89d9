"""``hub agencies``, ``hub clients``, ``hub keys`` and ``hub topics``: the operator's commands.

Each prints what it did and what to do next, and refuses with a message naming the fix (exit
status 2) rather than a traceback. The registry file changes atomically; the worker and the API
read it again within a second, so every change takes effect without a restart.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

from eventsourcing.cryptography import AESCipher

from hub.registry import Registry
from hub.settings import Settings, data_dir_from_env
from policies import bundle

OPERATOR = "operator"  # reaches /metrics only (docs/operations.md); not a policy role


class Refused(Exception):
    """An administrative command that cannot be carried out, with the fix."""


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    agencies = sub.add_parser("agencies", help="agencies that publish events and use the API")
    commands = agencies.add_subparsers(dest="sub", required=True)
    register = commands.add_parser("register", help="register an agency (and its signing key)")
    register.add_argument("agency")
    register.add_argument("--name", default="")
    register.add_argument("--public-key", help="as printed by `hub-connector keys init`")
    commands.add_parser("list", help="every agency, its key and clients")
    rotate = commands.add_parser("rotate-key", help="replace an agency's signing key")
    rotate.add_argument("agency")
    rotate.add_argument("--public-key", required=True)
    rotate.add_argument("--overlap-hours", type=float, default=24.0,
                        help="how long events signed with the old key are still accepted")
    revoke = commands.add_parser("revoke", help="stop an agency publishing and using the API")
    revoke.add_argument("agency")

    clients = sub.add_parser("clients", help="API clients (bearer tokens)")
    commands = clients.add_subparsers(dest="sub", required=True)
    create = commands.add_parser("create", help="issue an API client token for an agency")
    create.add_argument("agency")
    create.add_argument("--role", required=True)
    listing = commands.add_parser("list", help="every client: id, agency, role, created")
    listing.add_argument("--agency")
    for name, text in (("rotate", "issue a new token for a client (the old one stops)"),
                       ("revoke", "revoke a client's token")):
        commands.add_parser(name, help=text).add_argument("client_id")

    keys = sub.add_parser("keys", help="make the keys a deployment needs")
    commands = keys.add_subparsers(dest="sub", required=True)
    commands.add_parser("cipher", help="print a new event store encryption key "
                                       "(HUB_CIPHER_KEY)")
    partnership = commands.add_parser(
        "partnership", help="write a new partnership key (every signatory's connectors use "
                            "the same one to compute match keys)")
    partnership.add_argument("--out", type=Path, required=True)

    topics = sub.add_parser("topics", help="Kafka topics")
    topics.add_subparsers(dest="sub", required=True).add_parser(
        "ensure", help="create every registered agency's topic and dead-letter topic")


def run(args: argparse.Namespace) -> int:
    try:
        if args.command == "keys":
            return _keys(args)
        # Only the registry and the broker: nothing is created in the data directory (the
        # store's key is made by the processes that open the store).
        settings = Settings(data_dir=data_dir_from_env(),
                            bootstrap_servers=os.environ.get("HUB_KAFKA_BOOTSTRAP"))
        if args.command == "topics":
            return _topics(settings)
        registry = Registry.load(settings.registry_path)
        changed = (_agencies if args.command == "agencies" else _clients)(registry, args)
        if changed:
            registry.save(settings.registry_path)
            if args.command == "agencies" and args.sub == "register" \
                    and settings.bootstrap_servers:
                _topics(settings)
        return 0
    except (Refused, KeyError, ValueError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"hub {args.command} {args.sub}: {text}", file=sys.stderr)
        return 2


def _agencies(registry: Registry, args: argparse.Namespace) -> bool:
    if args.sub == "list":
        for agency in sorted(registry.agencies.values(), key=lambda a: a.id):
            clients = sum(1 for c in registry.clients.values() if c.agency == agency.id)
            state = (f"revoked {agency.revoked_at}" if agency.revoked_at else
                     f"key {agency.public_key[:12]}..." if agency.public_key else
                     "no signing key (uses the API only)")
            older = f", {len(agency.previous_keys)} older key(s)" if agency.previous_keys else ""
            print(f"{agency.id}\t{agency.name}\t{state}{older}\t{clients} client(s)")
        return False
    if args.sub == "register":
        known = args.agency in bundle().data["hub"]["config"]["agencies"]
        registry.register_agency(args.agency, args.name or _known_name(args.agency),
                                 args.public_key)
        if not known:
            print(f"warning: the policy bundle does not know {args.agency}, so nothing it "
                  "supplies is released to anyone until it is added to "
                  "policies/hub/config/agencies/data.json", file=sys.stderr)
        print(f"registered agency {args.agency}"
              + ("" if args.public_key else " without a signing key (it may use the API but "
                                            "not publish)"))
    elif args.sub == "rotate-key":
        registry.rotate_key(args.agency, args.public_key,
                            timedelta(hours=args.overlap_hours))
        print(f"{args.agency}: new signing key in force; events signed with the old key are "
              f"accepted for {args.overlap_hours:g} more hour(s)")
    else:
        gone = registry.revoke_agency(args.agency)
        print(f"revoked agency {args.agency}: its events are refused (dead-lettered as "
              f"revoked-agency); {len(gone)} API client(s) revoked: {', '.join(gone) or '-'}")
    return True


def _clients(registry: Registry, args: argparse.Namespace) -> bool:
    if args.sub == "list":
        for client in sorted(registry.clients.values(), key=lambda c: c.client_id):
            if args.agency in (None, client.agency):
                print(f"{client.client_id}\t{client.agency}\t{client.role}\t"
                      f"{client.created_at or '-'}")
        return False
    if args.sub == "create":
        _check_role(args.role)
        if args.agency not in registry.agencies:
            registry.register_agency(args.agency, _known_name(args.agency), None)
            print(f"registered partner agency {args.agency} (no signing key: API only)")
        token = registry.create_client(args.agency, args.role)
    elif args.sub == "rotate":
        token = registry.rotate_client(args.client_id)
    else:
        client = registry.revoke_client(args.client_id)
        print(f"revoked client {client.client_id} ({client.agency}, {client.role})")
        return True
    print("client token (shown once; store it in the agency's secret store):")
    print(token)
    return True


def _known_name(agency: str) -> str:
    """The partner's name from the policy bundle; an agency it does not know is refused, since
    no agreement could ever release anything to it."""
    agencies = bundle().data["hub"]["config"]["agencies"]
    if agency not in agencies:
        raise Refused(f"{agency!r} is not a partner agency in the policy bundle "
                      f"(policies/hub/config/agencies/data.json); known: "
                      f"{', '.join(sorted(agencies))}")
    return str(agencies[agency]["name"])


def _check_role(role: str) -> None:
    roles = set(bundle().data["hub"]["config"]["roles"]) | {OPERATOR}
    if role not in roles:
        raise Refused(f"unknown role {role!r}; roles: {', '.join(sorted(roles))}")


def _keys(args: argparse.Namespace) -> int:
    if args.sub == "cipher":
        print(AESCipher.create_key(num_bytes=32))
        return 0
    out: Path = args.out
    if out.exists():
        raise Refused(f"{out} exists; a new partnership key would unlink every record made "
                      "with the old one: keep it, or move it away first")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    print(f"wrote a new partnership key to {out} (mode 600): give it to every signatory's "
          "connector operator over a secure channel; the hub itself never needs it")
    return 0


def _topics(settings: Settings) -> int:
    if not settings.bootstrap_servers:
        raise Refused("HUB_KAFKA_BOOTSTRAP is not set: say which Kafka to create topics on")
    print(f"topics in place: {', '.join(ensure_agency_topics(settings))}")
    return 0


def ensure_agency_topics(settings: Settings) -> list[str]:
    """Every publishing agency's topic and dead-letter topic, and the operator's dead-letter
    topic for unregistered agencies; the topics, in order."""
    from domain.contract.deadletter import UNKNOWN_AGENCY_TOPIC, deadletter_topic
    from hub.ingest.topics import ensure_deadletter_topics, ensure_topics
    from hub.ingest.worker import AGENCY_TOPIC_PREFIX

    assert settings.bootstrap_servers
    publishing = sorted(a.id for a in Registry.load(settings.registry_path).agencies.values()
                        if a.public_key and a.revoked_at is None)
    agency_topics = [AGENCY_TOPIC_PREFIX + a for a in publishing]
    letters = [deadletter_topic(a) for a in publishing] + [UNKNOWN_AGENCY_TOPIC]
    ensure_topics(settings.bootstrap_servers, agency_topics)
    ensure_deadletter_topics(settings.bootstrap_servers, letters)
    return agency_topics + letters
