"""Every benchmark of the read and write sides in one run, figures to one JSON file.

    .venv/bin/python bench/all.py [--quick] [--out bench-results.json] [--only ingest,panels]

Runs, one after the other on this machine: ingest against a bare kafka-python consumer
(bench/ingest.py), a borough-year replay into PostgreSQL (bench/replay.py), disclosures at 1,
20 and 50 clients, two API processes and a cold replica's first disclosure (bench/audit.py),
a MARAC agenda with packs for 8 agencies against the policy engine alone (bench/panels.py) and
the views' rebuild rates against reading the log alone (bench/views.py). Each prints its own
table with its baseline from the same run; this writes all their figures as JSON.
``--quick`` runs each at a small size, to check the benchmarks themselves.
"""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FULL: dict[str, list[str]] = {
    "ingest": [],
    "replay": [],
    "audit": ["--cold-stores", "sqlite,postgres"],
    "panels": [],
    "views": [],
}
QUICK: dict[str, list[str]] = {
    "ingest": ["--events", "2000"],
    "replay": ["--scale", "0.05"],
    "audit": ["--seconds", "1", "--entries", "20000", "--clients", "1,20"],
    "panels": ["--scale", "0.05", "--cases", "5"],
    "views": ["--scale", "0.05", "--disclosures", "2000"],
}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the run")
    parser.add_argument("--only", help="comma-separated: " + ",".join(FULL))
    parser.add_argument("--out", type=Path, default=Path("bench-results.json"))
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    names = args.only.split(",") if args.only else list(plan)
    results: dict[str, Any] = {"started_at": datetime.now(UTC).isoformat(),
                               "machine": platform.platform(), "quick": args.quick}
    for name in names:
        print(f"\n=== bench/{name}.py {' '.join(plan[name])}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        results[name] = {"figures": module.main(plan[name]),
                         "seconds": time.perf_counter() - started}
        args.out.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nfigures of {', '.join(names)} written to {args.out}")
    return results


if __name__ == "__main__":
    main()
