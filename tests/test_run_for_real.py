"""Running the hub as an operator would, with the installed commands in their own processes:
the README's production walkthrough from an empty directory (the bundled broker standing in for
Kafka), and `hub serve` stopped and started again over its kept data directory."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from hub.broker import EmbeddedBroker, free_port

SAMPLES = Path(__file__).parents[1] / "hub" / "demo_data"
CASE = {"agency": "wcc-asb", "ref": "CASE-2026-0042"}
BIN = Path(sys.executable).parent


def run(env: dict[str, str], *argv: str) -> str:
    """One command as an operator types it; its output (it must succeed)."""
    done = subprocess.run([str(BIN / argv[0]), *argv[1:]], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, f"{' '.join(argv)}: {done.stdout}\n{done.stderr}"
    return done.stdout


@contextmanager
def background(env: dict[str, str], log: Path, *argv: str) -> Iterator[subprocess.Popen[str]]:
    with log.open("w") as out:
        process = subprocess.Popen([str(BIN / argv[0]), *argv[1:]], env=env, stdout=out,
                                   stderr=subprocess.STDOUT, text=True)
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def wait_ready(url: str, process: subprocess.Popen[str], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/ready", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url}/ready never answered 200:\n{log.read_text()}")


def ask(url: str, token: str, purpose: str = "asb_case_management") -> httpx.Response:
    return httpx.post(f"{url}/v1/case-views", json={"case": CASE, "purpose": purpose},
                      headers={"Authorization": f"Bearer {token}", "X-Hub-User": "h.officer"},
                      timeout=30)


def wait_released(url: str, token: str, incidents: int, timeout: float = 90) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    answer: httpx.Response | None = None
    while time.monotonic() < deadline:
        answer = ask(url, token)
        if answer.status_code == 200 and len(answer.json()["view"].get("incident", {})) \
                >= incidents:
            return dict(answer.json())
        time.sleep(1)
    raise AssertionError(f"the case view never showed {incidents} incidents: "
                         f"{answer.text if answer else ''}")


def publish(env: dict[str, str], work: Path, bootstrap: str, agency: str, kind: str,
            sample: str, *, text: str | None = None) -> None:
    source = work / f"{sample}.csv"
    source.write_text(text if text is not None else (SAMPLES / f"{sample}.csv").read_text())
    run(env, "hub-connector", "run", kind, "--source", str(source), "--agency", agency,
        "--key-file", str(work / f"{agency}.pem"), "--bootstrap", bootstrap,
        "--partnership-key-file", str(work / "partnership.key"))


def operator_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HUB_", "POSTGRES_", "PERSISTENCE_", "SQLITE_"))}
    return {**env, "HUB_DATA_DIR": str(tmp_path / "hub-data"), "HUB_ALLOW_HTTP_SESSIONS": "1"}


@pytest.mark.slow
def test_the_production_walkthrough_from_an_empty_directory(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    with EmbeddedBroker(log_path=tmp_path / "broker.log") as broker:  # stands in for Kafka
        env["HUB_KAFKA_BOOTSTRAP"] = broker.bootstrap_servers
        run(env, "hub", "keys", "partnership", "--out", str(work / "partnership.key"))
        env["HUB_CIPHER_KEY"] = run(env, "hub", "keys", "cipher").strip()
        run(env, "hub", "audit", "keygen", "--key-file", str(tmp_path / "audit.pem"))
        env["HUB_AUDIT_KEY_FILE"] = str(tmp_path / "audit.pem")
        for agency in ("met-police", "wcc-asb"):
            key = run(env, "hub-connector", "keys", "init", "--key-file",
                      str(work / f"{agency}.pem")).strip().splitlines()[-1]
            out = run(env, "hub", "agencies", "register", agency, "--public-key", key)
            assert f"registered agency {agency}" in out
        assert "hub.deadletter._unknown" in run(env, "hub", "topics", "ensure")
        housing = run(env, "hub", "clients", "create", "wcc-housing", "--role",
                      "case_officer").strip().splitlines()[-1]
        gp = run(env, "hub", "clients", "create", "gp-practice-x", "--role",
                 "safeguarding_lead").strip().splitlines()[-1]
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with background(env, tmp_path / "worker.log", "hub", "worker") as worker, \
                background(env, tmp_path / "api.log", "hub", "api", "--port", str(port)) as api:
            wait_ready(url, api, tmp_path / "api.log")
            for agency, kind, sample in (("met-police", "incidents-csv", "met-police-incidents"),
                                         ("wcc-asb", "incidents-csv", "wcc-asb-incidents"),
                                         ("wcc-asb", "cases-csv", "wcc-asb-cases")):
                publish(env, work, broker.bootstrap_servers, agency, kind, sample)
            released = wait_released(url, housing, incidents=3)
            assert released["view"]["case"]["ref"] == CASE["ref"]
            refused = ask(url, gp, "safeguarding")
            assert refused.status_code == 404
            assert worker.poll() is None
        assert "joined group" in (tmp_path / "worker.log").read_text()
        verified = subprocess.run([str(BIN / "hub"), "audit", "verify"], env=env,
                                  capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        assert "OK: every entry" in verified.stdout
        entries = int(re.search(r"audit log: (\d+) entries", verified.stdout).group(1))
        assert entries >= 2  # at least the release and the refusal (and the polls before)


@pytest.mark.slow
def test_hub_serve_stops_and_starts_again_over_its_kept_data(tmp_path: Path) -> None:
    env = operator_env(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    run(env, "hub", "keys", "partnership", "--out", str(work / "partnership.key"))
    for agency in ("met-police", "wcc-asb"):
        key = run(env, "hub-connector", "keys", "init", "--key-file",
                  str(work / f"{agency}.pem")).strip().splitlines()[-1]
        run(env, "hub", "agencies", "register", agency, "--public-key", key)
    housing = run(env, "hub", "clients", "create", "wcc-housing", "--role",
                  "case_officer").strip().splitlines()[-1]
    port, broker_port = free_port(), free_port()
    url, bootstrap = f"http://127.0.0.1:{port}", f"127.0.0.1:{broker_port}"
    serve = ("hub", "serve", "--port", str(port), "--broker-port", str(broker_port))

    with background(env, tmp_path / "serve-1.log", *serve) as first:
        wait_ready(url, first, tmp_path / "serve-1.log")
        for agency, kind, sample in (("met-police", "incidents-csv", "met-police-incidents"),
                                     ("wcc-asb", "incidents-csv", "wcc-asb-incidents"),
                                     ("wcc-asb", "cases-csv", "wcc-asb-cases")):
            publish(env, work, bootstrap, agency, kind, sample)
        before = wait_released(url, housing, incidents=3)
        first.send_signal(signal.SIGTERM)
        assert first.wait(60) == 0
    log = (tmp_path / "serve-1.log").read_text()
    assert "kept across restarts" in log and "stopped" in log

    with background(env, tmp_path / "serve-2.log", *serve) as second:
        wait_ready(url, second, tmp_path / "serve-2.log")
        kept = ask(url, housing)
        assert kept.status_code == 200  # the store, registry and keys survived the restart
        assert kept.json()["view"] == before["view"]
        # The new broker starts its offsets at 0 again: a new incident is still recorded.
        police = (SAMPLES / "met-police-incidents.csv").read_text().splitlines()
        header, row = police[0], police[1]
        publish(env, work, bootstrap, "met-police", "incidents-csv", "met-police-incidents",
                text="\n".join([header, row.replace("MP-24-0001", "MP-24-0099", 1)]) + "\n")
        wait_released(url, housing, incidents=4)
