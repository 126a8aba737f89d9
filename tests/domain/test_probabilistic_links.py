"""Links and proposals as hub events: a confirmed proposal joins records in the case view, the
MARAC trigger count and the case-review threshold; undoing it separates them again."""

from __future__ import annotations

import threading
import time
from argparse import Namespace
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.contract import matchkeys
from domain.model.subjects import proposal_id
from domain.rules.matching import AUTO_LINK, PROPOSE
from hub.application import PartnershipHub
from hub.audit.erasure import erase_subject
from hub.matching.cli import follow, run
from hub.matching.config import model_path
from hub.matching.engine import MatchingEngine
from hub.matching.model import Model
from hub.matching.outcomes import MatchingFollower, pending
from hub.matching.people import root_of
from hub.panels.service import PanelService
from hub.policy.regorus_engine import RegorusEngine
from hub.settings import Settings
from hub.views.case_view import build_case_view
from hub.views.person_view import PersonView
from tests.domain.conftest import KEY, T0, Send, opened
from tests.stores import hub_store

HOME = {"match_key": matchkeys.location_key(KEY, address="4 Heron Walk", postcode="ZZ3 4XX"),
        "address": "4 Heron Walk", "postcode": "ZZ3 4XX"}
NAME = "Margaret Quarrendon-Thistlecombe"


def party(name: str, dob: str | None, role: str = "victim") -> dict[str, Any]:
    found = {"role": role, "match_key": matchkeys.person_key(KEY, name, dob or ""),
             "name": name, "lives_at_location": True}
    if dob:
        found["date_of_birth"] = dob
    return found


@pytest.fixture(params=["sqlite", "postgres"])
def hub(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PartnershipHub]:
    """Both real stores: the follower reads notifications by topic and writes links."""
    with hub_store(request.param, tmp_path, "m") as env:
        app = PartnershipHub(env=env)
        try:
            yield app
        finally:
            app.close()


CASE_VICTIM = party(NAME, "1975-02-14")
POLICE_VICTIM = party(NAME, None)  # the police did not record her date of birth


def report(send: Send, ref: str, days: int, victim: dict[str, Any]) -> None:
    at = T0 + timedelta(days=days)
    send("incident.reported", {
        "record": {"ref": ref, "version": 1}, "occurred_at": at.isoformat(),
        "reported_at": (at + timedelta(hours=2)).isoformat(), "category": "domestic_abuse",
        "summary": "Synthetic report", "parties": [victim], "location": HOME,
        "flags": {"domestic_abuse": True}}, agency="met-police")


def facts(hub: PartnershipHub) -> tuple[int, list[str], bool]:
    """Incidents in the case view, and the MARAC triggers and case-review eligibility the
    panel service itself finds for the case (its coordinators' suggestions)."""
    view = build_case_view(hub, "wcc-housing", "DA1")
    assert view is not None
    panels = PanelService(hub, RegorusEngine())
    now = T0 + timedelta(days=100)

    def fired(panel: str) -> list[str]:
        return [t for s in panels.suggestions(panel, now) if s.case_ref == "DA1"
                for t in s.triggers]

    return (len(view.incidents), fired("marac"),
            "case_review_eligible" in fired("asb_case_review"))


def decide(send: Send, verb: str, a: str, b: str) -> None:
    send("match.decided", {"proposal": {"a": a, "b": b}, "decision": verb,
                           "decided_by": "analyst-1", "at": T0.isoformat()})


def test_a_confirmed_proposal_changes_view_marac_and_case_review_and_undo_reverts(
        hub: PartnershipHub, send: Send) -> None:
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME,
                         "category": "domestic_abuse"})
    for n in range(3):
        report(send, f"P-{n}", 10 * n, POLICE_VICTIM)
    counts = MatchingFollower(hub, MatchingEngine(Model.load())).catch_up()
    assert counts[PROPOSE] == 1 and counts[AUTO_LINK] == 0
    proposal = hub.get_or_none(proposal_id(CASE_VICTIM["match_key"],
                                           POLICE_VICTIM["match_key"]))
    assert proposal.status == "proposed" and proposal.outcome == PROPOSE
    assert "date_of_birth: missing (+0.0)" in proposal.reasons
    assert {f["field"] for f in proposal.fields} == {"given_name", "family_name",
                                                     "date_of_birth", "address"}
    assert facts(hub) == (0, [], False)

    decide(send, "confirm", CASE_VICTIM["match_key"], POLICE_VICTIM["match_key"])
    assert facts(hub) == (3, ["escalation"], True)
    person = PersonView.rebuild(hub).person(CASE_VICTIM["match_key"])
    assert person is not None and {r["ref"] for r in person["roles"]} == {"DA1", "P-0", "P-1",
                                                                         "P-2"}

    decide(send, "unmerge", CASE_VICTIM["match_key"], POLICE_VICTIM["match_key"])
    assert facts(hub) == (0, [], False)
    person = PersonView.rebuild(hub).person(CASE_VICTIM["match_key"])
    assert person is not None and {r["ref"] for r in person["roles"]} == {"DA1"}


def test_an_automatic_link_is_an_event_with_field_weights_and_can_be_undone(
        hub: PartnershipHub, send: Send) -> None:
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME,
                         "category": "domestic_abuse"})
    typed = party("Margaret Quarendon-Thistlecombe", "1975-02-14")  # a typing error
    for n in range(3):
        report(send, f"P-{n}", 10 * n, typed)
    follower = MatchingFollower(hub, MatchingEngine(Model.load()))
    assert follower.catch_up()[AUTO_LINK] == 1
    proposal = hub.get_or_none(proposal_id(CASE_VICTIM["match_key"], typed["match_key"]))
    assert proposal.status == "confirmed" and proposal.outcome == AUTO_LINK
    assert {f["field"]: f["level"] for f in proposal.fields}["family_name"] == "similar"
    assert all(isinstance(f["weight"], float) for f in proposal.fields)
    assert facts(hub) == (3, ["escalation"], True)

    decide(send, "unmerge", CASE_VICTIM["match_key"], typed["match_key"])
    assert facts(hub) == (0, [], False)
    report(send, "P-9", 40, typed)  # more records later: a person's "no" stands
    assert follower.catch_up()[AUTO_LINK] == 0
    assert facts(hub) == (0, [], False)


def test_same_name_far_apart_in_age_is_not_joined(hub: PartnershipHub, send: Send) -> None:
    """Her mother, same name and home: at most a question for a person, never a join."""
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME,
                         "category": "domestic_abuse"})
    mother = party(NAME, "1951-09-30")
    report(send, "P-1", 1, mother)
    counts = MatchingFollower(hub, MatchingEngine(Model.load())).catch_up()
    assert counts[AUTO_LINK] == 0
    proposal = hub.get_or_none(proposal_id(CASE_VICTIM["match_key"], mother["match_key"]))
    assert proposal is None or (proposal.status == "proposed" and any(
        r.startswith("date_of_birth: different") for r in proposal.reasons))
    assert facts(hub) == (0, [], False)


def test_cli_trains_on_held_identities_then_backfills(hub: PartnershipHub, send: Send,
                                                      tmp_path: Path) -> None:
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME,
                         "category": "domestic_abuse"})
    report(send, "P-1", 1, POLICE_VICTIM)
    report(send, "P-2", 2, party("Margaret Quarendon-Thistlecombe", "1975-02-14"))
    settings = Settings(data_dir=tmp_path)
    assert run(settings, hub, Namespace(sub="train", min_identities=1000)) == 1
    assert not model_path(tmp_path).exists()  # too few to learn from: the shipped model
    assert run(settings, hub, Namespace(sub="train", min_identities=3)) == 0
    assert Model.load(model_path(tmp_path)).trained_on["identities"] == 3
    model_path(tmp_path).unlink()
    assert run(settings, hub, Namespace(sub="backfill")) == 0
    linked = hub.get_or_none(proposal_id(CASE_VICTIM["match_key"],
                                         POLICE_VICTIM["match_key"]))
    assert linked is not None and linked.rule == "probabilistic"
    assert linked.outcome == PROPOSE  # no date of birth on the police record
    report(send, "P-3", 3, party("Peggy Quarrendon-Thistlecombe", "1975-02-14"))
    stopped = threading.Event()
    stopped.set()  # follow: backfills, then sees the stop
    assert run(settings, hub, Namespace(sub="follow", interval=0.01), stopped) == 0
    short = party("Peggy Quarrendon-Thistlecombe", "1975-02-14")["match_key"]
    assert root_of(hub, short) == root_of(hub, CASE_VICTIM["match_key"])
    typed = party("Margaret Quarendon-Thistlecombe", "1975-02-14")["match_key"]
    assert hub.get_or_none(proposal_id(CASE_VICTIM["match_key"], typed)).outcome == AUTO_LINK


def test_three_agencies_records_of_one_person_gather_under_one_key_without_noise(
        hub: PartnershipHub, send: Send, capsys: pytest.CaptureFixture[str]) -> None:
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME,
                         "category": "domestic_abuse"})
    typed = party("Margaret Quarendon-Thistlecombe", "1975-02-14")
    short = party("Peggy Quarrendon-Thistlecombe", "1975-02-14")
    report(send, "P-0", 0, typed)
    report(send, "P-1", 10, short)
    report(send, "P-2", 20, POLICE_VICTIM)  # no date of birth: proposed, not linked
    counts = MatchingFollower(hub, MatchingEngine(Model.load())).catch_up()
    assert counts[AUTO_LINK] == 2
    assert facts(hub) == (2, [], False)
    waiting = pending(hub)
    assert counts[PROPOSE] == len(waiting) == 1  # one question about the group, not three
    assert all(any(r.startswith("date_of_birth: missing") for r in p["reasons"])
               for p in waiting)
    assert run(Settings(data_dir=Path("unused")), hub, Namespace(sub="proposals")) == 0
    assert "date_of_birth: missing" in capsys.readouterr().out


def test_an_erased_person_is_not_matched_on_a_later_backfill(hub: PartnershipHub,
                                                              send: Send) -> None:
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME,
                         "category": "domestic_abuse"})
    typed = party("Margaret Quarendon-Thistlecombe", "1975-02-14")
    erase_subject(hub, {"user": "dpo-1", "agency": "wcc-housing"}, CASE_VICTIM["match_key"],
                  reason="erasure request")
    report(send, "P-0", 0, typed)
    counts = MatchingFollower(hub, MatchingEngine(Model.load())).catch_up()
    assert counts["identities"] == 1  # her sealed name no longer opens: nothing to match on
    assert counts[AUTO_LINK] == counts[PROPOSE] == 0


def test_follow_links_a_record_stored_while_it_runs(hub: PartnershipHub, send: Send,
                                                    tmp_path: Path) -> None:
    """The matcher that `hub serve` and the compose `matcher` service run: records stored
    after it has caught up are matched as they arrive, and it stops when asked."""
    send("case.opened", {**opened("DA1", [CASE_VICTIM]), "location": HOME})
    stop = threading.Event()
    matcher = threading.Thread(target=follow, args=(Settings(data_dir=tmp_path), hub, stop,
                                                    0.05))
    matcher.start()
    typed = party("Margaret Quarendon-Thistlecombe", "1975-02-14")
    try:
        time.sleep(0.3)  # caught up with the case before the report arrives
        report(send, "P-1", 1, typed)
        deadline = time.monotonic() + 20
        while (root_of(hub, typed["match_key"]) != root_of(hub, CASE_VICTIM["match_key"])
               and time.monotonic() < deadline):
            time.sleep(0.05)
    finally:
        stop.set()
        matcher.join(10)
    assert not matcher.is_alive()
    assert root_of(hub, typed["match_key"]) == root_of(hub, CASE_VICTIM["match_key"])
    link = hub.get_or_none(proposal_id(CASE_VICTIM["match_key"], typed["match_key"]))
    assert link.outcome == AUTO_LINK and link.rule == "probabilistic"
