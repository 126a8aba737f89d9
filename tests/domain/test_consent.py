"""Consent records in the domain and through the recorder: status over time, the policy's
record shape, redelivery, amendment and withdrawal refusals (hub/recorders/consents.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from eventsourcing.persistence import Tracking

from domain.contract.envelope import check_identity, new_envelope
from domain.contract.schemas import validate
from domain.model.consent import Consent, held_scope
from hub.application import PartnershipHub
from hub.consent import records
from hub.recorders import RecordRefused
from tests.panels.data import hub_env, party

SUBJECT = party("Dee Domain", "1970-07-07", "victim")["match_key"]
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SCOPE = {"purposes": ["marac"], "recipient_kinds": ["support"],
         "categories": ["identity", "case"]}


@pytest.fixture
def hub() -> Iterator[PartnershipHub]:
    with tempfile.TemporaryDirectory() as directory:
        app = PartnershipHub(env=hub_env(Path(directory)))
        try:
            yield app
        finally:
            app.close()


OFFSETS = count()


def send(hub: PartnershipHub, event_type: str, data: dict[str, Any], event_id: str,
         agency: str = "wcc-asb") -> int:
    envelope = new_envelope(event_id=event_id, source="urn:test", event_type=event_type,
                            subject=SUBJECT, agency=agency, data=data, time=NOW)
    validate(envelope)
    check_identity(envelope)
    return hub.record_agency_event(envelope, Tracking("consent-test:0", next(OFFSETS)))


def given(ref: str, **extra: Any) -> dict[str, Any]:
    return {"consent": {"ref": ref}, "subject": {"match_key": SUBJECT}, "given_by": "subject",
            "officer": "O. Fficer", "method": "written",
            "collected_at": "2026-05-01T09:00:00Z", "scope": SCOPE, **extra}


def withdrawal(ref: str, **extra: Any) -> dict[str, Any]:
    return {"consent": {"ref": ref}, "subject": {"match_key": SUBJECT}, "given_by": "subject",
            "withdrawn_at": "2026-05-20T09:00:00Z", "reason": "asked by phone", **extra}


def test_status_over_time_and_the_record_the_policy_reads(hub: PartnershipHub) -> None:
    send(hub, "consent.given", given("C-1", expires_at="2026-05-10T00:00:00Z"),
         "wcc-asb:consent.given:C-1")
    consent = records.find(hub, "wcc-asb:C-1")
    assert consent is not None
    assert consent.status_at(datetime(2026, 5, 5, tzinfo=UTC)) == "given"
    assert consent.status_at(NOW) == "expired"
    assert [h["status"] for h in consent.history(NOW)] == ["given", "expired"]
    assert records.policy_input(hub, [SUBJECT]) == [{
        "id": "wcc-asb:C-1", "subject": SUBJECT, "refused": False, "purposes": ["marac"],
        "categories": ["case", "identity"], "recipients": [], "recipient_kinds": ["support"],
        "explicit": False, "method": "written", "collected_by": "wcc-asb/O. Fficer",
        "collected_at": "2026-05-01T09:00:00Z", "expires_at": "2026-05-10T00:00:00Z",
        "withdrawn_at": None}]
    send(hub, "consent.refused", {**given("C-2"), "scope": {}}, "wcc-asb:consent.refused:C-2")
    refusal = records.policy_input(hub, [SUBJECT])[1]
    assert refusal["refused"] is True and refusal["purposes"] is None


def test_redelivery_changes_nothing_and_amendment_is_refused(hub: PartnershipHub) -> None:
    assert send(hub, "consent.given", given("C-1"), "wcc-asb:consent.given:C-1") == 3
    assert send(hub, "consent.given", given("C-1"), "wcc-asb:consent.given:C-1") == 0
    with pytest.raises(RecordRefused, match="never amended") as refused:
        send(hub, "consent.given", given("C-1", note="changed"),
             "wcc-asb:consent.given:C-1:again")
    assert refused.value.reason == "already-recorded"
    wid = "wcc-asb:consent.withdrawn:wcc-asb:C-1"
    assert send(hub, "consent.withdrawn", withdrawal("C-1"), wid) == 1
    assert send(hub, "consent.withdrawn", withdrawal("C-1"), wid) == 0  # redelivered
    with pytest.raises(RecordRefused) as again:
        send(hub, "consent.withdrawn", withdrawal("C-1"), wid + ":again")
    assert again.value.reason == "already-withdrawn"
    consent = records.find(hub, "wcc-asb:C-1")
    assert consent is not None and consent.status_at(NOW) == "withdrawn"


def test_only_the_collecting_agency_withdraws_unless_the_person_recorded_it(
        hub: PartnershipHub) -> None:
    send(hub, "consent.given", given("C-1"), "wcc-asb:consent.given:C-1")
    send(hub, "consent.given", given("P-1", method="portal"), "wcc-asb:consent.given:P-1")
    other = {"agency": "wcc-asb"}
    with pytest.raises(RecordRefused, match="only wcc-asb") as refused:
        send(hub, "consent.withdrawn", withdrawal("C-1", consent={**other, "ref": "C-1"}),
             "met-police:consent.withdrawn:wcc-asb:C-1", agency="met-police")
    assert refused.value.reason == "not-your-record"
    assert send(hub, "consent.withdrawn", withdrawal("P-1", consent={**other, "ref": "P-1"}),
                "met-police:consent.withdrawn:wcc-asb:P-1", agency="met-police") == 1
    with pytest.raises(RecordRefused) as early:
        send(hub, "consent.withdrawn",
             withdrawal("C-1", withdrawn_at="2026-04-01T00:00:00Z"),
             "wcc-asb:consent.withdrawn:wcc-asb:C-1")
    assert early.value.reason == "withdrawn-before-collected"


def test_unknown_terms_are_refused_before_anything_is_stored(hub: PartnershipHub) -> None:
    for scope, reason in (({**SCOPE, "purposes": ["marketing"]}, "unknown-purpose"),
                          ({**SCOPE, "recipient_kinds": ["press"]}, "unknown-recipient-kind"),
                          ({**SCOPE, "categories": ["health"]},
                           "special-category-not-explicit")):
        with pytest.raises(RecordRefused) as refused:
            send(hub, "consent.given", given("X", scope=scope), "wcc-asb:consent.given:X")
        assert refused.value.reason == reason
    assert records.about(hub, [SUBJECT]) == []
    assert held_scope({"purposes": ["b", "a", "a"]}, refused=False)["purposes"] == ["a", "b"]
    assert Consent.Given.__qualname__ == "Consent.Given"
