"""Time to build a 25-case MARAC agenda with packs for 8 agencies, over a generated borough-year
on PostgreSQL.

    .venv/bin/python bench/panels.py [--scale 1.0] [--cases 25] [--json out.json]

Loads the generator's borough-year (domain/generator) into a throw-away PostgreSQL schema, in
batches of agency events (each batch one transaction with its tracking record), then times, as
the coordinator and members would do them: finding the cases the MARAC triggers fire for,
referring them (topped up to --cases by hand-made referrals of the highest-risk open cases,
as a coordinator would add professional-judgement cases), accepting, scheduling, building the
agenda in order of risk, and issuing a pack to each of the 8 MARAC member agencies (every case
view in every pack a policy decision plus a recorded disclosure).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests.stores

from datetime import timedelta

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Tracking

from domain.generator import generate
from domain.generator.borough import YEAR_START
from hub.application import PartnershipHub
from hub.panels.service import PanelService, risk_rank
from hub.policy import PolicyEngine, load_engine
from hub.recorders import RecordRefused
from hub.sharing import Requester
from tests.stores import scratch_schema


def load(hub: PartnershipHub, envelopes: list, batch: int = 500) -> int:  # type: ignore[type-arg]
    refused = 0
    for start in range(0, len(envelopes), batch):
        chunk = envelopes[start:start + batch]
        work = hub.unit_of_work()
        try:
            for envelope in chunk:
                work.record(envelope)
            work.commit(Tracking("bench:0", start + len(chunk)))
            continue
        except RecordRefused:
            pass
        for n, envelope in enumerate(chunk):  # redo the batch one by one, without refusals
            try:
                hub.record_agency_event(envelope, Tracking("bench:0", start + n + 1))
            except RecordRefused:
                refused += 1
    return refused


class Recording:
    """The engine the panel service uses, keeping each input it decided: the same inputs
    decided again by the engine alone are the pack phase's baseline (a bare engine)."""

    def __init__(self, engine: PolicyEngine) -> None:
        self.engine, self.inputs = engine, []  # type: list[dict[str, Any]]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)

    def decide(self, policy_input: dict[str, Any]) -> Any:
        self.inputs.append(copy.deepcopy(policy_input))
        return self.engine.decide(policy_input)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = a full borough-year")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cases", type=int, default=25)
    parser.add_argument("--dsn", default="host=127.0.0.1 port=5432 dbname=test user=postgres")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)

    year = generate(args.seed, args.scale)
    print(f"generated {len(year.envelopes):,} agency events (scale {args.scale})", flush=True)
    with scratch_schema("bench", args.dsn) as postgres:
        hub = PartnershipHub(env={
            **postgres, "AGGREGATE_CACHE_MAXSIZE": "10000",
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": AESCipher.create_key(32)})
        started = time.perf_counter()
        refused = load(hub, year.envelopes)
        print(f"loaded in {time.perf_counter() - started:.1f}s ({refused} refused)", flush=True)

        engine = Recording(load_engine())
        service = PanelService(hub, engine)  # type: ignore[arg-type]
        marac = service.panel_type("marac")
        chair = Requester("bench.chair", marac.chair, "panel_chair")
        members = [Requester(f"bench.{a}", a, "panel_member") for a in marac.members]
        now = YEAR_START + timedelta(days=300)  # inside the generated year

        timings: dict[str, float] = {}

        def timed(name: str, call):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            result = call()
            timings[name] = time.perf_counter() - t0
            return result

        triggered = timed("triggers + referrals", lambda: service.refer_suggested(
            chair, "marac", now=now))

        def top_up() -> list:  # type: ignore[type-arg]
            listed = {r.case_key for r in service.referrals("marac")}
            candidates = []
            for case in service._load(service.index.open_cases()):
                key = f"{case.agency}/{case.ref}"
                if key not in listed and case.opened_at <= now:
                    facts = service.case_facts(case.agency, case.ref, now)
                    candidates.append((risk_rank(facts, []), case))
            candidates.sort(key=lambda p: [-x for x in p[0]])
            need = max(0, args.cases - len(triggered))
            return [service.refer(chair, "marac", c.agency, c.ref, now=now,
                                  note="Professional judgement: high risk of serious harm "
                                       "(bench top-up)") for _, c in candidates[:need]]

        manual = timed("hand referrals (top-up)", top_up)
        referrals = [r for r, _ in [*triggered, *manual]][:args.cases]
        timed("accept", lambda: [service.decide_referral(
            chair, str(r.id), accept=True, reason="meets MARAC threshold", now=now)
            for r in referrals])
        meeting = timed("schedule", lambda: service.schedule(
            chair, "marac", now + timedelta(days=7), now=now))
        meeting = timed("agenda", lambda: service.add_to_agenda(chair, str(meeting.id),
                                                               now=now))
        engine.inputs.clear()
        packs_name = f"packs for {len(members)} agencies"
        packs = timed(packs_name, lambda: [
            service.pack(m, str(meeting.id), now=now) for m in members])
        decided = list(engine.inputs)
        t0 = time.perf_counter()
        for policy_input in decided:
            engine.engine.decide(policy_input)
        bare = time.perf_counter() - t0
        views = sum(len(p) for p in packs)
        released = sum(e.shared.allowed for p in packs for e in p)
        total = sum(timings.values())
        per_view = timings[packs_name] / max(views, 1) * 1000
        print(f"MARAC agenda: {len(meeting.items)} cases ({len(triggered)} from triggers, "
              f"{len(manual)} by hand); {views} case views disclosed in packs, "
              f"{released} with data released")
        for name, took in timings.items():
            print(f"  {name:<28} {took:7.2f}s")
        print(f"total: {total:.2f}s to build a {len(meeting.items)}-case MARAC agenda with "
              f"packs for {len(members)} agencies ({per_view:.0f} ms per disclosed case view; "
              "target 2 s)")
        print(f"baseline, the same {len(decided)} decisions by the policy engine alone: "
              f"{bare:.2f}s; packs take {timings[packs_name] / max(bare, 1e-9):.1f}x that")
        hub.close()
    figures = {"scale": args.scale, "cases": len(meeting.items), "case_views": views,
               "phases_s": timings, "total_s": total, "per_view_ms": per_view,
               "baseline_bare_engine_s": bare, "target_total_s": 2.0}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    return figures


if __name__ == "__main__":
    main()
