"""Possible matches are proposed, decided by a person, and merges can be undone."""

from __future__ import annotations

import pytest

from domain.model.subjects import proposal_id
from hub.application import PartnershipHub
from hub.recorders import RecordRefused
from hub.views.person_view import PersonView
from tests.domain.conftest import T0, Send, change, opened, person

ADA_1980 = person("Ada Ashcombe", "1980-01-02", "witness", with_name_key=True)
ADA_1981 = person("Ada Ashcombe", "1981-01-02", "witness", with_name_key=True)
OTHER = person("Ada Brindlewood", "1980-01-02", "witness", with_name_key=True)


def decision(verb: str) -> dict[str, object]:
    return {"proposal": {"a": ADA_1980["match_key"], "b": ADA_1981["match_key"]},
            "decision": verb, "decided_by": "analyst-1", "at": T0.isoformat()}


@pytest.fixture
def proposed(hub: PartnershipHub, send: Send) -> PartnershipHub:
    send("case.opened", opened("C1", parties=[]))
    send("case.party.added", change(2, "C1", party=ADA_1980))
    send("case.party.added", change(3, "C1", party=OTHER))  # same DOB, other name: no proposal
    send("case.opened", opened("C2", parties=[]))
    send("case.party.added", change(2, "C2", party=ADA_1981))
    return hub


def test_same_name_different_dob_is_proposed_not_merged(proposed: PartnershipHub) -> None:
    proposal = proposed.get_or_none(proposal_id(ADA_1980["match_key"], ADA_1981["match_key"]))
    assert proposal is not None and proposal.status == "proposed"
    assert proposal.rule == "same_name_different_dob"
    assert proposed.get_or_none(proposal_id(ADA_1980["match_key"], OTHER["match_key"])) is None
    view = PersonView.rebuild(proposed)
    assert view.person(ADA_1981["match_key"])["merged"] == []


def test_confirm_merges_and_unmerge_undoes(proposed: PartnershipHub, send: Send) -> None:
    view = PersonView()
    send("match.decided", decision("confirm"))
    view.catch_up(proposed)
    merged = view.person(ADA_1981["match_key"])
    assert merged == view.person(ADA_1980["match_key"])
    assert len(merged["merged"]) == 1
    assert {r["ref"] for r in merged["roles"]} == {"C1", "C2"}
    send("match.decided", decision("unmerge"))
    view.catch_up(proposed)
    assert {r["ref"] for r in view.person(ADA_1981["match_key"])["roles"]} == {"C2"}
    assert view.view.state() == PersonView.rebuild(proposed).view.state()


def test_a_rejected_match_cannot_then_be_confirmed(proposed: PartnershipHub,
                                                   send: Send) -> None:
    send("match.decided", decision("reject"))
    before = proposed.recorder.max_notification_id()
    with pytest.raises(RecordRefused) as refused:
        send("match.decided", decision("confirm"))
    assert refused.value.reason == "match-decision-contradicts"
    assert proposed.recorder.max_notification_id() == before


def test_deciding_a_match_never_proposed_is_refused(hub: PartnershipHub, send: Send) -> None:
    with pytest.raises(RecordRefused) as refused:
        send("match.decided", decision("confirm"))
    assert refused.value.reason == "unknown-proposal"
