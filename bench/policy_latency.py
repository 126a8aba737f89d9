"""Decision latency for a 30-field record: through the hub's policy interface, and bare regorus.

    python bench/policy_latency.py [--n 2000]

The interface figure includes the Python input checks and the Decision building; the bare figure
is regorus alone (set_input + eval_rule) on the same input, so the difference is our overhead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.policy import load_engine
from hub.policy.regorus_engine import build_regorus
from policies import DECISION_RULE, bundle

CATEGORIES = ["identity", "contact", "address", "incident", "case", "risk", "health",
              "criminal_offence", "police_intelligence", "domestic_abuse"]
SUPPLIERS = ["met-police", "wcc-asb", "wcc-housing", "nw-icb"]
ROLES = ["victim", "complainant", "witness", "alleged_perpetrator", None]


def record_input(n_fields: int = 30) -> dict[str, Any]:
    """A MARAC request by housing over a 30-field case view with a claim and a consent."""
    fields = []
    for i in range(n_fields):
        role = ROLES[i % len(ROLES)]
        fields.append({
            "path": f"field.{i}",
            "category": CATEGORIES[i % len(CATEGORIES)],
            "supplier": SUPPLIERS[i % len(SUPPLIERS)],
            "subject": None if role is None else f"mk1:s{i % 5}",
            "subject_role": role,
            "flags": {"domestic_abuse": i % 7 == 0, "youth": i % 11 == 0,
                      "anonymity_requested": i % 13 == 0},
            "confidentiality": "strict" if i % 4 == 0 else "standard",
        })
    return {
        "now": "2026-11-23T10:00:00Z",
        "requester": {"user": "h.jones", "agency": "wcc-housing", "role": "panel_member",
                      "acting_for": None},
        "recipient": "wcc-housing",
        "purpose": "marac",
        "panel": {"type": "marac", "meeting_id": "m-2026-11"},
        "gateway_claims": [{
            "gateway": "cda_s115", "justification": "high risk", "proportionality": "minimum",
            "third_parties_considered": "removed", "special_category_condition": "sch1_para18",
            "police_agreement": False, "categories": ["health"],
        }],
        "consents": [{
            "id": "c-1", "subject": "mk1:s0", "purposes": ["marac"],
            "categories": ["identity", "contact"], "recipients": ["wcc-housing"],
            "collected_by": "h.jones", "collected_at": "2026-10-01T09:00:00Z",
            "method": "written", "expires_at": None, "withdrawn_at": None, "refused": False,
        }],
        "record": {"kind": "case_view", "id": "wcc-asb:ASB-1", "supplier": "wcc-asb",
                   "fields": fields},
    }


def measure(fn: Callable[[], object], n: int, warmup: int = 50) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1e6)
    return out


def summary(name: str, samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return (f"{name:<34} p50 {q[49]:9.1f} µs   p99 {q[98]:9.1f} µs   "
            f"mean {statistics.fmean(samples):9.1f} µs   (n={len(samples)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    args = parser.parse_args()

    inp = record_input(30)
    engine = load_engine()
    decision = engine.decide(inp)
    assert not decision.reasons or decision.allowed, decision.reasons

    bare = build_regorus(bundle())

    def bare_eval() -> object:
        bare.set_input(inp)
        return bare.eval_rule(DECISION_RULE)

    assert bare_eval()["fields"].keys() == decision.fields.keys()  # type: ignore[index]

    print(f"bundle {engine.bundle_revision}")
    print(f"record: 30 fields; released {len(decision.released)}, "
          f"withheld {len(decision.withheld)}")
    print(summary("hub policy interface (regorus)", measure(lambda: engine.decide(inp), args.n)))
    print(summary("bare regorus eval_rule", measure(bare_eval, args.n)))


if __name__ == "__main__":
    main()
