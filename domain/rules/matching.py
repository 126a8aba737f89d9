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

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from domain.contract.matchkeys import dob_key, name_key

__all__ = ["AUTO_LINK", "NO_MATCH", "PROPOSE", "SAME_NAME_DIFFERENT_DOB", "FieldWeight",
           "Outcome", "Thresholds", "decide", "dob_key", "guards", "name_key", "placeholder_dob",
           "plausible_dob_typo", "possible_match", "two_people"]

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


# Given-name levels that name one person even at one home on one date of birth; any other
# level there (similar, initial, missing...) is how twins' and siblings' records look.
ONE_GIVEN_NAME = ("exact", "swapped with family name", "short form")
ONE_HOME = ("exact", "similar", "same postcode")  # address levels that are one household
NO_DOB = "no date of birth to compare: a person decides"


def placeholder_dob(dob: date) -> bool:
    """A date agencies' systems put where the date of birth is unknown: 1 January (1900-01-01,
    and 01-01 of any year, the usual stand-in when only the year is known) or any date before
    1901. It is read as missing: two residents of one hostel "born" 1900-01-01 share nothing."""
    return (dob.month, dob.day) == (1, 1) or dob.year < 1901


def guards(levels: Mapping[str, str], dob_a: date | None,
           dob_b: date | None) -> list[tuple[str, str]]:
    """Each guard that applies to a pair: the best outcome it allows and the reason. No
    weight overrides them, because a wrong link discloses one person's records as another's."""
    given, family = levels.get("given_name", ""), levels.get("family_name", "")
    same_dob = dob_a is not None and dob_a == dob_b
    found: list[tuple[str, str]] = []
    if dob_a and dob_b and not plausible_dob_typo(dob_a, dob_b):
        found.append((PROPOSE, "dates of birth differ by more than a typing error: "
                               "a person decides"))
    if dob_a is None or dob_b is None:
        found.append((PROPOSE, NO_DOB))
    if given == "different" and same_dob:
        found.append((NO_MATCH, "different given names on one date of birth: twins or siblings"))
    elif given == "different":
        found.append((PROPOSE, "given names differ: a person decides"))
    elif same_dob and given not in ONE_GIVEN_NAME and levels.get("address") in ONE_HOME:
        found.append((PROPOSE, "given names alike but not the same, on one date of birth at one "
                               "address: twins or siblings look like this; a person decides"))
    if family == "different":
        found.append((PROPOSE, "family names differ and neither is part of the other (a "
                               "marriage, or two people): a person decides"))
    return found


def two_people(levels: Mapping[str, str], dob_a: date | None, dob_b: date | None) -> str | None:
    """The reason two records look like two people (a guard other than a missing date of
    birth), or None: checked for every pair of records a link would join."""
    return next((reason for _, reason in guards(levels, dob_a, dob_b) if reason != NO_DOB),
                None)


_RANK = {NO_MATCH: 0, PROPOSE: 1, AUTO_LINK: 2}


def decide(weight: float, fields: tuple[FieldWeight, ...], *, dob_a: date | None,
           dob_b: date | None, thresholds: Thresholds,
           given_names_differ: bool | None = None) -> Outcome:
    """The outcome for one scored pair, with the reasons a person reviewing it will see.

    Guards (``guards``): dates of birth further apart than a typing error, or missing on
    either side, are never linked automatically; different given names on one date of birth
    (twins, siblings) are neither linked nor proposed; given names alike but not the same on
    one date of birth at one address (Alexander/Alexandra, Jack/Jake, J Quist), different
    given names otherwise, and different family names are at most proposed.
    ``given_names_differ`` stands in for the given name's level where ``fields`` lacks it.
    """
    reasons = [f"{f.field}: {f.level} ({f.weight:+.1f})" for f in fields]
    levels = {f.field: f.level for f in fields}
    if given_names_differ is not None and "given_name" not in levels:
        levels["given_name"] = "different" if given_names_differ else "exact"
    outcome = (AUTO_LINK if weight >= thresholds.link
               else PROPOSE if weight >= thresholds.propose else NO_MATCH)
    for cap, reason in guards(levels, dob_a, dob_b):
        if _RANK[outcome] > _RANK[cap]:
            outcome = cap
            reasons.append(reason)
    return Outcome(outcome, round(weight, 2), fields, tuple(reasons))
