"""A Fellegi-Sunter model: m and u probabilities for every comparison level, and the prior.

m = P(level | same person), u = P(level | different people). A pair's match weight is the
log2 prior odds plus, for each field, log2(m/u) (its Bayes factor); an exact given or family
name is weighed by how common that name is among the held identities (term frequency), so
"Smith" counts for less than "Pennywhistle". Trained without labels: u from random pairs
(almost all are different people), m and the prior by expectation maximisation over the
blocked candidate pairs with u held fixed, as Splink does.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.rules.matching import FieldWeight
from hub.matching.comparisons import (
    FIELDS,
    LEVELS,
    MISSING,
    SWAPPED,
    TF_FIELDS,
    Identity,
    compare,
)

DEFAULT_PATH = Path(__file__).with_name("default_model.json")
Frequency = Callable[[str, str], float | None]  # (field, value) -> share of identities


@dataclass
class Model:
    prior: float  # probability that two random identities are one person
    m: dict[str, dict[str, float]]
    u: dict[str, dict[str, float]]
    trained_on: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._bf = [{level: _log2(self.m[f][level] / self.u[f][level]) if level != MISSING
                     else 0.0 for level in LEVELS[f]} for f in FIELDS]
        self._prior_weight = _log2(self.prior / (1 - self.prior))

    def score(self, a: Identity, b: Identity, frequency: Frequency | None = None
              ) -> tuple[float, tuple[FieldWeight, ...]]:
        """The match weight of a pair and each field's share of it."""
        levels = compare(a, b)
        found = []
        total = self._prior_weight
        for i, (name, level) in enumerate(zip(FIELDS, levels, strict=True)):
            weight = self._bf[i][level]
            if level == "exact" and frequency is not None and name in TF_FIELDS:
                share = frequency(name, getattr(a, TF_FIELDS[name]))
                if share:  # Splink's adjustment: the value's frequency stands in for u
                    weight = _log2(self.m[name]["exact"] / max(share, 1e-6))
            elif frequency is not None and level == SWAPPED.get(name):
                weight += self._swapped_discount(name, getattr(a, TF_FIELDS[name]), frequency)
            total += weight
            found.append(FieldWeight(name, level, round(weight, 2)))
        return total, tuple(found)

    def _swapped_discount(self, name: str, value: str, frequency: Frequency) -> float:
        """The term-frequency discount the same name in order would carry (never a bonus):
        "Ahmed Ali" / "Ali Ahmed" is as weak as two records of "Ali" and "Ahmed" in order.
        The name is counted where it is commonest, as a given or as a family name."""
        shares = [frequency(f, value) for f in TF_FIELDS]
        share = max((s for s in shares if s), default=None)
        if not share:
            return 0.0
        return min(0.0, _log2(self.u[name]["exact"] / max(share, 1e-6)))

    # -- persistence ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {"model": "fellegi-sunter", "version": 1, "prior": self.prior,
                "comparisons": {f: {level: {"m": self.m[f][level], "u": self.u[f][level]}
                                    for level in LEVELS[f]} for f in FIELDS},
                "trained_on": self.trained_on}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        comparisons = data["comparisons"]
        return cls(data["prior"], {f: {lv: p["m"] for lv, p in comparisons[f].items()}
                                   for f in FIELDS},
                   {f: {lv: p["u"] for lv, p in comparisons[f].items()} for f in FIELDS},
                   data.get("trained_on", {}))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1, sort_keys=True))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path | None = None) -> Model:
        return cls.from_json(json.loads((path or DEFAULT_PATH).read_text()))


def _log2(x: float) -> float:
    return math.log2(max(x, 1e-12))


def _distribution(counts: Counter[str], levels: Sequence[str], pseudo: float) -> dict[str, float]:
    scored = [lv for lv in levels if lv != MISSING]
    total = sum(counts[lv] for lv in scored) + pseudo * len(scored)
    found = {lv: (counts[lv] + pseudo) / total for lv in scored}
    found[MISSING] = 1.0
    return found


def estimate_u(identities: Sequence[Identity], *, pairs: int = 200_000,
               seed: int = 1) -> dict[str, dict[str, float]]:
    """u from random pairs: at borough scale nearly every random pair is two people."""
    rng = random.Random(seed)
    counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    n = len(identities)
    for _ in range(pairs if n > 1 else 0):
        a, b = identities[rng.randrange(n)], identities[rng.randrange(n)]
        if a.key == b.key:
            continue
        for f, level in zip(FIELDS, compare(a, b), strict=True):
            counts[f][level] += 1
    return {f: _distribution(counts[f], LEVELS[f], pseudo=1.0) for f in FIELDS}


def estimate_m(patterns: Counter[tuple[str, ...]], u: dict[str, dict[str, float]], *,
               iterations: int = 40, start_lambda: float = 0.02,
               ignore: Sequence[str] = (), m: dict[str, dict[str, float]] | None = None,
               fix_m: bool = False) -> tuple[dict[str, dict[str, float]], float]:
    """EM over the comparison patterns of candidate pairs, u held fixed; returns m and the
    share of candidate pairs that are matches. Fields in ``ignore`` (the ones the pairs
    were blocked on) take no part; ``fix_m`` estimates the share alone."""
    m = m or {f: _start_m(f) for f in FIELDS}
    share = start_lambda
    for _ in range(iterations):
        counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
        matched = 0.0
        total = 0
        for pattern, n in patterns.items():
            pm, pu = share, 1 - share
            for f, level in zip(FIELDS, pattern, strict=True):
                if level != MISSING and f not in ignore:
                    pm *= m[f][level]
                    pu *= u[f][level]
            p = pm / (pm + pu) if pm + pu else 0.0
            matched += p * n
            total += n
            for f, level in zip(FIELDS, pattern, strict=True):
                counts[f][level] += p * n  # type: ignore[assignment]
        share = min(max(matched / max(total, 1), 1e-6), 1 - 1e-6)
        if not fix_m:
            m = {f: _distribution(counts[f], LEVELS[f], pseudo=0.01) for f in FIELDS}
    return m, share


def _start_m(f: str) -> dict[str, float]:
    """Start where records of one person mostly agree exactly, rarely disagree (as Splink's
    defaults do); EM started from a flat m can settle on "every pair matches"."""
    levels = [lv for lv in LEVELS[f] if lv != MISSING]
    found = {lv: 0.15 / (len(levels) - 2) for lv in levels[1:-1]}
    found[levels[0]], found[levels[-1]], found[MISSING] = 0.8, 0.05, 1.0
    return found


def train(identities: Sequence[Identity],
          pairs_by_rule: dict[str, set[tuple[int, int]]],
          blocked_on: dict[str, tuple[str, ...]], *,
          u_pairs: int = 200_000, seed: int = 1) -> Model:
    """Unsupervised: the identities the hub holds and the pairs its blocking rules yield.

    As Splink does, m is estimated in one EM session per blocking rule, each ignoring the
    fields its pairs agree on by construction; a field's m is the mean over the sessions that
    could see it. The prior comes from a last pass over all candidate pairs with m fixed.
    """
    u = estimate_u(identities, pairs=u_pairs, seed=seed)
    patterns_of: dict[str, Counter[tuple[str, ...]]] = {}
    every: Counter[tuple[str, ...]] = Counter()
    seen: set[tuple[int, int]] = set()
    for rule, pairs in sorted(pairs_by_rule.items()):
        patterns_of[rule] = Counter(compare(identities[i], identities[j]) for i, j in pairs)
        for pair in pairs - seen:
            every[compare(identities[pair[0]], identities[pair[1]])] += 1
        seen |= pairs
    sessions: dict[str, list[dict[str, float]]] = {f: [] for f in FIELDS}
    for rule, patterns in patterns_of.items():
        found, _ = estimate_m(patterns, u, ignore=blocked_on.get(rule, ()))
        for f in FIELDS:
            if f not in blocked_on.get(rule, ()):
                sessions[f].append(found[f])
    m = {f: {lv: sum(s[lv] for s in sessions[f]) / len(sessions[f]) for lv in LEVELS[f]}
         if sessions[f] else _start_m(f) for f in FIELDS}
    m, share = estimate_m(every, u, m=m, fix_m=True)
    n = len(identities)
    pairs_total = max(n * (n - 1) / 2, 1.0)
    blocked = sum(every.values())
    prior = min(max(share * blocked / pairs_total, 1e-9), 0.5)
    return Model(prior, m, u, {"identities": n, "candidate_pairs": blocked,
                               "u_pairs": u_pairs, "match_share_of_candidates": share})
