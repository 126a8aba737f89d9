"""HUB_LOG_FORMAT=json: one JSON object per line, with time, level, logger and message as
separate fields and whatever the code passes with ``extra=`` (agency, topic, partition,
offset) as fields of their own, so a log collector indexes them without parsing messages."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from kafka import KafkaProducer

from hub.broker import EmbeddedBroker
from hub.logs import JsonLines
from tests.outage.conftest import make_partnership

ROOT = Path(__file__).parents[1]


def test_a_record_is_one_line_with_its_extra_fields() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLines())
    log = logging.getLogger("hub.test_logs")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("first line\nsecond line", extra={"agency": "met-police", "offset": 7,
                                                       "level": "not the level"})
        try:
            raise ValueError("broken")
        except ValueError:
            log.exception("failed at %s", "the end", extra={"topic": "hub.agency.x"})
    finally:
        log.removeHandler(handler)
        log.propagate = True
    lines = stream.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "first line\nsecond line"
    assert first["level"] == "WARNING" and first["logger"] == "hub.test_logs"
    assert first["agency"] == "met-police" and first["offset"] == 7
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert "msg" not in first and "args" not in first  # no LogRecord internals
    assert second["level"] == "ERROR" and second["message"] == "failed at the end"
    assert second["topic"] == "hub.agency.x"
    assert "ValueError: broken" in second["exception"]


def test_the_worker_logs_json_lines_with_the_position_of_each_dead_letter(
        tmp_path: Path, broker: EmbeddedBroker) -> None:
    partnership = make_partnership(tmp_path, broker.bootstrap_servers, {})
    producer = KafkaProducer(bootstrap_servers=broker.bootstrap_servers)
    producer.send("hub.agency.met-police", b"not json").get(30)
    producer.close()
    env = {**os.environ, **partnership.env, "HUB_LOG_FORMAT": "json"}
    worker = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], cwd=ROOT, env=env,
                              stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(worker.stderr.readline, "")),
                              daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        while not any('"dead-lettered' in line for line in lines):
            assert worker.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        reader.join(10)
    records = [json.loads(line) for line in lines]  # every line, not only the hub's own
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    letter = next(r for r in records if r["message"].startswith("dead-lettered"))
    assert letter["level"] == "WARNING" and letter["logger"] == "hub.ingest.worker"
    assert {k: letter.get(k) for k in ("agency", "topic", "reason", "offset")} == {
        "agency": "met-police", "topic": "hub.agency.met-police", "reason": "malformed-json",
        "offset": 0}  # the only message on its partition
    assert isinstance(letter["partition"], int)
    assert f'hub.agency.met-police:{letter["partition"]}@0' in letter["message"]
    resumed = [r for r in records if "resumes at offset" in r["message"]]
    assert resumed and all(isinstance(r["offset"], int) and r["topic"].startswith("hub.")
                           for r in resumed)
