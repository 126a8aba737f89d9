"""Probabilistic matching against the exact-key rule, on a labelled set with known true pairs.

    .venv/bin/python bench/matching.py [--people 5000] [--seed 1] [--write-model PATH]

The set (domain/generator/corruption.py): the borough generator's people, each recorded by two
agencies, the second record with typing errors, short forms, married and re-hyphenated
surnames, swapped names, transposed and mistyped dates of birth, missing dates of birth and
old or missing addresses at the rates printed; plus twin pairs that must never be joined.
Prints, from one run: the exact-key rule's links and proposals (the baseline), the model's
automatic links and links plus proposals (precision and recall), training time, and the
throughput of incremental matching (records in arrival order, each scored against the
blocking index then added to it).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import tempfile
from datetime import UTC, datetime
from uuid import uuid4

from eventsourcing.cryptography import AESCipher

from domain.contract import matchkeys
from domain.contract.envelope import new_envelope
from domain.generator.corruption import RATES, Recorded, labelled_set
from domain.rules.matching import AUTO_LINK, PROPOSE, Thresholds
from hub.application import PartnershipHub
from hub.matching.comparisons import identity
from hub.matching.engine import BLOCKED_ON, MatchingEngine
from hub.matching.model import Model, train
from hub.matching.outcomes import MatchingFollower

KEY = b"bench-partnership-key-0123456789"


def key_of(r: Recorded) -> str:
    return matchkeys.person_key(KEY, r.name, r.dob.isoformat() if r.dob else "")


def measure(pairs: set[tuple[str, str]], people_of: dict[str, set[int]],
            true_pairs: int, exact_hits: int) -> tuple[float, float, int, int]:
    """Precision over the pairs the method made; recall over the true pairs (a pair whose
    two records carry one match key is joined already, by the exact rule)."""
    correct = sum(bool(people_of[a] & people_of[b]) for a, b in pairs)
    found = exact_hits + correct
    precision = correct / len(pairs) if pairs else 1.0
    return precision, found / true_pairs, correct, len(pairs) - correct


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--twins", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--link-weight", type=float, default=Thresholds().link)
    parser.add_argument("--propose-weight", type=float, default=Thresholds().propose)
    parser.add_argument("--write-model", type=Path, help="save the trained model here")
    parser.add_argument("--store-records", type=int, default=3000,
                        help="records to run through the hub's store end to end (0: skip)")
    args = parser.parse_args()

    first, second = labelled_set(args.seed, args.people, args.twins)
    records = first + second
    errors = Counter(e for r in second for e in r.errors)
    print(f"labelled set: {args.people} people recorded twice across agencies, "
          f"{args.twins} twin pairs; {len(records)} records")
    print("  errors in second records: " + ", ".join(
        f"{e} {errors[e] / len(second):.1%} (rate {RATES[e]:.0%})" for e in RATES))
    keys = [key_of(r) for r in records]
    people_of: dict[str, set[int]] = {}
    for r, k in zip(records, keys, strict=True):
        people_of.setdefault(k, set()).add(r.person)
    true_pairs = args.people
    same_key = sum(key_of(first[i]) == key_of(second[i]) and second[i].dob is not None
                   for i in range(args.people))

    # -- the exact-key rule: one key links; the same name with another date is proposed ----
    by_name: dict[str, set[str]] = {}
    for r, k in zip(records, keys, strict=True):
        by_name.setdefault(matchkeys.normalise_name(r.name), set()).add(k)
    proposed = {tuple(sorted((a, b))) for ks in by_name.values() for a in ks for b in ks
                if a < b}
    exact_collisions = sum(len(p) > 1 for p in people_of.values())
    p_prop, r_prop, _, wrong_prop = measure(proposed, people_of, true_pairs, same_key)  # type: ignore[arg-type]
    print("\nexact-key rule (baseline, today's hub):")
    print(f"  links: recall {same_key / true_pairs:.1%}, keys shared by two people "
          f"{exact_collisions}")
    print(f"  links + proposals: recall {r_prop:.1%}, precision of proposals {p_prop:.1%} "
          f"({len(proposed)} proposals, {wrong_prop} wrong); missed "
          f"{1 - r_prop:.1%}")

    # -- training (unsupervised) on every identity held ------------------------------------
    identities = [identity(k, r.name, r.dob, r.address, r.postcode)
                  for r, k in zip(records, keys, strict=True)]
    started = time.perf_counter()
    bulk = MatchingEngine(None)
    bulk.add_all(identities)
    model = train(bulk.identities, bulk.pairs_by_rule(), BLOCKED_ON, seed=args.seed)
    trained = time.perf_counter() - started
    print(f"\ntraining: {trained:.1f} s over {len(bulk.identities)} identities, "
          f"{model.trained_on['candidate_pairs']} candidate pairs; prior {model.prior:.2e}")
    if args.write_model:
        model.save(args.write_model)
        print(f"  model written to {args.write_model}")

    # -- incremental matching, records in arrival order -----------------------------------
    engine = MatchingEngine(model, Thresholds(args.link_weight, args.propose_weight))
    order = list(range(len(records)))
    random.Random(args.seed).shuffle(order)
    links: set[tuple[str, str]] = set()
    proposals: set[tuple[str, str]] = set()
    started = time.perf_counter()
    for i in order:
        for scored in engine.match_and_add(identities[i]):
            pair = tuple(sorted((identities[i].key, scored.key)))
            if scored.outcome.outcome == AUTO_LINK:
                links.add(pair)  # type: ignore[arg-type]
            elif scored.outcome.outcome == PROPOSE:
                proposals.add(pair)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    proposals -= links
    p_link, r_link, _, wrong_link = measure(links, people_of, true_pairs, same_key)
    p_all, r_all, _, wrong_all = measure(links | proposals, people_of, true_pairs, same_key)
    print(f"\nprobabilistic (link >= {args.link_weight}, propose >= {args.propose_weight}):")
    print(f"  automatic links: precision {p_link:.2%} (target >= 99.9%), recall {r_link:.1%} "
          f"(baseline links {same_key / true_pairs:.1%}); {len(links)} links, "
          f"{wrong_link} wrong")
    print(f"  links + proposals: recall {r_all:.1%} at precision {p_all:.2%} (target recall "
          f">= 95% at >= 99%; baseline recall {r_prop:.1%} at {p_prop:.1%}); "
          f"{len(proposals)} proposals, {wrong_all} wrong in all")
    twins = {p for p in links | proposals
             if min(people_of[p[0]]) >= args.people and min(people_of[p[1]]) >= args.people}
    print(f"  twin pairs joined or proposed: {len(twins)}")
    print(f"  incremental matching: {len(records) / elapsed:,.0f} records/s "
          f"(target >= 1,000; {len(records)} records in {elapsed:.2f} s)")
    missed = Counter(e for i in range(args.people) for e in second[i].errors
                     if key_of(first[i]) != key_of(second[i])
                     and tuple(sorted((key_of(first[i]), key_of(second[i]))))
                     not in links | proposals)
    print("  missed pairs by error: " + (", ".join(f"{e} {n}" for e, n in missed.most_common())
                                         or "none"))
    if args.store_records:
        through_store([records[i] for i in order[:args.store_records]], model,
                      Thresholds(args.link_weight, args.propose_weight))
    return 0


def through_store(records: list[Recorded], model: Model, thresholds: Thresholds) -> None:
    """The same matching end to end: records stored as incident.reported events in a SQLite
    hub, then the follower reads them back (decrypting), matches, and stores links and
    proposals as events (hub matching follow's loop)."""
    with tempfile.TemporaryDirectory() as tmp:
        hub = PartnershipHub(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                                  "SQLITE_DBNAME": str(Path(tmp) / "hub.sqlite"),
                                  "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
                                  "CIPHER_KEY": AESCipher.create_key(32)})
        at = datetime(2025, 4, 1, tzinfo=UTC)
        items = [(n, new_envelope(
            event_id=str(uuid4()), source=f"urn:agency:{r.agency}", event_type="incident.reported",
            subject=f"{r.agency}/R{n}", agency=r.agency, time=at, data={
                "record": {"ref": f"R{n}", "version": 1}, "occurred_at": at.isoformat(),
                "reported_at": at.isoformat(), "category": "noise", "summary": "Synthetic",
                "location": {"match_key": matchkeys.location_key(KEY, address=r.address,
                                                                 postcode=r.postcode),
                             "address": r.address, "postcode": r.postcode},
                "parties": [{"role": "victim", "match_key": key_of(r), "name": r.name,
                             "lives_at_location": True,
                             **({"date_of_birth": r.dob.isoformat()} if r.dob else {})}]}))
            for n, r in enumerate(records)]
        for start in range(0, len(items), 500):
            chunk = items[start:start + 500]
            hub.record_batch("bench:0", chunk, last_offset=chunk[-1][0],
                             on_refused=lambda *_: None)
        follower = MatchingFollower(hub, MatchingEngine(model, thresholds))
        started = time.perf_counter()
        counts = follower.catch_up()
        elapsed = time.perf_counter() - started
        hub.close()
    print(f"  end to end through the store (SQLite, encrypted): {len(records) / elapsed:,.0f} "
          f"records/s ({len(records)} records, {counts[AUTO_LINK]} links and "
          f"{counts[PROPOSE]} proposals stored as events, in {elapsed:.1f} s)")


if __name__ == "__main__":
    raise SystemExit(main())
