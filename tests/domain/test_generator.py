"""The synthetic borough-year: valid, deterministic, in the documents' proportions."""

from __future__ import annotations

from collections import Counter

from domain.contract.schemas import validate
from domain.generator import generate


def test_generated_envelopes_validate_against_their_schemas() -> None:
    year = generate(seed=3, scale=0.02)
    for envelope in year.envelopes:
        validate(envelope)
    assert {"incident.reported", "case.opened", "case.closed"} <= set(year.counts)


def test_same_seed_same_year_other_seed_other_year() -> None:
    def ids(seed: int) -> list[tuple[str, str]]:
        return [(e.id, e.time) for e in generate(seed=seed, scale=0.01).envelopes]

    assert ids(5) == ids(5)
    assert ids(5) != ids(6)


def test_proportions_follow_the_documents() -> None:
    year = generate(seed=1, scale=0.05)
    noise = [e for e in year.envelopes if e.agency == "wcc-noise"]
    assert len(noise) == 900  # 18,000 a year (000:L239)
    police = [e for e in year.envelopes
              if e.agency == "met-police" and e.type == "incident.reported"]
    assert len(police) >= 712  # 14,242 a year (000:L153), plus reports behind housing cases
    assert year.counts["case.opened"] == 23  # 466 housing cases (001:L57)
    per_place = Counter(e.data["location"]["match_key"] for e in noise)
    from_repeat = sum(n for n in per_place.values() if n >= 3)
    assert 0.4 <= from_repeat / len(noise) <= 0.75  # half from repeat addresses (000:L241)
    victims = Counter(p["match_key"] for e in police for p in e.data["parties"]
                      if p["role"] == "victim")
    repeat_share = sum(n for n in victims.values() if n >= 2) / sum(victims.values())
    assert 0.4 <= repeat_share <= 0.8  # repeat victims about half (000:L189)


def test_names_are_fictional_and_never_leave_the_agency() -> None:
    year = generate(seed=1, scale=0.01)
    assert not any("name" in p for e in year.envelopes for p in e.data.get("parties", []))


def test_repeat_perpetrators_have_families() -> None:
    """The gangs unit's record of the repeat perpetrators' families (seeds/002 L890)."""
    year = generate(seed=1, scale=0.01)
    ties = [e for e in year.envelopes if e.type == "person.relationship.recorded"]
    kinds = Counter(e.data["relationship"] for e in ties)
    assert kinds["parent"] == kinds["sibling"] >= 8 and kinds["former_partner"] >= 1
    perps = {p["match_key"] for e in year.envelopes for p in e.data.get("parties", [])
             if p["role"] == "alleged_perpetrator"}
    assert {e.data["relative"]["match_key"] for e in ties} <= perps
    assert all("until" in e.data for e in ties if e.data["relationship"] == "former_partner")
    assert not any("name" in e.data["person"] for e in ties)


def test_cases_at_the_top_of_the_ladder_book_an_eviction() -> None:
    """Some cases reach a possession order with an eviction date (seeds/002 L1728), so the
    case view's withholding of a pending enforcement date has data to act on."""
    year = generate(seed=1, scale=0.05)
    booked = [e for e in year.envelopes if e.type == "case.intervention.recorded"
              and e.data.get("scheduled_for")]
    assert booked
    for e in booked:
        validate(e)
        assert e.data["intervention"] == "possession"
        assert e.data["scheduled_for"] > e.data["at"][:10]


def test_the_year_carries_special_category_offence_and_dash_data() -> None:
    """So that `hub demo`, the tests and the benchmarks exercise the Sch 1 rules."""
    year = generate(seed=1, scale=0.05)
    parties = [p for e in year.envelopes for p in e.data.get("parties", [])]
    for fact in ("ethnicity", "religion", "health", "previous_offences"):
        assert any(fact in p for p in parties), fact
    assert all("previous_offences" not in p or p["role"] == "alleged_perpetrator"
               for p in parties)
    hate = [e for e in year.envelopes if e.data.get("category") == "hate_related"
            and e.type == "incident.reported"]
    assert hate and all(e.data["hate_motivation"] for e in hate)
    risk = [e.data for e in year.envelopes if e.type == "case.risk.assessed"]
    assert risk and all(len(d["dash_answers"]) == d["dash_score"] for d in risk)
    children = [p for p in parties if p.get("lives_at_location") and "date_of_birth" in p]
    assert children and all(p["date_of_birth"] >= "2010-01-01" for p in children)
