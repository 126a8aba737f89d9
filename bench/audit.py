"""Disclosures under load, a cold replica's first disclosure on a long audit chain, and
``hub audit verify`` time: each figure printed with its baseline from the same run.

    python bench/audit.py [--stores sqlite,postgres] [--clients 1,20,50] [--seconds 6]
                          [--entries 1000000] [--cold-stores postgres] [--verify]
                          [--json PATH]

1. Throughput: real HTTP against ``hub api`` processes (the production command, each its own
   process), ``POST /v1/case-views`` for the demo case (three incidents, two agencies); each
   request builds the view, asks the policy, stores the Disclosure and its audit chain entry
   in one transaction (concurrent ones share it: hub/audit/group_commit.py). For each store,
   1, 20 and 50 concurrent clients (threads in this process, one keep-alive connection each)
   for ``--seconds`` each: disclosures/s against 1 client, p50 and p99 latency. On PostgreSQL
   also two API processes on the one store (clients split between them) against one.
2. Cold replica: a chain of ``--entries`` entries written in bulk (bench/audit_bulk.py), then
   disclosures through the hub's own path until the most entries a process can find after the
   latest snapshot (99) follow it. A new application object (a new process: nothing cached)
   makes one disclosure, timed, then warm ones; the baseline is the warm median. The events it
   read from the chain are counted.
3. With ``--verify``: ``hub audit verify`` over that chain, every record and checkpoint.

Targets (issue 13): 20 clients >= 3x one client on PostgreSQL with p99 <= 250 ms; a cold
replica's first disclosure <= 100 ms. ``main(argv)`` returns the figures as a dict (and
writes them as JSON with ``--json``). PostgreSQL is 127.0.0.1:5432, database ``test``; each
run uses a scratch schema and drops it. Clients and servers share this machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Tracking

from bench.audit_bulk import build_chain, record_like
from bench.audit_load import ApiProcesses, drive
from connectors.csv_cases import read_cases
from connectors.csv_incidents import read_incidents
from domain.model.audit import AUDIT_LOG_ID, AuditLog
from domain.model.disclosure import Disclosure
from hub.application import PartnershipHub
from hub.audit import keys
from hub.audit.chain import AuditTrail, audit_trail
from hub.audit.config import AuditConfig
from hub.audit.verify import verify_configured
from hub.policy import PolicyEngine, load_engine
from hub.registry import Registry
from hub.settings import Settings
from hub.sharing import Requester, disclose_case_view
from tests.stores import count_reads, scratch_schema

SAMPLES = Path(__file__).resolve().parents[1] / "hub" / "demo_data"
ASK = {"case": {"agency": "wcc-asb", "ref": "CASE-2026-0042"}, "purpose": "asb_case_management"}
OFFICER = Requester("bench", "wcc-housing", "case_officer")
TARGETS = {"postgres_20_clients_vs_1": 3.0, "postgres_20_clients_p99_ms": 250.0,
           "cold_first_disclosure_ms": 100.0}


@contextmanager
def store(kind: str, root: Path) -> Iterator[dict[str, str]]:
    """The environment of a new, empty store of ``kind``, with an audit key."""
    root.mkdir(parents=True, exist_ok=True)
    key_file = root / "audit.pem"
    keys.generate(key_file)
    env = {"HUB_DATA_DIR": str(root / "data"), "HUB_CIPHER_KEY":
           AESCipher.create_key(num_bytes=32), "HUB_AUDIT_KEY_FILE": str(key_file)}
    schema: AbstractContextManager[dict[str, str]] = (
        scratch_schema("bench_audit") if kind == "postgres" else nullcontext({}))
    with schema as pg:
        yield {**env, **pg, **({"POSTGRES_POOL_SIZE": "20"} if pg else {})}


def open_app(env: dict[str, str]) -> tuple[Settings, PartnershipHub]:
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings, PartnershipHub(env=settings.store_env)


def record_samples(app: PartnershipHub) -> None:
    key = secrets.token_bytes(32)
    envelopes = [*read_incidents(SAMPLES / "met-police-incidents.csv", agency="met-police",
                                 partnership_key=key),
                 *read_incidents(SAMPLES / "wcc-asb-incidents.csv", agency="wcc-asb",
                                 partnership_key=key),
                 *read_cases(SAMPLES / "wcc-asb-cases.csv", agency="wcc-asb",
                             partnership_key=key)]
    for n, envelope in enumerate(envelopes, 1):
        app.record_agency_event(envelope, Tracking("bench:0", n))


def disclose(app: PartnershipHub, engine: PolicyEngine) -> None:
    disclose_case_view(app, engine, OFFICER, case_agency="wcc-asb", case_ref="CASE-2026-0042",
                       purpose="asb_case_management")


# -- 1. throughput ----------------------------------------------------------------------------

def throughput(kind: str, env: dict[str, str], clients: list[int], seconds: float
               ) -> dict[str, Any]:
    settings, app = open_app(env)
    record_samples(app)
    app.close()
    registry = Registry()
    registry.register_agency("wcc-housing", "wcc-housing", None)
    token = registry.create_client("wcc-housing", "case_officer")
    registry.save(settings.registry_path)
    headers = {"Authorization": f"Bearer {token}", "X-Hub-User": "bench"}
    out: dict[str, Any] = {"one_process": {}, "two_processes": {}}
    with ApiProcesses(env, 1, Path(env["HUB_DATA_DIR"])) as one:
        drive(one, headers, ASK, clients=2, seconds=1.0)  # warm up
        for n in clients:
            out["one_process"][str(n)] = drive(one, headers, ASK, n, seconds).as_dict()
    if kind == "postgres":
        with ApiProcesses(env, 2, Path(env["HUB_DATA_DIR"])) as two:
            drive(two, headers, ASK, clients=4, seconds=1.0)
            for n in (c for c in clients if c > 1):
                out["two_processes"][str(n)] = drive(two, headers, ASK, n,
                                                     seconds).as_dict()
    settings, app = open_app(env)
    report = verify_configured(app, AuditConfig.from_settings(settings, env))
    assert report.ok, report.summary()
    out["chain_entries_verified"] = report.entries
    app.close()
    return out


def _commits(trail: AuditTrail, deadline: float, latencies: list[float]) -> None:
    mine = []
    while time.perf_counter() < deadline:
        record = record_like(0)
        began = time.perf_counter()
        trail.commit("disclosure", record, Disclosure(**record))
        mine.append(time.perf_counter() - began)
    latencies.extend(mine)


def commit_rate(env: dict[str, str], threads: list[int], seconds: float) -> dict[str, Any]:
    """The audit trail alone (no HTTP, no view, no policy): ``commit`` of a realistic
    disclosure record and its Disclosure from 1, 20 and 50 threads of one process."""
    settings, app = open_app(env)
    trail = audit_trail(app)
    out: dict[str, Any] = {}
    for n in threads:
        latencies: list[float] = []
        deadline = time.perf_counter() + seconds
        began = time.perf_counter()
        with ThreadPoolExecutor(n) as pool:
            for _ in range(n):
                pool.submit(_commits, trail, deadline, latencies)
        elapsed = time.perf_counter() - began
        ordered = sorted(latencies)
        out[str(n)] = {"threads": n, "commits": len(ordered),
                       "per_second": round(len(ordered) / elapsed, 1),
                       "p50_ms": round(ordered[len(ordered) // 2] * 1000, 2),
                       "p99_ms": round(ordered[int(len(ordered) * 0.99)] * 1000, 2)}
    report = verify_configured(app, AuditConfig.from_settings(settings, env))
    assert report.ok, report.summary()
    app.close()
    return out


# -- 2. cold replica ----------------------------------------------------------------------------

def progress(entries: int) -> None:
    if entries % 100_000 == 0:
        print(f"  bulk: {entries:,} entries", file=sys.stderr, flush=True)


def timed_commits(trail: AuditTrail) -> list[float]:
    """Seconds each ``commit`` of this trail takes (the audit part of a disclosure)."""
    taken: list[float] = []
    commit = trail.commit

    def timed(*args: Any, **kwargs: Any) -> int:
        started = time.perf_counter()
        try:
            return commit(*args, **kwargs)
        finally:
            taken.append(time.perf_counter() - started)

    trail.commit = timed  # type: ignore[method-assign]
    return taken


def cold_replica(env: dict[str, str], entries: int, engine: PolicyEngine, *,
                 verify: bool, warm: int = 30) -> dict[str, Any]:
    settings, app = open_app(env)
    config = AuditConfig.from_settings(settings, env)
    record_samples(app)
    built = build_chain(app, entries, keys.load(config.require_key_file()), progress=progress)
    # Then through the hub until the most entries a new process can find after the latest
    # snapshot follow it (snapshots are taken at multiples of the interval).
    interval = PartnershipHub.snapshotting_intervals[AuditLog]
    while (audit_trail(app, config).head()[0] + 1) % interval != interval - 1:
        disclose(app, engine)
    app.close()

    head = PartnershipHub(env=settings.store_env)
    head.recorder.max_notification_id()  # the store's connection, apart from the chain
    started = time.perf_counter()
    audit_trail(head).head()
    head_ms = (time.perf_counter() - started) * 1000
    head.close()

    cold = PartnershipHub(env=settings.store_env)  # a new process: nothing cached
    read = count_reads(cold, AUDIT_LOG_ID)
    commits = timed_commits(audit_trail(cold, config))
    started = time.perf_counter()
    disclose(cold, engine)
    first = time.perf_counter() - started
    samples = []
    for _ in range(warm):
        started = time.perf_counter()
        disclose(cold, engine)
        samples.append(time.perf_counter() - started)
    head_seq = audit_trail(cold).head()[0]
    cold.close()
    warm_p50 = sorted(samples)[len(samples) // 2]
    warm_commit = sorted(commits[1:])[len(commits[1:]) // 2]
    out: dict[str, Any] = {
        "entries": head_seq - warm - 1, "bulk_seconds": round(built, 1),
        "entries_read_by_first": sum(read), "cold_first_ms": round(first * 1000, 2),
        "warm_p50_ms": round(warm_p50 * 1000, 2), "ratio": round(first / warm_p50, 2),
        "cold_first_commit_ms": round(commits[0] * 1000, 2),
        "warm_commit_p50_ms": round(warm_commit * 1000, 2),
        "cold_chain_head_ms": round(head_ms, 2)}
    if verify:
        fresh = PartnershipHub(env={**settings.store_env, "AGGREGATE_CACHE_MAXSIZE": ""})
        report = verify_configured(fresh, config)
        fresh.close()
        assert report.ok, report.summary()
        out["verify"] = {"entries": report.entries, "seconds": round(report.seconds, 1),
                         "entries_per_second": round(report.entries / report.seconds)}
    return out


# -- the run --------------------------------------------------------------------------------

def _ratio(point: dict[str, Any], base: dict[str, Any]) -> float:
    return round(point["per_second"] / base["per_second"], 2) if base["per_second"] else 0.0


def summarise(figures: dict[str, Any]) -> list[str]:
    """The printed table; adds each ratio to the figures."""
    header = (f"{'store':<10}{'API procs':>10}{'clients':>9}{'disclosures/s':>15}"
              f"{'vs 1 client':>13}{'p50 ms':>9}{'p99 ms':>9}{'n':>7}{'API CPU ms/req':>16}"
              f"{'API cores':>11}{'load':>6}")
    lines = [header] if figures["throughput"] else []
    for kind, runs in figures["throughput"].items():
        base = runs["one_process"]["1"]
        for procs, label in (("one_process", 1), ("two_processes", 2)):
            for n, point in runs[procs].items():
                point["vs_1_client"] = _ratio(point, base)
                lines.append(f"{kind:<10}{label:>10}{n:>9}{point['per_second']:>15.1f}"
                             f"{point['vs_1_client']:>12.2f}x{point['p50_ms']:>9.1f}"
                             f"{point['p99_ms']:>9.1f}{point['requests']:>7}"
                             f"{point['server_cpu_ms_per_request']:>16.1f}"
                             f"{point['server_cores_busy']:>11.2f}{point['load_average']:>6.1f}")
        for n, point in runs["two_processes"].items():
            one = runs["one_process"][n]
            point["vs_one_process"] = _ratio(point, one)
            lines.append(f"{kind}: 2 API processes vs 1 at {n} clients: "
                         f"{point['per_second']:.1f} vs {one['per_second']:.1f} "
                         f"disclosures/s = {point['vs_one_process']:.2f}x")
    for kind, runs in figures["audit_commit"].items():
        base = runs["1"]
        for n, point in runs.items():
            point["vs_1_thread"] = _ratio(point, base)
            lines.append(f"{kind}: audit trail alone, {n:>2} thread(s): "
                         f"{point['per_second']:7.1f} commits/s = {point['vs_1_thread']:.2f}x "
                         f"1 thread; p50 {point['p50_ms']:.1f} ms, p99 {point['p99_ms']:.1f} ms")
    for kind, cold in figures["cold_replica"].items():
        lines.append(f"{kind}: cold replica at {cold['entries']:,} entries (read "
                     f"{cold['entries_read_by_first']} chain events): first disclosure "
                     f"{cold['cold_first_ms']:.1f} ms vs warm p50 {cold['warm_p50_ms']:.1f} ms "
                     f"= {cold['ratio']:.2f}x; its audit commit {cold['cold_first_commit_ms']:.1f} "
                     f"ms vs warm p50 {cold['warm_commit_p50_ms']:.1f} ms; the chain head alone "
                     f"{cold['cold_chain_head_ms']:.1f} ms (target <= "
                     f"{TARGETS['cold_first_disclosure_ms']:.0f} ms; bulk build "
                     f"{cold['bulk_seconds']:.0f} s)")
        if "verify" in cold:
            v = cold["verify"]
            lines.append(f"{kind}: hub audit verify, {v['entries']:,} entries: "
                         f"{v['seconds']:.1f} s ({v['entries_per_second']:,} entries/s)")
    return lines


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--clients", default="1,20,50")
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--cold-stores", default="postgres")
    parser.add_argument("--verify", action="store_true")
    parser.add_argument("--json", type=Path, help="write the figures here as JSON")
    args = parser.parse_args(argv)
    clients = [int(c) for c in args.clients.split(",") if c]
    assert clients and clients[0] == 1, "the first client count is the baseline: 1"
    figures: dict[str, Any] = {
        "benchmark": "audit", "cpus": os.cpu_count(), "load_before": os.getloadavg()[0],
        "seconds_per_point": args.seconds, "targets": TARGETS, "throughput": {}, "audit_commit": {},
        "cold_replica": {}}
    engine = load_engine()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in filter(None, args.stores.split(",")):
            print(f"throughput on {kind}...", file=sys.stderr, flush=True)
            with store(kind, Path(tmp) / f"load-{kind}") as env:
                figures["throughput"][kind] = throughput(kind, env, clients, args.seconds)
            with store(kind, Path(tmp) / f"commit-{kind}") as env:
                figures["audit_commit"][kind] = commit_rate(env, clients, args.seconds)
            save(figures, args.json)
        for kind in filter(None, args.cold_stores.split(",")) if args.entries else ():
            print(f"cold replica on {kind}...", file=sys.stderr, flush=True)
            with store(kind, Path(tmp) / f"cold-{kind}") as env:
                figures["cold_replica"][kind] = cold_replica(env, args.entries, engine,
                                                             verify=args.verify)
            save(figures, args.json)
    figures["load_after"] = os.getloadavg()[0]
    for line in summarise(figures):
        print(line)
    save(figures, args.json)
    return figures


def save(figures: dict[str, Any], path: Path | None) -> None:
    """After each phase too, so a run that fails late keeps what it measured."""
    if path is not None:
        path.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
