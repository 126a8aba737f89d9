"""Wiring: build the application, policy engine and servers from settings (the adapters' root)."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from typing import Self

import uvicorn

from hub.api import create_app
from hub.application import PartnershipHub
from hub.broker import free_port, wait_for_port
from hub.policy import PolicyEngine, load_engine
from hub.settings import Settings
from hub.store import STORE_ERRORS, StoreUnavailable, backoff

log = logging.getLogger(__name__)


def open_hub(settings: Settings, *, patience: float | None = None) -> PartnershipHub:
    """The application over the configured store.

    A store that is down, or that another process is setting up at this moment (the library
    creates tables and records its ``__migration__`` marker without a lock, so the second of
    two processes starting together fails), is tried again with backoff, each attempt logged:
    for ever unless ``patience`` (seconds) is given, then StoreUnavailable.
    """
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for attempt in itertools.count(1):
        try:
            return PartnershipHub(env=settings.store_env)
        except STORE_ERRORS as exc:
            delay = backoff(attempt)
            if patience is not None and time.monotonic() + delay - started > patience:
                raise StoreUnavailable(f"the event store could not be opened: {exc}") from exc
            log.warning("event store not ready (attempt %d: %s: %s); trying again in %.1fs",
                        attempt, type(exc).__name__, exc, delay)
            time.sleep(delay)
    raise AssertionError("unreachable")


def open_engine(settings: Settings) -> PolicyEngine:
    """The configured policy engine, checked once at start: a problem is logged plainly here, and
    every decision is refused (with the same reason) until the engine can answer."""
    engine = load_engine(settings.opa_url)
    problem = engine.check()
    if problem:
        log.error("policy engine %s cannot decide yet, nothing will be released: %s",
                  engine.name, problem)
    else:
        log.info("policy engine %s ready with bundle %s", engine.name, engine.bundle_revision)
    return engine


class ApiServer:
    """uvicorn in a background thread, on a free loopback port unless told otherwise."""

    def __init__(self, settings: Settings, hub: PartnershipHub, engine: PolicyEngine,
                 host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host, self.port = host, port or free_port()
        config = uvicorn.Config(create_app(settings, hub, engine), host=host, port=self.port,
                                log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        wait_for_port(self.port)
        return self

    def __exit__(self, *_: object) -> None:
        self._server.should_exit = True
        deadline = time.monotonic() + 10
        while self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
