"""Concurrent entries share one transaction (group commit); a batch is stored whole or not at
all; a new process reads the chain's head from a snapshot, not the whole chain."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.utils import get_topic

from domain.model.audit import AUDIT_LOG_ID
from domain.model.disclosure import AccessEvent, Disclosure
from hub.application import PartnershipHub
from hub.audit.actions import review_override
from hub.audit.chain import AuditTrail, audit_trail
from hub.audit.group_commit import Queued
from hub.cli import main
from hub.sharing import Requester
from hub.store import StoreUnavailable
from tests.audit import db
from tests.audit.conftest import Hub
from tests.stores import count_reads

DPO = Requester("the.dpo", "wcc-asb", "dpo")
Insert = Callable[..., Any]


def verified(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(["audit", "verify", "--json"])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    assert code == 0, report
    return report


def access(n: int) -> tuple[dict[str, Any], AccessEvent]:
    record: dict[str, Any] = {
        "user": f"user{n}", "agency": "wcc-housing", "role": "case_officer",
        "action": "test.search", "query": {"n": str(n)}, "result_count": n,
        "at": "2026-11-23T10:00:00Z"}
    return record, AccessEvent(**record)


def commit_access(trail: AuditTrail, n: int) -> tuple[UUID, int]:
    record, event = access(n)
    return event.id, trail.commit("access", record, event)


@contextmanager
def saves(app: PartnershipHub, *steps: Callable[[Insert, tuple[Any, ...]], Any]
          ) -> Iterator[list[int]]:
    """The store's n-th insert (one per transaction) goes through ``steps[n]`` (given the real
    insert and its arguments), later ones straight through; yields the sizes of each insert."""
    real = app.recorder.insert_events
    sizes: list[int] = []

    def insert(stored_events: Any, **kwargs: Any) -> Any:
        n = len(sizes)
        sizes.append(len(stored_events))
        args = (stored_events,)
        if n < len(steps):
            return steps[n](lambda *a: real(*a, **kwargs), args)
        return real(stored_events, **kwargs)

    app.recorder.insert_events = insert  # type: ignore[method-assign]
    try:
        yield sizes
    finally:
        del app.recorder.insert_events


def once_queued(trail: AuditTrail, waiting: int) -> Callable[[Insert, tuple[Any, ...]], Any]:
    """A step that holds its transaction until ``waiting`` callers queue behind it, so that
    they form the next batch together."""
    def step(real: Insert, args: tuple[Any, ...]) -> Any:
        deadline = time.monotonic() + 20
        while trail._group.queued < waiting:
            assert time.monotonic() < deadline, "the callers never queued"
            time.sleep(0.005)
        return real(*args)
    return step


def test_concurrent_entries_get_distinct_gap_free_numbers_in_shared_transactions(
        hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    trail = audit_trail(hub.app)

    def slow(real: Insert, args: tuple[Any, ...]) -> Any:
        time.sleep(0.05)  # a slow store: callers pile up behind the first transaction
        return real(*args)

    with saves(hub.app, slow) as sizes, ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda n: commit_access(trail, n), range(120)))
    seqs = [seq for _, seq in results]
    assert sorted(seqs) == list(range(1, 121))
    # Far fewer transactions than entries: the 15 callers that queued behind the first one
    # were stored together.
    assert len(sizes) < 60 and max(sizes) >= 2 * 15, sizes
    report = verified(capsys)
    assert report["entries"] == 120 and report["records"] == 120
    # Each record is the one its entry names.
    ids = {str(record_id): seq for record_id, seq in results}
    for stored in hub.app.recorder.select_events(AUDIT_LOG_ID, gt=1):
        entry: Any = hub.app.mapper.to_domain_event(stored)
        assert ids[entry.entry["ref"]] == entry.seq


def test_a_batch_that_cannot_be_stored_fails_every_caller_and_stores_nothing(
        hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    app = PartnershipHub(env={**hub.settings.store_env, "SQLITE_LOCK_TIMEOUT": "1",
                              "POSTGRES_LOCK_TIMEOUT": "1"})
    trail = audit_trail(app)

    def locked(real: Insert, args: tuple[Any, ...]) -> Any:
        with db.store_locked(hub.settings):  # really locked: the insert times out
            return real(*args)

    outcomes: dict[int, Any] = {}

    def call(n: int) -> None:
        try:
            outcomes[n] = commit_access(trail, n)
        except Exception as exc:
            outcomes[n] = exc

    with saves(app, once_queued(trail, 6), locked) as sizes:
        first = threading.Thread(target=call, args=(0,))
        first.start()
        while not sizes:
            time.sleep(0.005)
        batch = [threading.Thread(target=call, args=(n,)) for n in range(1, 7)]
        for thread in batch:
            thread.start()
        for thread in [first, *batch]:
            thread.join(30)
    assert outcomes[0][1] == 1
    failed = [outcomes[n] for n in range(1, 7)]
    assert all(isinstance(exc, StoreUnavailable) for exc in failed), failed
    assert len({id(exc) for exc in failed}) == 6  # each caller raises its own copy
    assert sizes[1] == 12  # the six callers were one transaction: six records, six entries

    report = verified(capsys)
    assert report["entries"] == 1 and report["records"] == 1 and report["head_seq"] == 1
    # No record of the failed batch is stored either; the chain goes on from entry 1.
    topic = get_topic(AccessEvent.Recorded)  # type: ignore[attr-defined]
    stored = app.recorder.select_notifications(start=1, limit=1000, topics=[topic])
    assert {str(n.originator_id) for n in stored} == {str(outcomes[0][0])}
    assert commit_access(trail, 7)[1] == 2
    assert verified(capsys)["entries"] == 2
    app.close()


def test_a_record_changed_meanwhile_fails_only_its_own_caller(
        hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    trail = audit_trail(hub.app)
    record: dict[str, Any] = {
        "requester": {"user": "p.c", "agency": "met-police", "role": "police_officer"},
        "recipient": "met-police", "purpose": "crime_prevention", "record_kind": "case_view",
        "record_ref": "wcc-asb:CASE-1", "subjects": [], "decision_id": "d1", "allowed": True,
        "released": ["a"], "withheld": {}, "gateways": [], "consent_ids": [],
        "agreement": "swp-isp", "reasons": [], "bundle_revision": "sha256:x",
        "engine": "regorus", "redactions": [], "recipient_detail": None,
        "legal_services_approval": None, "requested_at": "2026-11-23T10:00:00Z",
        "requested": [], "released_categories": [], "withheld_categories": [],
        "suppliers": [], "justification": "", "necessity": "",
        "special_category_condition": None, "referral": None,
        "override": {"justification": "risk to life, no time to ask"}}
    disclosure = Disclosure(**record)
    trail.commit("override", record, disclosure)
    stale = hub.app.get_or_none(disclosure.id)  # read by a second DPO before the first acts
    review_override(hub.app, DPO, str(disclosure.id), outcome="upheld", note="justified")
    review = {"outcome": "not_upheld", "note": "no", "reviewer": {"user": "b"},
              "reviewed_at": "2026-11-23T10:00:00Z"}
    stale.review_override(**review)

    outcomes: dict[str, Any] = {}

    def call(name: str, commit: Callable[[], Any]) -> None:
        try:
            outcomes[name] = commit()
        except Exception as exc:
            outcomes[name] = exc

    calls = {"first": lambda: commit_access(trail, 1), "a": lambda: commit_access(trail, 2),
             "stale": lambda: trail.commit("override_review",
                                           {"disclosure_id": str(disclosure.id), **review},
                                           stale),
             "b": lambda: commit_access(trail, 3)}
    with saves(hub.app, once_queued(trail, 3)) as sizes:
        threads = {name: threading.Thread(target=call, args=(name, commit))
                   for name, commit in calls.items()}
        threads["first"].start()
        while not sizes:
            time.sleep(0.005)
        for name in ("a", "stale", "b"):
            threads[name].start()
            while trail._group.queued < ["a", "stale", "b"].index(name) + 1:
                time.sleep(0.005)
        for thread in threads.values():
            thread.join(30)
    assert outcomes["first"][1] == 3
    assert isinstance(outcomes["stale"], Exception)
    assert sorted([outcomes["a"][1], outcomes["b"][1]]) == [4, 5]
    assert hub.app.get_or_none(disclosure.id).override_review["outcome"] == "upheld"
    report = verified(capsys)
    assert report["entries"] == 5 and report["records"] == 5


def test_a_new_process_reads_the_chain_head_from_a_snapshot(
        hub: Hub, capsys: pytest.CaptureFixture[str]) -> None:
    trail = audit_trail(hub.app)
    for n in range(250):
        commit_access(trail, n)

    cold = hub.reopen()  # a new API process: nothing cached
    read = count_reads(cold, AUDIT_LOG_ID)
    started = time.perf_counter()
    assert commit_access(audit_trail(cold), 250)[1] == 251
    elapsed = time.perf_counter() - started
    # Entries after the snapshot at version 200 (entry 199) only: 51 of 250.
    assert sum(read) <= 60, read
    assert elapsed < 1.0
    cold.close()
    assert verified(capsys)["entries"] == 251


def test_a_batch_of_many_megabytes_is_stored(hub: Hub) -> None:
    """psycopg's pipeline mode never sent the rest of a statement larger than the socket took
    at once, and waited for an answer for ever (the audit bench's bulk phase): the store must
    not use it for inserts (hub/store.py)."""
    trail = audit_trail(hub.app)
    batch = []
    for n in range(40):  # 20 MB of text, one transaction
        record = {**access(n)[0], "query": {"text": secrets.token_hex(256 * 1024)}}
        event = AccessEvent(**record)
        batch.append(Queued({"kind": "access", "ref": str(event.id), "at": record["at"],
                             "record": record}, list(event.collect_events())))
    thread = threading.Thread(target=trail._write, args=(batch,), daemon=True)
    thread.start()
    thread.join(120)
    assert not thread.is_alive(), "the store never answered"
    assert [item.seq for item in batch] == list(range(1, 41))
