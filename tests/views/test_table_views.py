"""The views kept as tables in the store (hub/views/tables.py), on SQLite and PostgreSQL: the
DPO's first page costs the same with 50,000 disclosures as with 50, pages walk the log once, a
view survives a restart and catches up from where it stopped, two processes catching up at
once keep one copy, and ``hub views rebuild`` starts again from nothing with progress."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from domain.model.disclosure import Disclosure
from hub.application import PartnershipHub
from hub.views import disclosure_log
from hub.views.disclosure_log import DisclosureLog, LogQuery
from hub.views.tables import TableView
from tests.stores import hub_store


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    with hub_store(request.param, tmp_path, "v") as env:
        yield env


@contextlib.contextmanager
def opened(env: dict[str, str]) -> Iterator[PartnershipHub]:
    app = PartnershipHub(env=env)
    try:
        yield app
    finally:
        app.close()


def disclosure(n: int, person: str = "mk1:someone") -> Disclosure:
    return Disclosure(
        requester={"user": f"officer-{n % 7}", "agency": "wcc-housing", "role": "case_officer"},
        recipient="wcc-housing" if n % 3 else "met-police", purpose="asb_case_management",
        record_kind="case_view", record_ref=f"wcc-asb:ASB-{n}", subjects=[person],
        decision_id=uuid4().hex, allowed=bool(n % 5), released=["case.summary"],
        withheld={}, gateways=["cda_s115"] if n % 2 else [], consent_ids=[], agreement="swp-isp",
        reasons=[], bundle_revision="sha256:test", engine="regorus", requested_at=None,
        requested=[], released_categories=["case"], withheld_categories=[],
        suppliers=["wcc-asb"], justification="", necessity="", special_category_condition=None,
        referral=None, override=None, redactions=[], recipient_detail=None,
        legal_services_approval=None)


def record(app: PartnershipHub, count: int, start: int = 0, batch: int = 1000) -> None:
    for first in range(start, start + count, batch):
        app.save(*[disclosure(n) for n in range(first, min(first + batch, start + count))])


class Counted:
    """How much work a read does: documents opened and events read from the log."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, app: PartnershipHub) -> None:
        self.opened = self.read = 0
        sealed_open, stored = disclosure_log.Sealed.open, app.stored

        def counting_open(sealed: Any, data: Any) -> dict[str, Any]:
            self.opened += 1
            return sealed_open(sealed, data)

        def counting_stored(*args: Any, **kwargs: Any) -> list[Any]:
            found = stored(*args, **kwargs)
            self.read += len(found)
            return found

        monkeypatch.setattr(disclosure_log.Sealed, "open", counting_open)
        monkeypatch.setattr(app, "stored", counting_stored)


def first_page(app: PartnershipHub, monkeypatch: pytest.MonkeyPatch
               ) -> tuple[Counted, float, list[dict[str, Any]]]:
    counted = Counted(monkeypatch, app)
    started = time.perf_counter()
    page = DisclosureLog.of(app).page(LogQuery(outcome="released", limit=50)).rows
    return counted, time.perf_counter() - started, page


def test_the_first_page_costs_the_same_with_50000_disclosures_as_with_50(
        store: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(store) as app:
        record(app, 50)
        DisclosureLog.of(app).catch_up()
        small, small_s, small_page = first_page(app, monkeypatch)
        monkeypatch.undo()
        record(app, 49_950, start=50, batch=2000)
        DisclosureLog.of(app).catch_up()
        large, large_s, large_page = first_page(app, monkeypatch)
    # The same work whatever the size of the log: the page's own documents (and one to know
    # there is a next page), nothing read again from the notification log.
    assert (small.opened, small.read) == (len(small_page), 0)
    assert (large.opened, large.read) == (len(large_page), 0) and len(large_page) == 50
    assert [r["record_ref"] for r in large_page][-1] == "wcc-asb:ASB-49999"
    print(f"first page of 50: {small_s * 1000:.1f} ms with 50 disclosures, "
          f"{large_s * 1000:.1f} ms with 50,000")


def test_pages_walk_the_log_once_newest_page_first(store: dict[str, str]) -> None:
    with opened(store) as app:
        record(app, 237)
        log, seen, before = DisclosureLog.of(app), [], None
        pages = 0
        while True:
            page = log.page(LogQuery(limit=50, before=before))
            seen = page.rows + seen
            pages += 1
            if page.next_before is None:
                break
            before = page.next_before
        refs = [r["record_ref"] for r in seen]
        assert pages == 5 and refs == [f"wcc-asb:ASB-{n}" for n in range(237)]
        refused = log.rows(LogQuery(outcome="refused", limit=None))
        assert [r["record_ref"] for r in refused] == [f"wcc-asb:ASB-{n}"
                                                      for n in range(0, 237, 5)]
        police = log.rows(LogQuery(partner="met-police", gateway="cda_s115", limit=None))
        assert {int(r["record_ref"].split("-")[-1]) % 6 for r in police} == {3}


def test_a_view_survives_a_restart_and_carries_on_from_where_it_stopped(
        store: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    with opened(store) as app:
        record(app, 120)
        assert DisclosureLog.of(app).catch_up() == 120
    with opened(store) as app:
        record(app, 30, start=120)
        counted = Counted(monkeypatch, app)
        assert DisclosureLog.of(app).catch_up() == 30  # only what came since
        assert counted.read == 30 and DisclosureLog.of(app).count() == 150


def test_two_processes_catching_up_at_once_keep_one_copy(store: dict[str, str]) -> None:
    with opened(store) as first, opened(store) as second:
        record(first, 1500)
        views = [DisclosureLog(first), DisclosureLog(second), DisclosureLog(second)]
        errors: list[BaseException] = []

        def catch_up(view: TableView) -> None:
            try:
                view.catch_up()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=catch_up, args=(v,)) for v in views]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors
        assert DisclosureLog.of(first).count() == 1500
        rows = DisclosureLog.of(second).rows()
        assert len({r["disclosure_id"] for r in rows}) == len(rows) == 1500


def test_a_rebuild_starts_again_from_nothing_with_progress(store: dict[str, str]) -> None:
    with opened(store) as app:
        record(app, 40)
        log = DisclosureLog.of(app)
        before = log.rows()
        seen: list[Any] = []
        assert log.rebuild(progress=seen.append) == 40
        assert log.rows() == before and seen[-1].done == seen[-1].total


def test_hub_views_rebuild_and_list_from_the_command_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HUB_DATA_DIR", str(tmp_path))
    from hub.cli import main
    from hub.runtime import open_hub
    from hub.settings import Settings

    app = open_hub(Settings.from_env())
    record(app, 30)
    app.close()
    assert main(["views", "rebuild", "disclosure_log"]) == 0
    said = capsys.readouterr()
    assert "disclosure_log: 30 events applied" in said.out
    assert "[##############################] 100%" in said.err  # the progress bar, to the end
    assert main(["views", "list"]) == 0
    listed = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "(0 behind)" in listed["disclosure_log"]
    assert set(listed) == {"disclosure_log", "access_log", "panel_index", "incident_counts",
                           "party_standing"}


def test_a_view_of_rare_events_does_not_read_the_same_run_of_others_again(
        store: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Incidents are rare beside disclosures: once the incident counts have read past a run
    of disclosures they start after it, in this process at once and, when the run is long, in
    the store too (a restarted process does not read it again)."""
    from hub.views.incident_counts import IncidentCounts
    from hub.views.tables import SKIP_PERSIST

    with opened(store) as app:
        record(app, SKIP_PERSIST + 500, batch=2000)
        last = app.recorder.max_notification_id()
        counts = IncidentCounts.of(app)
        assert counts.catch_up() == 0 and counts.position() == last
        record(app, 10, start=SKIP_PERSIST + 500)
        starts: list[int] = []
        stored = app.stored

        def spy(*args: Any, **kwargs: Any) -> list[Any]:
            starts.append(kwargs["start"])
            return stored(*args, **kwargs)

        monkeypatch.setattr(app, "stored", spy)
        assert counts.catch_up() == 0 and starts == [last + 1]
        assert counts.position() == last  # ten are too few to write down
    with opened(store) as app:
        assert IncidentCounts.of(app).position() == last
