"""Each error agencies' records really have ends linked or proposed, with reasons; pairs that
must not join do not (the default model, over a population from the corruption module)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import pytest

from domain.generator.corruption import labelled_set
from domain.rules.matching import (
    AUTO_LINK,
    NO_MATCH,
    PROPOSE,
    Thresholds,
    decide,
    plausible_dob_typo,
)
from hub.matching.comparisons import identity
from hub.matching.engine import BLOCKED_ON, MatchingEngine
from hub.matching.model import Model, train

WILLIAM = ("William Quarrendon-Thistlecombe", "1984-03-07", "12 Heron Walk", "ZZ3 4XX")


@pytest.fixture(scope="module")
def population() -> MatchingEngine:
    first, _ = labelled_set(seed=3, n=3000, twins=0)
    engine = MatchingEngine(Model.load())
    engine.add_all(identity(f"p{i}", r.name, r.dob, r.address, r.postcode)
                   for i, r in enumerate(first))
    return engine


def outcome_of(population: MatchingEngine, name: str, dob: str | None, address: str,
               postcode: str) -> tuple[str, tuple[str, ...]]:
    engine = MatchingEngine(population.model)
    engine.identities = list(population.identities)
    engine.index = defaultdict(list, {k: list(v) for k, v in population.index.items()})
    engine.counts = {k: v.copy() for k, v in population.counts.items()}
    engine.total, engine.seen = population.total, set(population.seen)
    engine.add(identity("held", *WILLIAM))
    found = [s for s in engine.match(identity("new", name, dob, address, postcode))
             if s.key == "held"]
    return (found[0].outcome.outcome, found[0].outcome.reasons) if found else (NO_MATCH, ())


@pytest.mark.parametrize(("error", "record", "expected", "reason"), [
    # at one address on one date of birth a given-name typo looks like a twin: a person decides
    ("given name typo", ("Wiliam Quarrendon-Thistlecombe", *WILLIAM[1:]), PROPOSE,
     "given_name: similar"),
    ("family name typo", ("William Quarendon-Thistlecombe", *WILLIAM[1:]), AUTO_LINK,
     "family_name: similar"),
    ("short form", ("Bill Quarrendon-Thistlecombe", *WILLIAM[1:]), AUTO_LINK,
     "given_name: short form"),
    # a new surname is a marriage or another person: a person decides
    ("surname changed at marriage", ("William Nettlefold", *WILLIAM[1:]), PROPOSE,
     "family_name: different"),
    ("hyphenation dropped", ("William Quarrendon", *WILLIAM[1:]), AUTO_LINK,
     "family_name: one part of the other"),
    ("given and family swapped", ("Quarrendon-Thistlecombe William", *WILLIAM[1:]),
     AUTO_LINK, "given_name: swapped with family name"),
    ("day and month transposed", (WILLIAM[0], "1984-07-03", *WILLIAM[2:]), AUTO_LINK,
     "date_of_birth: day and month transposed"),
    ("date of birth typo", (WILLIAM[0], "1984-03-01", *WILLIAM[2:]), AUTO_LINK,
     "date_of_birth: one typing error"),
    ("date of birth missing", (WILLIAM[0], None, *WILLIAM[2:]), PROPOSE,
     "date_of_birth: missing"),
    ("old address", (*WILLIAM[:2], "7 Copper Street", "ZZ8 2XX"), PROPOSE,
     "address: different"),
])
def test_each_error_is_linked_or_proposed_with_reasons(
        population: MatchingEngine, error: str, record: tuple[str, str | None, str, str],
        expected: str, reason: str) -> None:
    outcome, reasons = outcome_of(population, *record)
    assert outcome == expected, (error, reasons)
    assert any(r.startswith(reason) for r in reasons), reasons
    assert len(reasons) >= 4  # every field's level and weight is shown


def test_same_name_with_a_date_of_birth_far_apart_is_not_joined(
        population: MatchingEngine) -> None:
    """Father and son of one name at one address: at most a question for a person."""
    outcome, reasons = outcome_of(population, WILLIAM[0], "1961-11-20", *WILLIAM[2:])
    assert outcome in (NO_MATCH, PROPOSE)
    assert outcome == NO_MATCH or "date_of_birth: different" in reasons[2]
    elsewhere = outcome_of(population, WILLIAM[0], "1961-11-20", "7 Copper Street", "ZZ8 2XX")
    assert elsewhere[0] == NO_MATCH


def test_twins_at_one_address_are_not_joined(population: MatchingEngine) -> None:
    assert outcome_of(population, "Robert Quarrendon-Thistlecombe", *WILLIAM[1:])[0] \
        == NO_MATCH


def test_a_record_with_only_a_match_key_matches_nothing(population: MatchingEngine) -> None:
    assert population.match(identity("bare")) == []


def test_dob_guard_holds_whatever_the_weight() -> None:
    assert plausible_dob_typo(date(1984, 3, 7), date(1984, 7, 3))
    assert plausible_dob_typo(date(1984, 3, 7), date(1948, 3, 7))  # neighbours swapped
    assert not plausible_dob_typo(date(1984, 3, 7), date(1985, 4, 7))
    strong = decide(60.0, (), dob_a=date(1984, 3, 7), dob_b=date(1990, 3, 7),
                    given_names_differ=False, thresholds=Thresholds())
    assert strong.outcome == PROPOSE
    assert "dates of birth differ by more than a typing error" in strong.reasons[-1]
    twins = decide(60.0, (), dob_a=date(1984, 3, 7), dob_b=date(1984, 3, 7),
                   given_names_differ=True, thresholds=Thresholds())
    assert twins.outcome == NO_MATCH


def test_training_without_labels_learns_that_agreement_means_a_match() -> None:
    first, second = labelled_set(seed=5, n=800, twins=0)
    engine = MatchingEngine(None)
    engine.add_all(identity(f"{r.name}|{r.dob}", r.name, r.dob, r.address, r.postcode)
                   for r in first + second)
    model = train(engine.identities, engine.pairs_by_rule(), BLOCKED_ON, u_pairs=20_000)
    for field in ("given_name", "family_name", "date_of_birth", "address"):
        assert model.m[field]["exact"] > 10 * model.u[field]["exact"], field
        assert model.m[field]["different"] < model.u[field]["different"], field
    assert 0 < model.prior < 0.01
    assert Model.from_json(model.to_json()).m == model.m
