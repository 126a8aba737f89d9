"""``hub``: run the hub's parts and administer its registry."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from pathlib import Path

from hub import admin
from hub.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hub", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--data-dir", dest="hub_data_dir", type=Path, metavar="DIR",
                        help="the hub's data directory for any command (sets HUB_DATA_DIR)")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run everything on embedded defaults and show a view")
    demo.add_argument("--data-dir", type=Path)
    worker = sub.add_parser("worker", help="run an ingestion worker until stopped")
    worker.add_argument("--metrics-host", default="127.0.0.1",
                        help="address for the worker's /metrics (default 127.0.0.1)")
    worker.add_argument("--metrics-port", type=int, default=None,
                        help="serve Prometheus metrics on this port (operator token required)")
    serve = sub.add_parser("serve", help="a pilot hub on one machine (broker, worker, API) "
                                         "over a kept data directory, until stopped")
    serve.add_argument("--data-dir", type=Path, help="default: HUB_DATA_DIR, else ./hub-data")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--broker-port", type=int, default=9092,
                       help="the embedded broker's port, when HUB_KAFKA_BOOTSTRAP is unset")
    api = sub.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8000)
    admin.add_commands(sub)
    _add_audit_commands(sub)
    from hub.matching.cli import add_commands as add_matching_commands
    add_matching_commands(sub)
    from hub.views.cli import add_commands as add_view_commands
    add_view_commands(sub)
    args = parser.parse_args(argv)
    if args.hub_data_dir is not None:
        os.environ["HUB_DATA_DIR"] = str(args.hub_data_dir.resolve())
    from hub import logs
    serving = args.command in {"worker", "api", "serve"}
    logs.configure(logging.INFO if args.verbose or serving else logging.WARNING)

    if args.command == "demo":
        from hub.demo import run
        return run(args.data_dir)
    if args.command == "serve":
        from hub.serve import serve
        return serve(args.data_dir, args.host, args.port, args.broker_port)
    if args.command in {"agencies", "clients", "keys", "topics"}:
        return admin.run(args)
    if args.command == "audit":
        from hub.audit.cli import run as run_audit
        return run_audit(args)
    settings = Settings.from_env()
    from hub.runtime import open_engine, open_hub
    hub = open_hub(settings)
    if args.command == "views":
        from hub.views.cli import run as run_views
        return run_views(hub, args)
    if args.command == "matching":
        from hub.matching.cli import run as run_matching
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        return run_matching(settings, hub, args, stop)
    if args.command == "worker":
        from hub.ingest.worker import IngestWorker
        worker = IngestWorker(settings, hub)
        if args.metrics_port is not None:
            from hub.ingest.metrics_server import serve_metrics
            serve_metrics(args.metrics_host, args.metrics_port, settings.registry_path)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        try:
            worker.run(stop)
        finally:
            worker.close()
        return 0
    import uvicorn

    from hub.api import create_app
    uvicorn.run(create_app(settings, hub, open_engine(settings)), host=args.host, port=args.port)
    return 0


def _add_audit_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = sub.add_parser("audit", help="the disclosure and access log (hash chain)")
    commands = audit.add_subparsers(dest="sub", required=True)
    verify = commands.add_parser("verify", help="check the whole chain and every checkpoint")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    commands.add_parser("checkpoint", help="sign a checkpoint of the chain head now")
    keygen = commands.add_parser("keygen", help="create an audit signing key (Ed25519)")
    keygen.add_argument("--key-file", type=Path, required=True)
    erase = commands.add_parser("erase", help="erase a person by destroying their key")
    erase.add_argument("match_key")
    erase.add_argument("--reason", required=True)
    erase.add_argument("--by", required=True, help="the DPO's name, for the audit log")


if __name__ == "__main__":
    raise SystemExit(main())
