"""Recording a batch: one transaction, refusals reported once and leaving nothing behind."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import Tracking

from connectors.csv_incidents import row_to_envelope
from domain.contract.envelope import Envelope, new_envelope
from domain.contract.schemas import validate
from domain.model import ids
from domain.model.subjects import location_id, proposal_id
from hub.application import PartnershipHub
from hub.recorders import RecordRefused
from hub.settings import Settings
from tests.domain.conftest import T0, change, opened, person
from tests.test_worker_crash import incident_rows


def test_a_refused_event_is_reported_once_and_the_rest_of_the_batch_is_stored(
        store_env: dict[str, str]) -> None:
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    hub = PartnershipHub(env=settings.store_env)
    key = secrets.token_bytes(32)
    first, second, third = (row_to_envelope(row, agency="met-police", source="urn:t",
                                            partnership_key=key) for row in incident_rows(3))
    # The same incident again under a new event id: a contradiction the recorder refuses,
    # after the earlier events in the batch have already changed people in memory.
    contradiction = replace(first, id="met-police:incident.reported:CR-00000:v2",
                            data={**first.data, "summary": "changed"})
    refusals: list[tuple[int, RecordRefused]] = []
    recorded = hub.record_batch(
        "hub.agency.met-police:0",
        [(0, first), (1, second), (2, contradiction), (3, third)],
        last_offset=3, on_refused=lambda offset, refusal: refusals.append((offset, refusal)))

    assert recorded == 3
    assert [(offset, refusal.reason) for offset, refusal in refusals] == [(2, "already-recorded")]
    assert hub.has_recorded(Tracking("hub.agency.met-police:0", 3))
    incident = hub.incident("met-police", "CR-00000")
    assert incident is not None and incident.summary == "Noise complaint 0"
    victim = hub.person(first.data["parties"][0]["match_key"])
    assert victim is not None and [link.ref for link in victim.links] == ["CR-00000"]

    # Delivered again (say after a crash before the Kafka commit): nothing changes.
    again = hub.record_batch("hub.agency.met-police:0", [(0, first), (1, second), (3, third)],
                             last_offset=3, on_refused=lambda *_: None)
    assert again == 0


# -- reading a batch's aggregates together (hub/working_set.py) --------------------------------

SOURCE = "hub.agency.met-police:0"
READS = ("select_events", "select_events_after", "select_latest_events")
# Latest snapshots, events after them, then events of the match proposals the name indexes
# point to (hub/application.py ``_read_ahead``), however many aggregates the batch touches.
MOST_READS = 3


def envelopes(key: bytes, rows: list[dict[str, str]]) -> list[tuple[int, Envelope]]:
    return [(n, row_to_envelope(row, agency="met-police", source="urn:t", partnership_key=key))
            for n, row in enumerate(rows)]


def at_addresses(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Incidents at 30 addresses, so places and households are touched too."""
    return [{**row, "address": f"{n % 30} Test Street", "postcode": "W9 9ZZ"}
            for n, row in enumerate(rows)]


def count_reads(hub: PartnershipHub, monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every read of stored events the hub makes, by either recorder."""
    counts: Counter[str] = Counter()
    recorders = [hub.recorder, *([hub.snapshots.recorder] if hub.snapshots else [])]
    for recorder in recorders:
        for name in READS:
            call = getattr(recorder, name)

            def counted(*args: Any, _call: Any = call, _name: str = name, **kw: Any) -> Any:
                counts[_name] += 1
                return _call(*args, **kw)

            monkeypatch.setattr(recorder, name, counted)
    return counts


def test_a_batch_reads_the_aggregates_it_touches_in_a_bounded_number_of_queries(
        store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    hub = PartnershipHub(env=settings.store_env)
    key = secrets.token_bytes(32)
    rows = at_addresses(incident_rows(600))
    counts = count_reads(hub, monkeypatch)
    # Cold: 300 incidents about 150 people at 30 places, and each one's name index.
    assert hub.record_batch(SOURCE, envelopes(key, rows[:300]), last_offset=299,
                            on_refused=lambda *_: None) == 300
    assert sum(counts.values()) <= MOST_READS, counts
    # Warm, and then cold again in a new process: the same people and places, read once each.
    counts.clear()
    batch = envelopes(key, rows[300:])
    hub.record_batch(SOURCE, [(n + 300, e) for n, e in batch[:150]], last_offset=449,
                     on_refused=lambda *_: None)
    assert sum(counts.values()) <= MOST_READS, counts
    cold = PartnershipHub(env=settings.store_env)
    counts = count_reads(cold, monkeypatch)
    assert cold.record_batch(SOURCE, [(n + 300, e) for n, e in batch[150:]], last_offset=599,
                             on_refused=lambda *_: None) == 150
    assert sum(counts.values()) <= MOST_READS, counts

    victim = cold.person(batch[0][1].data["parties"][0]["match_key"])
    assert victim is not None and len(victim.links) == 4  # incidents 0, 150, 300, 450
    place = cold.get_or_none(location_id(batch[0][1].data["location"]["match_key"]))
    assert place is not None and len(place.links) == 20
    hub.close()
    cold.close()


def test_another_writer_between_batches_and_during_one_is_caught_up_with(
        store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A second worker (or the API) writes to the same people: the worker's held aggregates
    are brought up to date on the next read, and a write that races its own is retried."""
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    worker, other = (PartnershipHub(env=settings.store_env) for _ in range(2))
    key = secrets.token_bytes(32)
    batch = envelopes(key, incident_rows(450))  # incidents n, n+150, n+300: the same people
    worker.record_batch(SOURCE, batch[:150], last_offset=149, on_refused=lambda *_: None)
    other.record_batch("hub.agency.met-police:1", [(n, e) for n, e in batch[150:300]],
                       last_offset=299, on_refused=lambda *_: None)

    raced = False
    put = worker.events.put

    def put_after_a_rival(events: Any, **kwargs: Any) -> Any:
        nonlocal raced
        if not raced:  # the other writer gets in between the worker's read and its write
            raced = True
            other.record_agency_event(
                row_to_envelope({**incident_rows(1)[0], "incident_ref": "RIVAL-1"},
                                agency="met-police", source="urn:t", partnership_key=key),
                Tracking("hub.agency.met-police:1", 300))
        return put(events, **kwargs)

    monkeypatch.setattr(worker.events, "put", put_after_a_rival)
    assert worker.record_batch(SOURCE, batch[300:], last_offset=449,
                               on_refused=lambda *_: None) == 150
    assert raced
    fresh = PartnershipHub(env=settings.store_env)
    victim = fresh.person(batch[0][1].data["parties"][0]["match_key"])
    assert victim is not None
    assert sorted(link.ref for link in victim.links) == [
        "CR-00000", "CR-00150", "CR-00300", "RIVAL-1"]
    for app in (worker, other, fresh):
        app.close()


def test_what_a_refused_event_changed_in_memory_is_not_stored(
        store_env: dict[str, str]) -> None:
    """Confirming a match changes the proposal before the recorder finds that one of the two
    is already merged into someone else: the redo of the batch must not store that change,
    though the worker holds the proposal between batches without copying it."""
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    hub = PartnershipHub(env=settings.store_env)
    ada = [person("Ada Ashcombe", f"198{n}-01-02", "witness", with_name_key=True)
           for n in range(3)]
    events = [("case.opened", opened("C1", parties=[])),
              *[("case.party.added", change(2 + n, "C1", party=p)) for n, p in enumerate(ada)]]
    first = [(n, envelope(kind, data)) for n, (kind, data) in enumerate(events)]
    hub.record_batch(SOURCE, first, last_offset=len(first) - 1, on_refused=lambda *_: None)
    a, b, c = (p["match_key"] for p in ada)
    merge_b_into_a = envelope("match.decided", decided(a, b))
    merge_c_into_b = envelope("match.decided", decided(b, c))  # b is merged: refused
    refused: list[str] = []
    hub.record_batch(SOURCE, [(10, merge_b_into_a), (11, merge_c_into_b)], last_offset=11,
                     on_refused=lambda _, refusal: refused.append(refusal.reason))
    assert refused == ["already-merged"]
    stored = PartnershipHub(env=settings.store_env)
    for app in (hub, stored):
        assert app.get_or_none(proposal_id(a, b)).status == "confirmed"
        assert app.get_or_none(proposal_id(b, c)).status == "proposed"
    stored.close()
    # And the next batch starts from what is stored: the decision can be taken properly.
    unmerge = envelope("match.decided", decided(a, b, "unmerge"))
    hub.record_batch(SOURCE, [(12, unmerge), (13, envelope("match.decided", decided(b, c)))],
                     last_offset=13, on_refused=lambda *_: None)
    assert hub.get_or_none(proposal_id(b, c)).status == "confirmed"
    hub.close()


def envelope(kind: str, data: dict[str, Any]) -> Envelope:
    found = new_envelope(event_id=str(uuid4()), source="urn:agency:wcc-asb", event_type=kind,
                         subject="test", agency="wcc-asb", data=data, time=T0)
    validate(found)
    return found


def decided(a: str, b: str, verb: str = "confirm") -> dict[str, Any]:
    return {"proposal": {"a": a, "b": b}, "decision": verb, "decided_by": "analyst-1",
            "at": T0.isoformat()}


# -- a new person's key goes with the events that need it (hub/store_writes.py) ---------------

def key_rows(hub: PartnershipHub, match_key: str) -> int:
    keys = hub.mapper.transcoder.keys  # type: ignore[attr-defined]
    return int(keys._sql("SELECT COUNT(*) FROM {T} WHERE match_key = ?", (match_key,))[0][0])


def test_a_key_written_for_events_that_failed_to_store_does_not_break_a_retry(
        store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    key = secrets.token_bytes(32)
    rows = [{**row, "victim_name": name, "perpetrator_name": ""}
            for row, name in zip(incident_rows(2), ("Newby Once", "Newby Twice"), strict=True)]
    (_, once), (_, twice) = envelopes(key, rows)

    def fail(*_: Any, **__: Any) -> None:
        raise RuntimeError("the disk went away after the keys were written")

    for event, offset in ((once, 0), (twice, 1)):
        hub = PartnershipHub(env=settings.store_env)
        with monkeypatch.context() as patched:
            patched.setattr(hub.recorder, "_insert_tracking", fail)
            with pytest.raises(RuntimeError):
                hub.record_batch(SOURCE, [(offset, event)], last_offset=offset,
                                 on_refused=lambda *_: None)
        assert not hub.has_recorded(Tracking(SOURCE, offset))
        # PostgreSQL: the key went with the events' transaction; SQLite: written first.
        match_key = event.data["parties"][0]["match_key"]
        assert key_rows(hub, match_key) == (1 if "POSTGRES_SCHEMA" not in store_env else 0)
        if event is twice:  # a crash: the retry is another process's
            hub.close()
            hub = PartnershipHub(env=settings.store_env)
        assert hub.record_batch(SOURCE, [(offset, event)], last_offset=offset,
                                on_refused=lambda *_: None) == 1
        assert key_rows(hub, match_key) == 1
        hub.close()
        fresh = PartnershipHub(env=settings.store_env)  # reads with the stored key only
        incident = fresh.incident("met-police", event.data["record"]["ref"])
        assert incident is not None and incident.parties[0]["name"] == rows[offset]["victim_name"]
        fresh.close()


def test_events_whose_key_cannot_be_written_are_not_stored(
        store_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    hub = PartnershipHub(env=settings.store_env)
    keys = hub.mapper.transcoder.keys  # type: ignore[attr-defined]
    ((_, event),) = envelopes(secrets.token_bytes(32), incident_rows(1))
    statement = keys.insert_sql().replace("subject_keys", "no_such_table")
    with monkeypatch.context() as patched:
        patched.setattr(keys, "insert_sql", lambda: statement)
        with pytest.raises(Exception, match="no_such_table"):
            hub.record_batch(SOURCE, [(0, event)], last_offset=0, on_refused=lambda *_: None)
    assert not hub.has_recorded(Tracking(SOURCE, 0))
    assert hub.incident("met-police", "CR-00000") is None
    assert hub.record_batch(SOURCE, [(0, event)], last_offset=0,
                            on_refused=lambda *_: None) == 1
    hub.close()
    fresh = PartnershipHub(env=settings.store_env)
    incident = fresh.incident("met-police", "CR-00000")
    assert incident is not None and incident.parties[0]["name"] == "Ash Applewood"
    fresh.close()


def test_a_case_held_decrypted_is_snapshotted_from_the_store_after_an_erasure(
        store_env: dict[str, str]) -> None:
    """The worker holds the case with its parties' names in memory; a person is erased by
    another process; once the worker's key cache has expired, the case's next snapshot is
    read from the store: the name stays gone, and no new key is made to seal it again."""
    settings = Settings.from_env(store_env)
    settings.data_dir.mkdir(parents=True)
    worker, dpo = (PartnershipHub(env=settings.store_env) for _ in range(2))
    worker.mapper.transcoder.keys.ttl = 0.0  # type: ignore[attr-defined]  # as if 10 s passed
    quill = {**person("Quill Umberlee", "1977-07-07", "victim"), "name": "Quill Umberlee"}
    worker.record_batch(SOURCE, [(0, envelope("case.opened", opened("C9", parties=[quill])))],
                        last_offset=0, on_refused=lambda *_: None)
    held = worker.working_set.load([ids.case_id("wcc-asb", "C9")])
    assert next(iter(held.values())).parties[0]["name"] == "Quill Umberlee"
    dpo.mapper.transcoder.keys.erase(quill["match_key"])  # type: ignore[attr-defined]
    updates = [(n, envelope("case.updated", change(n + 1, "C9", changes={
        "lead_officer": f"Officer {n}"}))) for n in range(1, 50)]
    worker.record_batch(SOURCE, updates, last_offset=49, on_refused=lambda *_: None)
    worker.close()
    assert key_rows(dpo, quill["match_key"]) == 1  # the erased key only
    fresh = PartnershipHub(env=settings.store_env)
    assert fresh.snapshots is not None
    snapshots: list[Any] = list(fresh.snapshots.get(ids.case_id("wcc-asb", "C9")))
    (snapshot,) = snapshots
    assert snapshot.originator_version == 50
    assert snapshot.state["parties"][0]["name"] is None
    fresh.close()
    dpo.close()
