"""``hub-connector``: what an agency's integration engineer runs.

    hub-connector keys init --key-file agency.pem
    hub-connector run police-csv --source export.csv --agency met-police --key-file agency.pem \\
        --bootstrap broker:9092 --partnership-key-file partnership.key [--watch]
    hub-connector run council-webhook --listen 127.0.0.1:8088 --webhook-secret-file secret ...
    hub-connector status --agency met-police --key-file agency.pem
    hub-connector replay --since 2026-01-01 --agency met-police --key-file agency.pem \\
        --bootstrap broker:9092
    hub-connector deadletters --agency met-police --bootstrap broker:9092

Records are read, mapped, validated and signed into a local spool (SQLite, by default beside
the key file) and sent from there, so nothing is lost if the broker is away or the connector is
stopped; records that cannot be mapped go to the agency's rejects file with row, field, reason.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from connectors import keys
from connectors.csv_cases import read_cases
from connectors.csv_incidents import read_incidents
from connectors.publisher import SpoolSender
from connectors.registry import CONNECTORS
from connectors.runner import RejectsFile, spool_and_send, watch
from connectors.spool import Spool
from domain.contract.envelope import Envelope

# Kept for callers of the first version: plain readers of the generic CSV exports.
READERS: dict[str, Callable[..., Iterator[Envelope]]] = {
    "incidents-csv": read_incidents,
    "cases-csv": read_cases,
}


def _partnership_key(path: str | None) -> bytes:
    text = os.environ.get("HUB_PARTNERSHIP_KEY")
    if path:
        text = Path(path).read_text().strip()
    if not text:
        sys.exit("no partnership key: pass --partnership-key-file or set HUB_PARTNERSHIP_KEY "
                 "(hex, the same for every signatory)")
    return bytes.fromhex(text)


def spool_path(args: argparse.Namespace) -> Path:
    if getattr(args, "spool", None):
        return Path(args.spool)
    if not getattr(args, "key_file", None) or not getattr(args, "agency", None):
        sys.exit("pass --spool, or --agency and --key-file (the spool lives beside the key)")
    return Path(args.key_file).parent / f"{args.agency}.spool.sqlite"


def _add_spool_options(parser: argparse.ArgumentParser, *, key_required: bool) -> None:
    parser.add_argument("--agency", required=key_required)
    parser.add_argument("--key-file", required=key_required, type=Path)
    parser.add_argument("--spool", type=Path,
                        help="spool file (default: <agency>.spool.sqlite beside the key file)")


def _bootstrap(args: argparse.Namespace) -> str:
    if not args.bootstrap:
        sys.exit("no broker: pass --bootstrap host:port or set HUB_KAFKA_BOOTSTRAP")
    return str(args.bootstrap)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        return stop
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    return stop


def _print_status(spool: Spool, agency: str) -> None:
    status = spool.status()
    print(f"{agency}: pending {status.pending}, sent {status.sent}, "
          f"rejected {status.rejected}")
    if status.oldest_pending:
        print(f"  oldest pending since {status.oldest_pending}")
    if status.last_sent:
        print(f"  last acknowledged at {status.last_sent}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hub-connector", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log-level", default="WARNING")
    sub = parser.add_subparsers(dest="command", required=True)

    init = sub.add_parser("keys", help="manage the agency signing key").add_subparsers(
        dest="keys_command", required=True).add_parser("init", help="create a key pair")
    init.add_argument("--key-file", required=True, type=Path)

    run = sub.add_parser("run", help="publish a source to the hub through the spool")
    run.add_argument("type", choices=sorted(CONNECTORS))
    run.add_argument("--source", type=Path, help="the export file (CSV, or JSON for webhooks)")
    _add_spool_options(run, key_required=True)
    run.add_argument("--bootstrap", default=os.environ.get("HUB_KAFKA_BOOTSTRAP"))
    run.add_argument("--partnership-key-file")
    run.add_argument("--rejects", type=Path,
                     help="rejects file, .jsonl or .csv (default: beside the spool)")
    run.add_argument("--watch", action="store_true",
                     help="keep running: re-read the source when it changes, keep sending")
    run.add_argument("--interval", type=float, default=5.0, help="--watch poll seconds")
    run.add_argument("--max-backoff", type=float, default=30.0,
                     help="longest wait between retries while the broker is away (seconds)")
    run.add_argument("--listen", help="council-webhook: host:port to receive webhooks on")
    run.add_argument("--webhook-secret-file", type=Path,
                     help="council-webhook: the shared HMAC secret")

    status = sub.add_parser("status", help="pending, sent and rejected counts in the spool")
    _add_spool_options(status, key_required=False)
    status.add_argument("--json", action="store_true")

    replay = sub.add_parser("replay", help="send again everything spooled since a date")
    _add_spool_options(replay, key_required=False)
    replay.add_argument("--since", required=True,
                        help="ISO 8601 date or time; 1970-01-01 re-exports everything")
    replay.add_argument("--bootstrap", default=os.environ.get("HUB_KAFKA_BOOTSTRAP"))

    dead = sub.add_parser("deadletters", help="what the hub refused from this agency, and why")
    dead.add_argument("--agency", required=True)
    dead.add_argument("--bootstrap", default=os.environ.get("HUB_KAFKA_BOOTSTRAP"))
    dead.add_argument("--json", action="store_true", help="one JSON dead letter per line")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.command == "keys":
        key = keys.generate(args.key_file)
        print(f"key written to {args.key_file}; register this public key with the hub:")
        print(keys.public_key_text(key))
        return 0
    if args.command == "status":
        with Spool(spool_path(args)) as spool:
            if args.json:
                print(json.dumps(spool.status().__dict__))
            else:
                _print_status(spool, args.agency or str(spool.path))
        return 0
    if args.command == "deadletters":
        from connectors.deadletters import describe, has_deadletter_topic, read_deadletters

        bootstrap = _bootstrap(args)
        if not has_deadletter_topic(bootstrap, args.agency):
            print(f"{args.agency}: no dead-letter topic on this broker. The hub creates it when "
                  f"it registers {args.agency}; until then events from {args.agency} are refused "
                  "as unknown-agency onto the hub operator's topic hub.deadletter._unknown. Ask "
                  f"the hub operator to run `hub agencies register {args.agency} --public-key "
                  "<key>` (`hub agencies list` shows who is registered).", file=sys.stderr)
            return 1
        count = 0
        for letter in read_deadletters(bootstrap, args.agency):
            count += 1
            print(json.dumps(letter, ensure_ascii=False) if args.json else describe(letter))
        if not args.json:
            print(f"{args.agency}: {count} dead letter(s) on the hub")
        return 0
    if args.command == "replay":
        bootstrap = _bootstrap(args)
        with Spool(spool_path(args)) as spool:
            agency = args.agency or _agency_of(spool)
            requeued = spool.requeue(args.since)
            sender = SpoolSender(spool, bootstrap, agency)
            try:
                sent = sender.drain(stop=_stop_on_signals())
            finally:
                sender.close()
            print(f"{agency}: {requeued} events queued again, {sent} acknowledged by the broker")
        return 0
    return _run(args)


def _agency_of(spool: Spool) -> str:
    first = spool.pending(1) or []
    if first:
        return first[0].event_id.split(":", 1)[0]
    sys.exit("pass --agency")


def _run(args: argparse.Namespace) -> int:
    bootstrap = _bootstrap(args)
    spec = CONNECTORS[args.type]
    if args.source is None and not (args.type == "council-webhook" and args.listen):
        sys.exit("pass --source (or, for council-webhook, --listen)")
    key = keys.load(args.key_file)
    partnership_key = _partnership_key(args.partnership_key_file)
    stop = _stop_on_signals()
    with Spool(spool_path(args)) as spool:
        sender = SpoolSender(spool, bootstrap, args.agency, max_backoff=args.max_backoff)
        try:
            if args.listen:
                return _serve_webhook(args, spool, sender, key, partnership_key, stop)
            rejects_path = args.rejects or spool.path.parent / (
                f"{args.agency}-{args.source.stem}.rejects.jsonl")
            if args.watch:
                watch(spec, args.source, agency=args.agency, partnership_key=partnership_key,
                      key=key, spool=spool, sender=sender, rejects_path=rejects_path,
                      interval=args.interval, stop=stop)
                return 0
            result, sent = spool_and_send(spec, args.source, agency=args.agency,
                                          partnership_key=partnership_key, key=key,
                                          spool=spool, sender=sender,
                                          rejects_path=rejects_path, stop=stop)
        finally:
            sender.close()
        status = spool.status()
    print(f"{args.agency}: {sent} events from {args.source} acknowledged by the broker "
          f"({result.read} records read, {result.spooled} new, {result.rejected} rejected; "
          f"spool: {status.pending} pending, {status.sent} sent)")
    if result.rejected:
        print(f"{args.agency}: {result.rejected} record(s) rejected, see {rejects_path}")
    return 0 if status.pending == 0 else 1


def _serve_webhook(args: argparse.Namespace, spool: Spool, sender: SpoolSender, key: object,
                   partnership_key: bytes, stop: threading.Event) -> int:
    from connectors.council_webhook import WebhookReceiver

    if args.webhook_secret_file is None:
        sys.exit("pass --webhook-secret-file (the HMAC secret shared with the case system)")
    host, _, port = args.listen.rpartition(":")
    rejects_path = args.rejects or spool.path.parent / f"{args.agency}-webhook.rejects.jsonl"
    with RejectsFile(rejects_path) as rejects:
        receiver = WebhookReceiver(
            host=host or "127.0.0.1", port=int(port), agency=args.agency,
            secret=args.webhook_secret_file.read_bytes().strip(), key=key,  # type: ignore[arg-type]
            partnership_key=partnership_key, spool=spool, sender=sender, rejects=rejects)
        receiver.start()
        print(f"{args.agency}: receiving case webhooks on {receiver.url}", flush=True)
        stop.wait()
        receiver.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
