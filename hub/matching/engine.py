"""The blocking index and incremental matching, in the hub's own process.

Each identity goes into a few blocks (date of birth ignoring day/month order; family name
sound and birth year; given and family name sounds in either order; given name sound and
birth year; postcode and initial), chosen so every error the benchmark makes leaves at least
one block shared. A new identity is scored only against identities sharing a block. A block
that grows past ``MAX_BLOCK`` (a very common name) is no longer searched: the other blocks
still find those pairs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from domain.rules.matching import NO_MATCH, Outcome, Thresholds, decide, two_people
from hub.matching import nicknames
from hub.matching.comparisons import FIELDS, Identity, compare
from hub.matching.model import Model

MAX_BLOCK = 400
# The fields each blocking rule's pairs agree on (cannot be trained on those pairs).
BLOCKED_ON = {"d": ("date_of_birth",), "fy": ("family_name", "date_of_birth"),
              "gy": ("given_name", "date_of_birth"), "gf": ("given_name", "family_name"),
              "pg": ("address", "given_name"), "af": ("address", "family_name")}
_CODES = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")


def soundex(word: str) -> str:
    word = "".join(ch for ch in word if ch.isalpha())
    if not word:
        return ""
    coded = word.translate(_CODES)
    out, last = word[0], coded[0]
    for ch in coded[1:]:
        if ch.isdigit() and ch != last:
            out += ch
        if ch not in "hw":
            last = ch
    return (out + "000")[:4]


def blocks(x: Identity) -> list[str]:
    given = soundex(nicknames.canonical(x.given)) if x.given else ""
    parts = [soundex(p) for p in x.family.split("-") if p]
    found = []
    if x.dob:
        d, m = sorted((x.dob.day, x.dob.month))
        found.append(f"d:{x.dob.year}:{d}:{m}")
        found += [f"fy:{p}:{x.dob.year}" for p in parts]
        if given:
            found.append(f"gy:{given}:{x.dob.year}")
    if given and parts:
        found.append("gf:" + ":".join(sorted((given, parts[0]))))
        if x.postcode:
            found.append(f"pg:{x.postcode}:{x.given[0]}")
    if x.address and parts:
        found += [f"af:{x.address}:{p}" for p in parts]
    return found


@dataclass(frozen=True)
class Scored:
    """One candidate for a new identity: the held person key and the explained outcome."""

    key: str
    other: Identity
    outcome: Outcome


class MatchingEngine:
    def __init__(self, model: Model | None, thresholds: Thresholds | None = None) -> None:
        self.model = model  # None: an index for training only
        self.thresholds = thresholds or Thresholds()
        self.identities: list[Identity] = []
        self.seen: set[Identity] = set()
        self.index: dict[str, list[int]] = defaultdict(list)
        self.by_key: dict[str, list[int]] = defaultdict(list)  # a person key's identities
        self.counts: dict[str, Counter[str]] = {"given": Counter(), "family": Counter()}
        self.total = 0

    def frequency(self, field: str, value: str) -> float | None:
        attribute = "given" if field == "given_name" else "family"
        n = self.counts[attribute][value]
        return n / self.total if n and self.total >= 1000 else None

    def add(self, x: Identity, found_blocks: list[str] | None = None) -> bool:
        """Hold ``x``; False if an identical identity is held already."""
        if x in self.seen or not x.can_score:
            return False
        self.seen.add(x)
        n = len(self.identities)
        self.identities.append(x)
        self.by_key[x.key].append(n)
        for block in found_blocks if found_blocks is not None else blocks(x):
            self.index[block].append(n)
        self.counts["given"][x.given] += 1
        self.counts["family"][x.family] += 1
        self.total += 1
        return True

    def candidates(self, x: Identity, found_blocks: list[str] | None = None) -> set[int]:
        found: set[int] = set()
        for block in found_blocks if found_blocks is not None else blocks(x):
            members = self.index.get(block, ())
            if len(members) <= MAX_BLOCK:
                found.update(members)
        return found

    def match(self, x: Identity, found_blocks: list[str] | None = None) -> list[Scored]:
        """The best-scoring held identity of each other person key, unless nothing."""
        if not x.can_score or self.model is None:
            return []  # a record with only a match key can only match exactly
        best: dict[str, Scored] = {}
        for i in self.candidates(x, found_blocks):
            other = self.identities[i]
            if other.key == x.key:
                continue
            weight, fields = self.model.score(x, other, self.frequency)
            if other.key in best and best[other.key].outcome.weight >= weight:
                continue
            outcome = decide(weight, fields, dob_a=x.dob, dob_b=other.dob,
                             thresholds=self.thresholds)
            best[other.key] = Scored(other.key, other, outcome)
        return sorted((s for s in best.values() if s.outcome.outcome != NO_MATCH),
                      key=lambda s: -s.outcome.weight)

    def held(self, key: str) -> list[Identity]:
        """Every identity held under one person key (one per address it was sent with)."""
        return [self.identities[i] for i in self.by_key.get(key, ())]

    def two_people(self, a: str, b: str) -> str | None:
        """Why the records of keys ``a`` and ``b`` look like two people (a guard fires on
        some pair of their identities), or None."""
        for x in self.held(a):
            for y in self.held(b):
                levels = dict(zip(FIELDS, compare(x, y), strict=True))
                reason = two_people(levels, x.dob, y.dob)
                if reason:
                    return reason
        return None

    def match_and_add(self, x: Identity) -> list[Scored]:
        if x in self.seen:
            return []
        found_blocks = blocks(x)
        found = self.match(x, found_blocks)
        self.add(x, found_blocks)
        return found

    def candidate_pairs(self) -> Iterator[tuple[int, int]]:
        """Every blocked pair of held identities once (for training and backfill)."""
        for members in self.index.values():
            if len(members) > MAX_BLOCK:
                continue
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    yield a, b

    def distinct_pairs(self) -> list[tuple[int, int]]:
        return sorted({(a, b) for a, b in self.candidate_pairs()
                       if self.identities[a].key != self.identities[b].key})

    def pairs_by_rule(self) -> dict[str, set[tuple[int, int]]]:
        """The blocked pairs of each blocking rule (the key's prefix), for training: EM
        cannot learn m for a field the pairs were chosen by agreeing on."""
        found: dict[str, set[tuple[int, int]]] = defaultdict(set)
        for block, members in self.index.items():
            if len(members) > MAX_BLOCK:
                continue
            rule = block.split(":", 1)[0]
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    if self.identities[a].key != self.identities[b].key:
                        found[rule].add((a, b))
        return found

    def add_all(self, identities: Iterable[Identity]) -> int:
        return sum(self.add(x) for x in identities)
