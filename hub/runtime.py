"""Wiring: build the application, policy engine and servers from settings (the adapters' root)."""

from __future__ import annotations

import threading
import time
from typing import Self

import uvicorn

from hub.api import create_app
from hub.application import PartnershipHub
from hub.broker import free_port, wait_for_port
from hub.policy import PolicyEngine, load_engine
from hub.settings import Settings


def open_hub(settings: Settings) -> PartnershipHub:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return PartnershipHub(env=settings.store_env)


def open_engine(settings: Settings) -> PolicyEngine:
    return load_engine(settings.opa_url)


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
