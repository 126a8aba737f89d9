"""``hub matching train | proposals | backfill | follow``: the matcher's administration.

train: every identity the hub holds, blocked, then EM (unsupervised); saves the model in the
data directory. proposals: the pairs waiting for a person, with the reasons (match keys and
field levels, no names). backfill: matches every held record in order from the start (links
and proposals already decided are left alone). follow: keeps matching new records as they
are stored, until stopped (run one matcher per hub: it is the only writer of its links).
"""

from __future__ import annotations

import argparse
import logging
import sys
import threading
import time
from typing import Any

from hub.application import PartnershipHub
from hub.matching.config import load_model, model_path, thresholds
from hub.matching.engine import BLOCKED_ON, MatchingEngine
from hub.matching.model import train
from hub.matching.outcomes import MatchingFollower, identities_of, pending
from hub.settings import Settings
from hub.store import StoreUnavailable

log = logging.getLogger(__name__)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    matching = sub.add_parser("matching", help="probabilistic person matching (docs/matching.md)")
    commands = matching.add_subparsers(dest="sub", required=True)
    train_ = commands.add_parser("train", help="train the model on the identities held")
    train_.add_argument("--min-identities", type=int, default=1000,
                        help="refuse to train on fewer (the shipped model stays in use)")
    commands.add_parser("backfill", help="match every held record from the start")
    commands.add_parser("proposals", help="list proposals waiting for a person, with reasons")
    follow = commands.add_parser("follow", help="match new records as they are stored")
    follow.add_argument("--interval", type=float, default=2.0, help="seconds between looks")


def _progress(counts: dict[str, int]) -> None:
    print("  " + ", ".join(f"{k} {v}" for k, v in counts.items()), file=sys.stderr, flush=True)


def run(settings: Settings, hub: PartnershipHub, args: argparse.Namespace,
        stop: threading.Event | None = None) -> int:
    if args.sub == "proposals":
        for p in pending(hub):
            print(f"{p['weight']:+6.1f}  {p['a']}  {p['b']}  {p['proposed_at']}")
            print("        " + "; ".join(p["reasons"]))
        return 0
    if args.sub == "train":
        engine = MatchingEngine(None)
        follower = MatchingFollower(hub, engine)
        for n, (_, event) in enumerate(follower.events(), 1):
            if not isinstance(event, Exception) and hasattr(event, "originator_id"):
                engine.add_all(identities_of(event))
            if n % 1000 == 0:
                _progress({"records": n, "identities": len(engine.identities)})
        if len(engine.identities) < max(args.min_identities, 2):
            print(f"{len(engine.identities)} identities held: too few to train on; the "
                  "shipped model stays in use")
            return 1
        started = time.perf_counter()
        model = train(engine.identities, engine.pairs_by_rule(), BLOCKED_ON)
        model.save(model_path(settings.data_dir))
        print(f"trained on {len(engine.identities)} identities in "
              f"{time.perf_counter() - started:.1f} s; saved {model_path(settings.data_dir)}")
        return 0
    if args.sub == "follow":
        follow(settings, hub, stop or threading.Event(), args.interval)
        return 0
    counts = MatchingFollower(hub, matching_engine(settings)).catch_up(progress=_progress)
    print("backfill: " + _said(counts))
    return 0


def matching_engine(settings: Settings) -> MatchingEngine:
    """The trained model of this data directory (else the shipped one) and the thresholds."""
    return MatchingEngine(load_model(settings.data_dir), thresholds())


def follow(settings: Settings, hub: PartnershipHub, stop: threading.Event,
           interval: float = 2.0) -> None:
    """Match every held record (the index is rebuilt from the store), then each new one as it
    is stored, until ``stop`` is set. ``hub serve`` runs this beside its worker; in
    production it is the ``matcher`` service (one per hub: the only writer of its links)."""
    follower: MatchingFollower | None = None
    while True:
        try:
            if follower is None:
                # A store that failed mid-record may have taken some of a record's outcomes
                # and not others: start again from the store (decided pairs stay decided).
                follower = MatchingFollower(hub, matching_engine(settings))
                counts: dict[str, Any] = follower.catch_up(progress=_progress)
                log.info("matching: caught up with the store (%s)", _said(counts))
            else:
                found = follower.catch_up()
                if found["records"]:
                    log.info("matching: %s", _said(found))
        except StoreUnavailable as exc:
            follower = None
            log.warning("matching: %s; starting again in %.0f s", exc, interval)
        if stop.wait(interval):
            return


def _said(counts: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items())
