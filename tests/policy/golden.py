"""Golden decisions: every pinned input and the decision the hub records for it.

The decision as the hub records it (allowed, agreement, reasons, and per field path: allowed,
gateway, consent id, reasons) must not change when the bundle is restructured; a deliberate change
is made by regenerating the file and explaining it in the commit and docs/policies.md:

    .venv/bin/python -m tests.policy.golden --write
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from hub.policy import Decision
from tests.policy import records
from tests.policy.cases import CASES, CONSENT_FLOW

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_decisions.json"


def golden_inputs() -> dict[str, dict[str, Any]]:
    """Every input whose decision is pinned, by a stable name."""
    inputs = {f"case: {c.name}": c.input for c in CASES}
    inputs["consent flow: before withdrawal"], inputs["consent flow: after"] = CONSENT_FLOW
    demo = records.demo_view_fields()
    victim = next(f["subject"] for f in demo if f["subject_role"] == "victim")
    inputs["demo view: housing, ASB case management"] = records.request(
        demo, role="case_officer", purpose="asb_case_management")
    inputs["demo view: GP practice, safeguarding"] = records.request(
        demo, agency="gp-practice-x", role="safeguarding_lead", purpose="safeguarding")
    inputs["demo view: housing at MARAC with a claim and consent"] = records.request(
        demo, claims=[records.S115_HEALTH],
        consents=[records.consent_for(victim, ["identity", "contact", "address"])])
    inputs["demo view: perpetrator side"] = records.request(
        demo, role="case_officer", purpose="asb_case_management",
        acting_for="alleged_perpetrator")
    inputs["demo view: legal proceedings"] = records.request(
        demo, agency="wcc-legal", role="legal_officer", purpose="legal_proceedings")
    inputs["demo view: police, own data and strict"] = records.request(
        demo, agency="met-police", role="police_officer", purpose="asb_case_management")
    for n in (30, 200):
        inputs[f"synthetic {n}-field view at MARAC"] = records.marac_request(
            records.synthetic_view(n))
    return inputs


def project(decision: Decision) -> dict[str, Any]:
    """The parts of a decision that the disclosure log records (no ids, no revision)."""
    return {
        "allowed": decision.allowed,
        "agreement": decision.agreement,
        "reasons": list(decision.reasons),
        "fields": {p: {"allowed": d.allowed, "gateway": d.gateway, "consent_id": d.consent_id,
                       "reasons": list(d.reasons)} for p, d in decision.fields.items()},
    }


def load() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(GOLDEN.read_text())
    return document


def main() -> None:
    from hub.policy import load_engine

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the golden file")
    args = parser.parse_args()
    engine = load_engine()
    answers = {name: project(engine.decide(inp)) for name, inp in golden_inputs().items()}
    if args.write:
        GOLDEN.write_text(json.dumps(answers, indent=1, sort_keys=True) + "\n")
        print(f"{len(answers)} decisions written to {GOLDEN}")
        return
    current = load()
    changed = sorted(n for n in answers if answers[n] != current.get(n))
    print("\n".join(changed) or "no decision changed")


if __name__ == "__main__":
    main()
