"""Replay a generated borough-year into PostgreSQL and time the views built from it.

    /tmp/venv/bin/python bench/replay.py --scale 1.0 [--dsn "host=127.0.0.1 dbname=test ..."]

Prints the ingest rate (agency events/s through PartnershipHub.record_batch, the worker's own
path: batches of 500 with their tracking record, one transaction each), then the time to build
the person view and the location view from an empty start. Uses a throw-away schema, dropped
at the end.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.stores

from eventsourcing.cryptography import AESCipher

from domain.generator import AGENCY_KINDS, generate
from hub.application import PartnershipHub
from hub.views.location_view import LocationView
from hub.views.person_view import PersonView
from hub.views.projections import Progress
from tests.stores import scratch_schema

BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a full borough-year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dsn", default="host=127.0.0.1 port=5432 dbname=test user=postgres")
    args = parser.parse_args()

    started = time.perf_counter()
    year = generate(args.seed, args.scale)
    print(f"generated {len(year.envelopes):,} envelopes (scale {args.scale}) in "
          f"{time.perf_counter() - started:.1f}s: {year.counts}", flush=True)

    with scratch_schema("bench", args.dsn) as postgres:
        hub = PartnershipHub(env={
            **postgres, "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": AESCipher.create_key(32)})
        refused: list[int] = []
        started = time.perf_counter()
        envelopes = list(enumerate(year.envelopes, 1))
        for first in range(0, len(envelopes), BATCH):
            batch = envelopes[first:first + BATCH]
            hub.record_batch("bench:0", batch, last_offset=batch[-1][0],
                             on_refused=lambda offset, _refusal: refused.append(offset))
            done = first + len(batch)
            if done % 5000 < BATCH:
                elapsed = time.perf_counter() - started
                print(f"  ingest: {done:,}/{len(envelopes):,} ({done / elapsed:,.0f} events/s)",
                      flush=True)
        elapsed = time.perf_counter() - started
        stored = hub.recorder.max_notification_id() or 0
        print(f"replay: {len(year.envelopes):,} agency events -> {stored:,} domain events in "
              f"{elapsed:.1f}s = {len(year.envelopes) / elapsed:,.0f} agency events/s "
              f"({stored / elapsed:,.0f} domain events/s), {len(refused)} refused", flush=True)

        def report(progress: Progress) -> None:
            print(f"    {progress}", flush=True)

        for name, build in (("person view", lambda: PersonView(agency_kinds=AGENCY_KINDS)),
                            ("location view", LocationView)):
            view = build()
            started = time.perf_counter()
            view.catch_up(hub, progress=report, every=20_000)
            took = time.perf_counter() - started
            size = len(view.view.state().get("links", view.view.state().get("places", {})))
            print(f"{name}: built from empty in {took:.2f}s ({size:,} subjects)", flush=True)
        people = PersonView(agency_kinds=AGENCY_KINDS)
        people.catch_up(hub)
        started = time.perf_counter()
        flagged = sum(bool(people.person(k)["repeat_victim"]) for k in people.view.links)
        print(f"person view: derived repeat-victim and case-review facts for "
              f"{len(people.view.links):,} people in {time.perf_counter() - started:.2f}s "
              f"({flagged:,} repeat victims)", flush=True)
        hub.close()


if __name__ == "__main__":
    main()
