"""``hub api`` processes under concurrent clients: disclosures per second and latency.

The API runs as its own process(es), started with the production command, so that the
clients (threads here, each with one keep-alive connection, the standard library's light
HTTP client) do not share an interpreter lock with the server they measure.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Self

from hub.broker import free_port

ROOT = Path(__file__).resolve().parents[1]
SERVE = "import sys; from hub.cli import main; sys.exit(main(sys.argv[1:]))"
OWN_PREFIXES = ("HUB_", "POSTGRES_", "SQLITE_", "PERSISTENCE_MODULE")


class ApiProcesses:
    """``count`` API processes over the store ``env`` names; their logs go to ``log_dir``."""

    def __init__(self, env: dict[str, str], count: int, log_dir: Path) -> None:
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(OWN_PREFIXES)},
                    **env}
        self.count, self.log_dir = count, log_dir
        self.urls: list[tuple[str, int]] = []
        self._procs: list[tuple[subprocess.Popen[bytes], IO[bytes]]] = []

    def __enter__(self) -> Self:
        try:
            for _ in range(self.count):  # one at a time: the first creates the tables
                port = free_port()
                log = open(self.log_dir / f"api-{port}.log", "wb")
                proc = subprocess.Popen(
                    [sys.executable, "-c", SERVE, "api", "--host", "127.0.0.1", "--port",
                     str(port)], env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
                self._procs.append((proc, log))
                self._wait(proc, port)
                self.urls.append(("127.0.0.1", port))
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait(self, proc: subprocess.Popen[bytes], port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"hub api exited ({proc.returncode}); see "
                                   f"{self.log_dir}/api-{port}.log")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError(f"hub api did not listen on {port} within {timeout} s")

    def cpu_seconds(self) -> float:
        """CPU time the API processes have used so far (Linux /proc; 0 elsewhere)."""
        total = 0
        for proc, _log in self._procs:
            try:
                fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                return 0.0
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *_: object) -> None:
        for proc, _log in self._procs:
            proc.terminate()
        for proc, log in self._procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            log.close()
        self._procs = []


@dataclass
class Point:
    clients: int
    processes: int
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    server_cpu_ms_per_request: float
    server_cores_busy: float  # the API processes' CPU time over the elapsed time
    load_average: float  # the machine's, other users' work included

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def drive(api: ApiProcesses, headers: dict[str, str], body: dict[str, Any], clients: int,
          seconds: float) -> Point:
    """``clients`` threads, client ``i`` on the ``i % n``-th API process, each sending one
    request after another for ``seconds``."""
    urls = api.urls
    payload = json.dumps(body).encode()
    sent = {**headers, "Content-Type": "application/json"}
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def client(host: str, port: int) -> None:
        conn = http.client.HTTPConnection(host, port, timeout=120)
        mine: list[float] = []
        failed = 0
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            conn.request("POST", "/v1/case-views", payload, sent)
            answer = conn.getresponse()
            answer.read()
            if answer.status == 200:
                mine.append(time.perf_counter() - began)
            else:
                failed += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client, args=urls[i % len(urls)])
               for i in range(clients)]
    for thread in threads:
        thread.start()
    cpu = api.cpu_seconds()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = api.cpu_seconds() - cpu
    ordered = sorted(latencies) or [0.0]
    return Point(clients=clients, processes=len(urls), requests=len(latencies),
                 errors=errors[0], seconds=round(elapsed, 2),
                 per_second=round(len(latencies) / elapsed, 1),
                 p50_ms=round(ordered[len(ordered) // 2] * 1000, 1),
                 p99_ms=round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
                              1),
                 server_cpu_ms_per_request=round(cpu * 1000 / max(1, len(latencies)), 1),
                 server_cores_busy=round(cpu / elapsed, 2), load_average=os.getloadavg()[0])
