"""Disclosure latency with the audit write included, and ``hub audit verify`` time.

    python bench/audit.py [--requests 200] [--entries 1000000] [--postgres]

1. Real HTTP against ``hub.runtime.ApiServer``: ``POST /v1/case-views`` for the demo case (three
   incidents, two agencies, 58 fields), measured from request to response; each one builds the
   view, asks the policy, stores the Disclosure and its audit chain entry in one transaction.
   At 1 client (sequential) and at 20 concurrent clients (threads, one HTTP connection each).
2. ``verify`` over a log of ``--entries`` entries. Building 1,000,000 entries through the API
   would take hours, so they are written in bulk through the same ``AuditLog.append`` code path
   (same canonical JSON, same hashing, same encrypted events), saved 10,000 per transaction,
   each entry a realistically sized disclosure record stored beside its Disclosure event (as
   the API stores them). Then the whole chain, and every record against it, is verified.
SQLite (the embedded default) unless ``--postgres`` (database ``test`` on 127.0.0.1).
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Tracking

from connectors.csv_cases import read_cases
from connectors.csv_incidents import read_incidents
from domain.model.audit import AuditLog
from domain.model.disclosure import Disclosure
from hub.application import PartnershipHub
from hub.audit.chain import audit_trail
from hub.audit.config import AuditConfig
from hub.audit.verify import verify_configured
from hub.policy import load_engine
from hub.registry import Registry
from hub.runtime import ApiServer
from hub.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "hub" / "demo_data"
ASK = {"case": {"agency": "wcc-asb", "ref": "CASE-2026-0042"}, "purpose": "asb_case_management"}


def settings_for(data_dir: Path, postgres: bool) -> Settings:
    env = {"HUB_DATA_DIR": str(data_dir), "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32)}
    if postgres:
        import psycopg
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect("host=127.0.0.1 dbname=test user=postgres", autocommit=True) as c:
            c.execute(f"CREATE SCHEMA {schema}")
        env.update({"PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_DBNAME": "test",
                    "POSTGRES_HOST": "127.0.0.1", "POSTGRES_PORT": "5432",
                    "POSTGRES_USER": "postgres", "POSTGRES_PASSWORD": "",
                    "POSTGRES_SCHEMA": schema, "POSTGRES_POOL_SIZE": "25"})
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50 * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms   (n={len(ordered)})"


def latency(settings: Settings, requests: int) -> None:
    hub = PartnershipHub(env=settings.store_env)
    key = secrets.token_bytes(32)
    envelopes = [*read_incidents(SAMPLES / "met-police-incidents.csv", agency="met-police",
                                 partnership_key=key),
                 *read_incidents(SAMPLES / "wcc-asb-incidents.csv", agency="wcc-asb",
                                 partnership_key=key),
                 *read_cases(SAMPLES / "wcc-asb-cases.csv", agency="wcc-asb",
                             partnership_key=key)]
    for n, envelope in enumerate(envelopes, 1):
        hub.record_agency_event(envelope, Tracking("bench:0", n))
    registry = Registry()
    registry.register_agency("wcc-housing", "wcc-housing", None)
    token = registry.create_client("wcc-housing", "case_officer")
    registry.save(settings.registry_path)
    headers = {"Authorization": f"Bearer {token}", "X-Hub-User": "bench"}

    with ApiServer(settings, hub, load_engine()) as server:
        def client_run(n: int, out: list[float]) -> None:
            with httpx.Client(base_url=server.url, timeout=60) as http:
                for _ in range(n):
                    started = time.perf_counter()
                    answer = http.post("/v1/case-views", json=ASK, headers=headers)
                    out.append(time.perf_counter() - started)
                    assert answer.status_code == 200, answer.text

        client_run(10, [])  # warm up
        for clients in (1, 20):
            samples: list[float] = []
            per_client = max(requests // clients, 5) if clients > 1 else requests
            threads = [threading.Thread(target=client_run, args=(per_client, samples))
                       for _ in range(clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            print(f"disclosure, {clients:2d} client(s): {percentiles(samples)}   "
                  f"{len(samples) / elapsed:6.1f} disclosures/s")
    report = verify_configured(hub, AuditConfig.from_settings(settings))
    assert report.ok, report.summary()
    print(f"  chain after the run: {report.entries} entries, verified OK")
    hub.close()


def record_like(i: int) -> dict[str, Any]:
    paths = [f"incident.{n}.party.0.name" for n in range(20)]
    return {"requester": {"user": "h.officer", "agency": "wcc-housing", "role": "case_officer"},
            "recipient": "wcc-housing", "purpose": "asb_case_management",
            "record_kind": "case_view", "record_ref": f"wcc-asb:CASE-{i:07d}",
            "subjects": [f"mk1:{i:064x}"], "decision_id": uuid.uuid4().hex, "allowed": True,
            "released": paths, "withheld": {}, "gateways": [], "consent_ids": [],
            "agreement": "swp-isp", "reasons": [], "bundle_revision": "sha256:" + "a" * 64,
            "engine": "regorus", "released_categories": ["identity", "incident"],
            "suppliers": ["met-police", "wcc-asb"], "requested_at": "2026-11-23T10:00:00Z",
            "requested": [{"path": p, "category": "identity", "supplier": "met-police"}
                          for p in paths], "withheld_categories": [], "justification": "",
            "necessity": "", "special_category_condition": None, "referral": None,
            "override": None}


def verify_time(settings: Settings, entries: int, batch: int = 10_000) -> None:
    hub = PartnershipHub(env={**settings.store_env, "AGGREGATE_CACHE_MAXSIZE": ""})
    log = AuditLog()
    started = time.perf_counter()
    written = 0
    while written < entries:
        records = []
        for i in range(written, min(entries, written + batch)):
            record = record_like(i)
            records.append(Disclosure(**record))  # verify checks each against its entry
            log.append({"kind": "disclosure", "ref": str(records[-1].id),
                        "at": "2026-11-23T10:00:00Z", "record": record})
        hub.save(*records, log)
        written = log.seq
    built = time.perf_counter() - started
    print(f"built {written:,} entries in bulk in {built:.1f} s")
    trail = audit_trail(hub, AuditConfig.from_settings(settings))
    trail.checkpoint()
    report = verify_configured(hub, trail.config)
    assert report.ok and report.entries == entries, report.summary()
    print(f"hub audit verify, {report.entries:,} entries + {report.checkpoints} checkpoint: "
          f"{report.seconds:.1f} s ({report.entries / report.seconds:,.0f} entries/s)")
    hub.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"store: {'PostgreSQL' if args.postgres else 'SQLite'}")
        if not args.skip_latency:
            latency(settings_for(Path(tmp) / "latency", args.postgres), args.requests)
        if args.entries:
            verify_time(settings_for(Path(tmp) / "verify", args.postgres), args.entries)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
