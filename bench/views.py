"""How fast each view kept in the store is rebuilt from a borough-year, on SQLite and PostgreSQL.

    .venv/bin/python bench/views.py [--scale 1.0] [--stores sqlite,postgres] [--json out.json]

Loads the generator's borough-year (domain/generator), then for every view in ``hub views``
(hub/views/cli.py) empties it and applies the whole log again, timed. The baseline, from the
same run and store, is reading and decoding the same events without applying them (what any
rebuild must at least do), so the ratio is what keeping the view's tables costs on top.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.stores

from eventsourcing.cryptography import AESCipher

from bench.panels import load
from domain.generator import generate
from domain.model.disclosure import Disclosure
from hub.application import PartnershipHub
from hub.views.cli import VIEWS
from hub.views.tables import BATCH, table_view
from tests.stores import scratch_schema


@contextlib.contextmanager
def store(kind: str) -> Iterator[dict[str, str]]:
    env = {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
           "CIPHER_KEY": AESCipher.create_key(32), "AGGREGATE_CACHE_MAXSIZE": "10000"}
    if kind == "postgres":
        with scratch_schema("bench") as postgres:
            yield {**env, **postgres}
        return
    with tempfile.TemporaryDirectory() as directory:
        yield {**env, "PERSISTENCE_MODULE": "eventsourcing.sqlite",
               "SQLITE_DBNAME": str(Path(directory) / "hub.sqlite")}


def disclosure(n: int) -> Disclosure:
    """A synthetic disclosure record (the log's rows are what the rebuild keeps)."""
    return Disclosure(
        requester={"user": f"officer-{n % 50}", "agency": "wcc-housing", "role": "case_officer"},
        recipient="wcc-housing", purpose="asb_case_management", record_kind="case_view",
        record_ref=f"wcc-asb:ASB-{n}", subjects=[f"mk1:person-{n % 997}"],
        decision_id=f"d{n}", allowed=bool(n % 5), released=["case.summary"], withheld={},
        gateways=["cda_s115"] if n % 2 else [], consent_ids=[], agreement="swp-isp",
        reasons=[], bundle_revision="sha256:bench", engine="regorus", requested_at=None,
        requested=[], released_categories=["case"], withheld_categories=[],
        suppliers=["wcc-asb"], justification="", necessity="",
        special_category_condition=None, referral=None, override=None, redactions=[],
        recipient_detail=None, legal_services_approval=None)


def bare_read(app: PartnershipHub, topics: Sequence[str]) -> tuple[int, float]:
    """Read and decode every event of these topics, in the view's batches, and do nothing."""
    started, position, count = time.perf_counter(), 0, 0
    while True:
        batch = app.stored(topics, start=position + 1, limit=BATCH)
        count += len(batch)
        if len(batch) < BATCH:
            return count, time.perf_counter() - started
        position = batch[-1][0]


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a full borough-year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--disclosures", type=int, default=20_000,
                        help="disclosure records added to the year's events")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    year = generate(args.seed, args.scale)
    print(f"generated {len(year.envelopes):,} agency events (scale {args.scale})", flush=True)
    figures: dict[str, Any] = {"scale": args.scale}
    for kind in args.stores.split(","):
        with store(kind) as env:
            app = PartnershipHub(env=env)
            started = time.perf_counter()
            load(app, year.envelopes)
            for first in range(0, args.disclosures, 1000):
                app.save(*[disclosure(n) for n in range(
                    first, min(first + 1000, args.disclosures))])
            print(f"{kind}: loaded in {time.perf_counter() - started:.1f}s", flush=True)
            print(f"  {'view':<16}{'events':>9}{'rebuild s':>11}{'events/s':>10}"
                  f"{'bare read s':>13}{'ratio':>7}")
            for name, view_class in VIEWS.items():
                view = table_view(app, view_class)
                read, bare = bare_read(app, view.topics)
                t0 = time.perf_counter()
                applied = view.rebuild()
                took = time.perf_counter() - t0
                assert applied == read, (name, applied, read)
                figures[f"{kind}.{name}"] = {"events": applied, "rebuild_s": took,
                                             "events_per_s": applied / max(took, 1e-9),
                                             "baseline_bare_read_s": bare}
                print(f"  {name:<16}{applied:>9,}{took:>11.2f}{applied / max(took, 1e-9):>10,.0f}"
                      f"{bare:>13.2f}{took / max(bare, 1e-9):>7.1f}", flush=True)
            app.close()
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return figures


if __name__ == "__main__":
    main()
