"""When two person records might be the same person.

Two generations of rule live here. The match-key rule (records with only keys can match only
exactly): the same name with a different date of birth is proposed, never merged. The
probabilistic rule (``decide``, docs/matching.md): where the agencies sent names and dates of
birth, hub/matching scores each pair and these rules turn the score into one of three
explained outcomes: linked automatically, proposed to a person, or nothing.

Besides the full match key (name + date of birth), a party may carry ``name_key`` (HMAC of
the normalised name alone) and ``dob_key`` (HMAC of the date of birth alone). Rule: the same
name key with a different date-of-birth key is a *possible* match (a mistyped or unknown date
of birth is the commonest reason two agencies' keys differ); a person confirms or rejects it.
Same DOB with a different name is not proposed: in a borough of 200,000 it is mostly chance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.contract.matchkeys import dob_key, name_key

__all__ = ["AUTO_LINK", "NO_MATCH", "PROPOSE", "SAME_NAME_DIFFERENT_DOB", "FieldWeight",
           "Outcome", "Thresholds", "decide", "dob_key", "name_key", "plausible_dob_typo",
           "possible_match"]

SAME_NAME_DIFFERENT_DOB = "same_name_different_dob"


def possible_match(a_name_key: str, a_dob_key: str | None, b_name_key: str,
                   b_dob_key: str | None) -> str | None:
    """The rule that makes two differently keyed records a possible match, or None."""
    if a_name_key == b_name_key and a_dob_key != b_dob_key:
        return SAME_NAME_DIFFERENT_DOB
    return None


# -- probabilistic matching: the decision rules (the scoring engine is hub/matching) ----------

AUTO_LINK, PROPOSE, NO_MATCH = "linked", "proposed", "none"
PROBABILISTIC = "probabilistic"


@dataclass(frozen=True)
class Thresholds:
    """Match weights (log2 Bayes factors, prior included) that separate the three outcomes.

    Configuration: HUB_MATCH_LINK_WEIGHT and HUB_MATCH_PROPOSE_WEIGHT (hub/matching/config.py).
    The defaults were chosen on bench/matching.py so that automatic links keep precision at or
    above 99.9% and links plus proposals reach 95% recall at 99% precision.
    """

    link: float = 13.0
    propose: float = 5.0


@dataclass(frozen=True)
class FieldWeight:
    """How one field compared and how much that moved the weight (log2 Bayes factor)."""

    field: str
    level: str
    weight: float


@dataclass(frozen=True)
class Outcome:
    outcome: str  # AUTO_LINK, PROPOSE or NO_MATCH
    weight: float
    fields: tuple[FieldWeight, ...]
    reasons: tuple[str, ...]


def plausible_dob_typo(a: date, b: date) -> bool:
    """Could ``b`` be ``a`` mistyped? Equal, day and month transposed, one digit wrong, or two
    neighbouring digits swapped (in YYYYMMDD). Anything further apart is two people."""
    if a == b or (a.year == b.year and a.day == b.month and a.month == b.day):
        return True
    x = f"{a.year:04d}{a.month:02d}{a.day:02d}"
    y = f"{b.year:04d}{b.month:02d}{b.day:02d}"
    diffs = [i for i in range(8) if x[i] != y[i]]
    if len(diffs) == 1:
        return True
    return (len(diffs) == 2 and diffs[1] == diffs[0] + 1
            and x[diffs[0]] == y[diffs[1]] and x[diffs[1]] == y[diffs[0]])


def decide(weight: float, fields: tuple[FieldWeight, ...], *, dob_a: date | None,
           dob_b: date | None, given_names_differ: bool, thresholds: Thresholds) -> Outcome:
    """The outcome for one scored pair, with the reasons a person reviewing it will see.

    Guards that no weight overrides (a wrong link discloses one person's records as
    another's): dates of birth both present and further apart than a typing error are never
    linked automatically, nor are pairs where either lacks a date of birth (name and address
    alone are shared by namesakes in one family); different given names on the same date of
    birth (twins, siblings)
    are neither linked nor proposed; different given names otherwise are at most proposed.
    """
    reasons = [f"{f.field}: {f.level} ({f.weight:+.1f})" for f in fields]
    outcome = (AUTO_LINK if weight >= thresholds.link
               else PROPOSE if weight >= thresholds.propose else NO_MATCH)
    if outcome == AUTO_LINK and dob_a and dob_b and not plausible_dob_typo(dob_a, dob_b):
        outcome = PROPOSE
        reasons.append("dates of birth differ by more than a typing error: a person decides")
    if outcome == AUTO_LINK and (dob_a is None or dob_b is None):
        outcome = PROPOSE
        reasons.append("no date of birth to compare: a person decides")
    if given_names_differ and dob_a and dob_b and dob_a == dob_b and outcome != NO_MATCH:
        outcome = NO_MATCH
        reasons.append("different given names on one date of birth: twins or siblings")
    if given_names_differ and outcome == AUTO_LINK:
        outcome = PROPOSE
        reasons.append("given names differ: a person decides")
    return Outcome(outcome, round(weight, 2), fields, tuple(reasons))
