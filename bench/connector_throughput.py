"""Connector throughput: noise complaints from a CSV file to acknowledged by the broker.

    python bench/connector_throughput.py [--rows 100000]

Runs the real path with the spool on, exactly as ``hub-connector run`` does: read, map,
validate locally, compute match keys, sign (Ed25519), spool (SQLite) while a second thread
sends with the idempotent producer and marks each event sent after the broker's
acknowledgement. The broker is the embedded Tansu on a loopback port; the hub is not involved.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from connectors import keys
from connectors.publisher import SpoolSender, agency_topic
from connectors.registry import CONNECTORS
from connectors.runner import spool_and_send
from connectors.samples.generate import write_noise
from connectors.spool import Spool
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    agency = "wcc-noise"
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker() as broker:
        work = Path(tmp)
        source = work / "noise.csv"
        write_noise(source, args.rows)
        ensure_topics(broker.bootstrap_servers, [agency_topic(agency)])
        key = keys.generate(work / "agency.pem")
        with Spool(work / "agency.spool") as spool:
            sender = SpoolSender(spool, broker.bootstrap_servers, agency)
            sender.drain()  # connect first, so the figure is the steady state
            started = time.perf_counter()
            result, sent = spool_and_send(CONNECTORS["noise-csv"], source, agency=agency,
                                          partnership_key=secrets.token_bytes(32), key=key,
                                          spool=spool, sender=sender,
                                          rejects_path=work / "rejects.jsonl")
            finished = time.perf_counter()
            sender.close()
            status = spool.status()
    assert status.pending == 0 and sent == result.spooled == args.rows, (status, result)
    total = finished - started
    print(f"noise-csv, {args.rows:,} rows, spool on: {total:.1f} s file -> acknowledged, "
          f"{args.rows / total:,.0f} records/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
