"""Decision latency over whole case views, through the hub's policy interface and bare engines.

    python bench/policy_latency.py [--n 1000]

For the demo's case view (58 fields) and synthetic views of 30, 200 and 1,000 fields (24 kinds
each), a housing officer at MARAC with a s115 claim for health and one consent. Prints, per view:
the number of distinct field kinds; p50 and p99 through ``hub.policy`` on regorus (input checks,
grouping into kinds, evaluation, Decision building); the bare regorus evaluation of the same
engine input (set_input + eval_rule: the baseline the interface adds to); and ``hub.policy`` on
OPA's own Go evaluator in process (needs opa-golib-python-bindings, installed by scripts/test.sh).
Times are CPU time of the measuring thread, so other load on the machine inflates them less.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.policy.kinds import engine_input, field_attributes, group
from hub.policy.regorus_engine import RegorusEngine, build_regorus
from policies import DECISION_RULE, bundle
from tests.policy import records


def views() -> dict[str, list[dict[str, Any]]]:
    return {
        "demo case view": records.demo_view_fields(),
        "30 fields": records.synthetic_view(30),
        "200 fields": records.synthetic_view(200),
        "1,000 fields": records.synthetic_view(1000),
    }


def measure(fn: Callable[[], object], n: int, warmup: int = 30) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.thread_time()
        fn()
        out.append((time.thread_time() - t0) * 1e6)
    return out


def p50_p99(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return f"{q[49] / 1000:6.2f} / {q[98] / 1000:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="decisions measured per figure")
    args = parser.parse_args()

    engine = RegorusEngine()
    bare = build_regorus(bundle())
    try:
        from hub.policy.opa_inprocess import OpaInProcessEngine, opa_version

        opa: Any = OpaInProcessEngine()
        opa_label = f"OPA v{opa_version()} in process"
    except ImportError:
        opa, opa_label = None, "OPA in process (not installed)"

    print(f"bundle {engine.bundle_revision}")
    print("p50 / p99 in ms (CPU time), n =", args.n)
    header = (f"{'view':<16}{'fields':>7}{'kinds':>7}  {'hub.policy regorus':>20}"
              f"  {'bare regorus':>17}  {opa_label:>28}")
    print(header)
    for name, fields in views().items():
        inp = records.marac_request(fields)
        grouped = group(inp["record"]["fields"], field_attributes(bundle()))
        kinds_input = engine_input(inp, grouped)
        decision = engine.decide(inp)
        assert decision.allowed and len(decision.fields) == len(fields), decision.reasons

        def bare_eval(doc: dict[str, Any] = kinds_input) -> object:
            bare.set_input(doc)
            return bare.eval_rule(DECISION_RULE)

        interface = p50_p99(measure(partial(engine.decide, inp), args.n))
        raw = p50_p99(measure(bare_eval, args.n))
        if opa is not None:
            assert opa.decide(inp).fields == decision.fields
            on_opa = p50_p99(measure(partial(opa.decide, inp), max(args.n // 4, 50)))
        else:
            on_opa = "-"
        print(f"{name:<16}{len(fields):>7}{len(grouped.kinds):>7}  {interface:>20}"
              f"  {raw:>17}  {on_opa:>28}")


if __name__ == "__main__":
    main()
