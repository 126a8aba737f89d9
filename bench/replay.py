"""Replay a generated borough-year into PostgreSQL, and optionally time views built from it.

    python bench/replay.py [--scale 1.0] [--dsn "host=127.0.0.1 dbname=test ..."] [--views]
                           [--json FILE]

The replay is the worker's own path without Kafka: ``PartnershipHub.record_batch`` in batches
of 500 with their tracking record, one transaction each, events sealed and encrypted. Target
(issue 13): a borough-year (scale 1.0) in at most 30 s. ``--views`` then builds the person and
location views from an empty start. Uses a throw-away schema, dropped at the end.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.stores

from eventsourcing.cryptography import AESCipher

from domain.generator import AGENCY_KINDS, generate
from hub.application import PartnershipHub
from hub.views.location_view import LocationView
from hub.views.person_view import PersonView
from hub.views.projections import Progress
from tests.stores import POSTGRES_DSN, scratch_schema

BATCH = 500
TARGET_SECONDS = 30.0


def replay(hub: PartnershipHub, envelopes: Sequence[Any]) -> dict[str, Any]:
    refused: list[int] = []
    numbered = list(enumerate(envelopes, 1))
    queries = _store_reads(hub)
    started = time.perf_counter()
    for first in range(0, len(numbered), BATCH):
        batch = numbered[first:first + BATCH]
        hub.record_batch("bench:0", batch, last_offset=batch[-1][0],
                         on_refused=lambda offset, _refusal: refused.append(offset))
        done = first + len(batch)
        if done % 5000 < BATCH:
            elapsed = time.perf_counter() - started
            print(f"  replay: {done:,}/{len(numbered):,} ({done / elapsed:,.0f} events/s)",
                  flush=True)
    elapsed = time.perf_counter() - started
    stored = hub.recorder.max_notification_id() or 0
    return {"agency_events": len(numbered), "domain_events": stored, "refused": len(refused),
            "seconds": round(elapsed, 2), "agency_events_per_s": round(len(numbered) / elapsed),
            "store_reads": _store_reads(hub) - queries,
            "batches": -(-len(numbered) // BATCH)}


def _store_reads(hub: PartnershipHub) -> int:
    """Batched reads so far (none where the hub has no working set: a baseline's code)."""
    working_set = getattr(hub, "working_set", None)
    return working_set.queries if working_set is not None else 0


def views(hub: PartnershipHub) -> dict[str, float]:
    def report(progress: Progress) -> None:
        print(f"    {progress}", flush=True)

    took: dict[str, float] = {}
    for name, build in (("person_view", lambda: PersonView(agency_kinds=AGENCY_KINDS)),
                        ("location_view", LocationView)):
        view = build()
        started = time.perf_counter()
        view.catch_up(hub, progress=report, every=20_000)
        took[name] = round(time.perf_counter() - started, 2)
        print(f"{name}: built from empty in {took[name]:.2f}s", flush=True)
    return took


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a full borough-year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dsn", default=POSTGRES_DSN)
    parser.add_argument("--views", action="store_true", help="also build two views after")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    year = generate(args.seed, args.scale)
    print(f"generated {len(year.envelopes):,} envelopes (scale {args.scale}) in "
          f"{time.perf_counter() - started:.1f}s: {year.counts}", flush=True)
    figures: dict[str, Any] = {"benchmark": "replay", "store": "postgres", "scale": args.scale,
                               "target_seconds": TARGET_SECONDS if args.scale == 1.0 else None}
    with scratch_schema("bench", args.dsn) as postgres:
        hub = PartnershipHub(env={
            **postgres, "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": AESCipher.create_key(32)})
        try:
            figures.update(replay(hub, year.envelopes))
            figures["met"] = figures["seconds"] <= TARGET_SECONDS if args.scale == 1.0 else None
            print(f"replay: {figures['agency_events']:,} agency events -> "
                  f"{figures['domain_events']:,} domain events in {figures['seconds']:.1f}s = "
                  f"{figures['agency_events_per_s']:,} agency events/s, {figures['refused']} "
                  f"refused, {figures['store_reads']:,} batched reads for "
                  f"{figures['batches']:,} batches (target {TARGET_SECONDS:.0f}s at scale 1.0)",
                  flush=True)
            if args.views:
                figures["views_seconds"] = views(hub)
        finally:
            hub.close()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main()
