"""Running a connector: read, map, validate, sign, spool, send; rejects to the agency's file."""

from __future__ import annotations

import csv
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Self

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.publisher import SpoolSender
from connectors.spool import Spool
from connectors.toolkit import ConnectorSpec, Reject, map_records
from domain.contract.envelope import Envelope, sign

REJECT_COLUMNS = ("source", "row", "ref", "field", "reason")


class RejectsFile:
    """The agency's own rejects file: JSON Lines, or CSV if the name ends ``.csv``.

    Rewritten on each run, so it always lists what the latest run of that source could not send
    (and removed after a run with none).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._handle: IO[str] | None = None
        self._csv: csv.DictWriter[str] | None = None

    def _open(self) -> IO[str]:
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("w", newline="", encoding="utf-8")
            if self.path.suffix.lower() == ".csv":
                self._csv = csv.DictWriter(self._handle, fieldnames=REJECT_COLUMNS)
                self._csv.writeheader()
        return self._handle

    def write(self, reject: Reject) -> None:
        handle = self._open()
        row = asdict(reject)
        if self._csv is not None:
            self._csv.writerow({k: row[k] for k in REJECT_COLUMNS})
        else:
            handle.write(json.dumps({k: row[k] for k in REJECT_COLUMNS},
                                    ensure_ascii=False) + "\n")
        handle.flush()
        self.count += 1

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
        else:  # a clean run: no rejects file left over from an earlier run
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def read_rejects(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        if path.suffix.lower() == ".csv":
            return list(csv.DictReader(handle))
        return [json.loads(line) for line in handle if line.strip()]


@dataclass
class SpoolResult:
    read: int = 0
    spooled: int = 0      # new in the spool (a re-read of the same export adds nothing)
    rejected: int = 0


def spool_envelopes(items: Iterable[Envelope | Reject], *, spool: Spool,
                    key: Ed25519PrivateKey, rejects: RejectsFile | None,
                    batch: int = 1000) -> SpoolResult:
    """Sign and spool envelopes (idempotent on event id); write rejects to the agency's file."""
    result = SpoolResult()
    pending: list[tuple[str, str, bytes]] = []
    refused: list[Reject] = []
    for item in items:
        result.read += 1
        if isinstance(item, Reject):
            result.rejected += 1
            refused.append(item)
            if rejects is not None:
                rejects.write(item)
            continue
        signed = sign(item, key)
        pending.append((signed.id, signed.subject, signed.to_bytes()))
        if len(pending) >= batch:
            result.spooled += spool.add(pending)
            pending = []
    result.spooled += spool.add(pending)
    spool.add_rejects(refused)
    return result


def spool_source(spec: ConnectorSpec, source: Path, *, agency: str, partnership_key: bytes,
                 key: Ed25519PrivateKey, spool: Spool, rejects_path: Path) -> SpoolResult:
    with RejectsFile(rejects_path) as rejects:
        return spool_envelopes(map_records(spec, source, agency=agency,
                                           partnership_key=partnership_key),
                               spool=spool, key=key, rejects=rejects)


def _fingerprint(path: Path) -> tuple[float, int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return stat.st_mtime, stat.st_size


def watch(spec: ConnectorSpec, source: Path, *, agency: str, partnership_key: bytes,
          key: Ed25519PrivateKey, spool: Spool, sender: SpoolSender, rejects_path: Path,
          interval: float = 5.0, stop: threading.Event | None = None) -> None:
    """Re-read ``source`` whenever it changes and keep the spool drained, until ``stop``.

    Agencies' systems usually rewrite a whole export: re-reading it is cheap because only
    new record versions enter the spool.
    """
    stop = stop or threading.Event()
    seen: tuple[float, int] | None = None
    while not stop.is_set():
        current = _fingerprint(source)
        if current is not None and current != seen:
            # Wait for the writer to finish: the file must be unchanged for a moment.
            time.sleep(min(interval, 0.5))
            if _fingerprint(source) == current:
                spool_source(spec, source, agency=agency, partnership_key=partnership_key,
                             key=key, spool=spool, rejects_path=rejects_path)
                seen = current
        sender.drain(stop=stop)
        stop.wait(interval)


def spool_and_send(spec: ConnectorSpec, source: Path, *, agency: str, partnership_key: bytes,
                   key: Ed25519PrivateKey, spool: Spool, sender: SpoolSender,
                   rejects_path: Path, stop: threading.Event | None = None
                   ) -> tuple[SpoolResult, int]:
    """Spool ``source`` while a second thread sends what is already spooled.

    Returns the spool result and how many events the broker acknowledged. If the broker is
    away the sender keeps retrying while reading continues; ``stop`` ends both, leaving
    whatever is unsent pending in the spool for the next run.
    """
    stop = stop or threading.Event()
    finished = threading.Event()
    acknowledged = 0
    failure: list[BaseException] = []

    def send() -> None:
        nonlocal acknowledged
        try:
            while not stop.is_set():
                was_finished = finished.is_set()
                acknowledged += sender.drain(stop=stop)
                if was_finished:
                    return
                finished.wait(0.2)
        except BaseException as exc:  # surfaced in the caller's thread
            failure.append(exc)

    thread = threading.Thread(target=send, name="spool-sender", daemon=True)
    thread.start()
    try:
        result = spool_source(spec, source, agency=agency, partnership_key=partnership_key,
                              key=key, spool=spool, rejects_path=rejects_path)
    finally:
        finished.set()
        while thread.is_alive():
            thread.join(0.5)
    if failure:
        raise failure[0]
    return result, acknowledged
