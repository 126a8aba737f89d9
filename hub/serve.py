"""``hub serve``: a pilot partnership hub on one machine, kept in a data directory, until stopped.

Runs the ingestion worker, the person matcher (``hub matching follow``) and the API, and the
embedded broker unless ``HUB_KAFKA_BOOTSTRAP`` names a real Kafka. What a restart keeps and
what it does not is printed at start (and in README "A pilot on one machine"):

* kept (in the data directory): the event store (every recorded event, person, case, consent),
  the disclosure and access log with its signed checkpoints, the agency and client registry,
  the store's encryption key and the audit signing key;
* not kept, with the embedded broker only: messages on the broker itself (it holds them in
  memory). Stopping drains first: the worker records everything already published before the
  broker stops. Agencies' connectors keep what the broker has not acknowledged in their spool
  and send it again; after a crash (not a stop), `hub-connector replay --since <date>` sends
  again what the broker acknowledged but the hub never recorded (each event is stored once, so
  replaying more than needed is harmless).
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from hub.broker import EmbeddedBroker
from hub.ingest.worker import IngestWorker
from hub.settings import Settings

log = logging.getLogger(__name__)
DRAIN_SECONDS = 30.0

KEPT = ("kept across restarts (in {data}): the event store, the disclosure log and its signed "
        "checkpoints, the registry of agencies and clients, the encryption and audit keys")
NOT_KEPT = ("the embedded broker keeps messages in memory only: stopping drains them into the "
            "store first; after a crash, agencies replay with `hub-connector replay --since`")


def serve(data_dir: Path | None, host: str, port: int, broker_port: int) -> int:
    import os

    import uvicorn

    from hub.admin import ensure_agency_topics
    from hub.api import create_app
    from hub.matching.cli import follow
    from hub.runtime import open_engine, open_hub

    env = dict(os.environ)
    if data_dir is not None:
        env["HUB_DATA_DIR"] = str(data_dir)
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    broker: EmbeddedBroker | None = None
    if not settings.bootstrap_servers:
        broker = EmbeddedBroker(port=broker_port,
                                log_path=settings.data_dir / "broker.log").start()
        # A new, empty cluster: its offsets start at 0 again (hub/settings.py kafka_cluster).
        cluster = "embedded-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        settings = replace(settings, bootstrap_servers=broker.bootstrap_servers,
                           kafka_cluster=cluster, max_poll_interval_ms=10_000,
                           session_timeout_ms=6_000)
        print(f"embedded broker on {broker.bootstrap_servers} (connectors publish here)")
    print(KEPT.format(data=settings.data_dir))
    if broker is not None:
        print(NOT_KEPT)
    published = ensure_agency_topics(settings)
    print(f"agency topics: {', '.join(published) or 'none yet (hub agencies register ...)'}")

    hub = open_hub(settings)
    worker = IngestWorker(settings, hub)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run, args=(stop,), name="worker", daemon=True)
    thread.start()
    matching_stop = threading.Event()
    matcher = threading.Thread(target=follow, args=(settings, hub, matching_stop),
                               name="matcher", daemon=True)
    matcher.start()
    server = uvicorn.Server(uvicorn.Config(create_app(settings, hub, open_engine(settings)),
                                           host=host, port=port, log_level="warning"))
    print(f"API on http://{host}:{port} (OpenAPI at /docs, readiness at /ready); "
          "Ctrl-C or SIGTERM stops it", flush=True)
    # uvicorn stops on SIGINT or SIGTERM, then raises the signal again for the handler that was
    # there before it: these, so that the signal ends the wait and the drain below still runs.
    signal.signal(signal.SIGTERM, lambda *_: None)
    signal.signal(signal.SIGINT, lambda *_: None)
    try:
        server.run()
    finally:
        _drain(worker, stop, thread)
        matching_stop.set()
        matcher.join(15)
        worker.close()
        if broker is not None:
            broker.stop()
        print("stopped", flush=True)
    return 0


def _drain(worker: IngestWorker, stop: threading.Event, thread: threading.Thread) -> None:
    """Let the worker record what the broker holds (lag 0), bounded, then stop it."""
    started = time.monotonic()
    worker.progress_seconds = 0.2
    while time.monotonic() - started < DRAIN_SECONDS and thread.is_alive():
        time.sleep(0.5)
        measured_at, behind = worker.lag
        if measured_at > started and behind == 0:
            break
        if measured_at > started:
            print(f"draining: {behind} message(s) still to record", flush=True)
    stop.set()
    thread.join(15)
