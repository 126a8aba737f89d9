"""The embedded broker of `hub serve` and `hub demo`: it dies with the hub that started it, and
it refuses a port something else holds rather than quietly talking to it."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hub.broker import BrokerPortInUse, EmbeddedBroker, free_port

HOLDER = """
import sys, time
from hub.broker import EmbeddedBroker
broker = EmbeddedBroker(port=int(sys.argv[1])).start()
print("up", flush=True)
time.sleep(600)
"""


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_killed_hub_leaves_no_broker_behind(tmp_path: Path) -> None:
    port = free_port()
    hub = subprocess.Popen([sys.executable, "-c", HOLDER, str(port)], stdout=subprocess.PIPE,
                           text=True, cwd=Path(__file__).parents[1])
    try:
        assert hub.stdout is not None and hub.stdout.readline().strip() == "up"
        assert listening(port)
        hub.send_signal(signal.SIGKILL)
        hub.wait(10)
        deadline = time.monotonic() + 10
        while listening(port) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not listening(port), "the broker outlived the hub that started it"
    finally:
        if hub.poll() is None:
            hub.kill()


def test_a_port_in_use_is_refused_with_the_way_to_find_the_holder(tmp_path: Path) -> None:
    with EmbeddedBroker(log_path=tmp_path / "first.log") as first:
        second = EmbeddedBroker(port=first.port, log_path=tmp_path / "second.log")
        with pytest.raises(BrokerPortInUse, match=f"ss -ltnp \\| grep {first.port}"):
            second.start()
