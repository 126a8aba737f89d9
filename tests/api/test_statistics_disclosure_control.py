"""Statistics single out no incident (issue 12 probe; CDA 1998 s17A depersonalised, seeds/002
L987-989; small numbers suppressed below 5, ICO Anonymisation code of practice): periods are
whole calendar months, every group is listed whether or not it has incidents, no answer gives
its total, labels differing only in punctuation keep their own counts, and purpose
`statistics` gives no record-level answer. Real app, real store."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import Tracking
from fastapi.testclient import TestClient

from domain.contract.envelope import new_envelope
from domain.contract.schemas import validate
from hub.statistics import count_path
from tests.api.conftest import Hub
from tests.panels.data import iso, place

_offsets = itertools.count(60_000)


def send(seeded: Hub, agency: str, event_type: str, data: dict[str, Any]) -> None:
    envelope = new_envelope(event_id=str(uuid4()), source=f"urn:agency:{agency}",
                            event_type=event_type, subject="statistics-test", agency=agency,
                            data=data, time=seeded.now)
    validate(envelope)
    seeded.hub.record_agency_event(envelope, Tracking("statistics-test:0", next(_offsets)))


def month(moment: Any) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def test_a_period_is_whole_calendar_months(client: TestClient, seeded: Hub) -> None:
    """A window of seconds around one household's report (CAD-90, Nell Nettlefold's first
    noise report, tests/panels/data.py) cannot be asked for; its month lists every category
    and every ward, the noise count shown like an empty one."""
    analyst = seeded.headers("analyst")
    at = seeded.now - timedelta(days=20, hours=2)
    for window in ({"since": (at - timedelta(seconds=1)).isoformat(),
                    "until": (at + timedelta(seconds=1)).isoformat()},
                   {"since": at.date().isoformat()}, {"until": "2026-13"},
                   {"since": month(at), "until": month(at - timedelta(days=40))}):
        refused = client.get("/v1/statistics", headers=analyst,
                             params={"group_by": "category", **window})
        assert refused.status_code == 422, (window, refused.text)
    one_month = {"since": month(at), "until": month(at)}
    by_category = client.get("/v1/statistics", headers=analyst,
                             params={"group_by": "category", **one_month})
    assert by_category.status_code == 200, by_category.text
    counts = by_category.json()["counts"]
    assert len(counts) == 15 and set(counts.values()) == {"<5"}  # noise among 14 empty ones
    assert counts["noise"] == counts["drugs"] == "<5"
    assert (by_category.json()["since"], by_category.json()["until"]) == (month(at), month(at))


def test_no_answer_gives_its_total(client: TestClient, seeded: Hub) -> None:
    """All seven seeded incidents are in one ward: that ward's count is the total of the
    category grouping, where domestic abuse (4) and noise (3) are suppressed, so it is
    suppressed too (">=5"); over two periods neither total is given, so the difference that
    isolated one domestic abuse incident (CAD-32, 128 days ago) cannot be taken."""
    analyst = seeded.headers("analyst")
    cats = client.get("/v1/statistics", headers=analyst, params={"group_by": "category"})
    wards = client.get("/v1/statistics", headers=analyst, params={"group_by": "ward"})
    assert cats.json()["counts"]["domestic_abuse"] == cats.json()["counts"]["noise"] == "<5"
    assert wards.json()["counts"] == {"Church Street": ">=5"}
    since = month(seeded.now - timedelta(days=127))
    later = client.get("/v1/statistics", headers=analyst,
                       params={"group_by": "ward", "since": since}).json()["counts"]
    shown = [wards.json()["counts"]["Church Street"], later["Church Street"]]
    assert not any(isinstance(n, int) for n in shown), shown
    by_month = client.get("/v1/statistics", headers=analyst,
                          params={"group_by": "month"}).json()["counts"]
    assert all(isinstance(n, str) for n in by_month.values()), by_month  # one to 4 a month
    # With two wards of 5 or more, one is still shown: only the smallest is held back.
    for n in range(6):
        at = seeded.now - timedelta(days=1, minutes=n)
        send(seeded, "met-police", "incident.reported", {
            "record": {"ref": f"CAD-W{n}", "version": 1}, "occurred_at": iso(at),
            "reported_at": iso(at), "category": "drugs", "channel": "phone",
            "summary": "Dealing", "location": {**place(60 + n), "ward": "Westbourne"},
            "parties": [], "flags": {}})
    two = client.get("/v1/statistics", headers=analyst, params={"group_by": "ward"}).json()
    assert two["counts"] == {"Church Street": 7, "Westbourne": ">=5"}


def test_wards_differing_in_punctuation_keep_their_own_counts(client: TestClient,
                                                              seeded: Hub) -> None:
    """"Queen's Park" and "Queen’s Park" were one field path, so the policy refused every
    statistics request ("duplicate paths"): now each keeps its count under its own label."""
    for n, ward in enumerate(["Queen's Park"] * 6 + ["Queen’s Park"] * 2):  # ' and ’
        at = seeded.now - timedelta(days=2, minutes=n)
        send(seeded, "met-police", "incident.reported", {
            "record": {"ref": f"CAD-Q{n}", "version": 1}, "occurred_at": iso(at),
            "reported_at": iso(at), "category": "noise", "channel": "phone",
            "summary": "Noise", "location": {**place(40 + n), "ward": ward}, "parties": [],
            "flags": {}})
    counts = client.get("/v1/statistics", headers=seeded.headers("analyst"),
                        params={"group_by": "ward"})
    assert counts.status_code == 200, counts.text
    assert counts.json()["counts"] == {"Church Street": 7, "Queen's Park": 6,
                                       "Queen’s Park": "<5"}
    assert count_path("Queen's Park") != count_path("Queen’s Park")
    assert count_path("Queen's Park") == count_path("Queen's Park")  # stable
    assert count_path("Queen's Park").startswith("counts.Queen_s_Park_")


def test_statistics_purpose_gives_no_case_view_and_no_existence_oracle(
        client: TestClient, seeded: Hub) -> None:
    """The analyst (statistics only) naming housing's DA case HASB-1 got the police's linked
    DA incident (ref, category, time, ward), where an unknown ref gave 404: a case view for a
    depersonalised purpose is now refused whole, the same 404 as a case that is not there."""
    analyst = seeded.headers("analyst")
    known = client.post("/v1/case-views", headers=analyst, json={
        "case": {"agency": "wcc-housing", "ref": "HASB-1"}, "purpose": "statistics"})
    unknown = client.post("/v1/case-views", headers=analyst, json={
        "case": {"agency": "wcc-housing", "ref": "HASB-404"}, "purpose": "statistics"})
    assert (known.status_code, unknown.status_code) == (404, 404), known.text
    assert known.json()["detail"] == unknown.json()["detail"]
    assert set(known.json()) == set(unknown.json())
    rows = {r["disclosure_id"]: r for r in client.get(
        "/v1/disclosures", headers=seeded.headers("dpo"), params={"limit": 50}).json()}
    refusal = rows[known.json()["disclosure_id"]]
    assert refusal["released"] == [] and not refusal["allowed"]
    assert any("GET /v1/statistics" in r for r in refusal["reasons"]), refusal["reasons"]
