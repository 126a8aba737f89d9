"""A worker killed with SIGKILL mid-batch, then restarted: every event stored exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter

from eventsourcing.utils import get_topic

from connectors.csv_incidents import row_to_envelope
from connectors.publisher import AgencyPublisher
from domain.model import Incident
from tests.conftest import Partnership, wait_until

EVENTS = 2000


FIRST = ("Ash", "Bryn", "Cai", "Dee", "Eli", "Fen", "Gus", "Hal", "Ivo", "Jem", "Kit", "Lux",
         "Max", "Ned", "Oz")
LAST = ("Applewood", "Birchley", "Cobble", "Dunmore", "Elmfield", "Foxton", "Garrow", "Hollins",
        "Ivybridge", "Juniper")
PEOPLE = [f"{first} {last}" for first in FIRST for last in LAST]  # 150 fictional people


def incident_rows(count: int) -> list[dict[str, str]]:
    """Incidents about 150 fictional people, so many records update the same person."""
    return [{"incident_ref": f"CR-{n:05d}", "version": "1",
             "occurred_at": f"2026-{1 + n % 12:02d}-{1 + n % 28:02d}T20:00:00Z",
             "category": "noise", "summary": f"Noise complaint {n}",
             "victim_name": PEOPLE[n % 150], "victim_dob": "1980-01-01",
             "perpetrator_name": PEOPLE[(n * 7 + 3) % 40], "perpetrator_dob": "1975-06-15"}
            for n in range(count)]


def start_worker(partnership: Partnership) -> subprocess.Popen[bytes]:
    env = {**os.environ, **partnership.env, "HUB_KAFKA_MAX_POLL_INTERVAL_MS": "5000",
           "HUB_KAFKA_SESSION_TIMEOUT_MS": "6000"}
    return subprocess.Popen([sys.executable, "-m", "hub.cli", "worker"], env=env)


def reported_ids(hub) -> list[str]:  # type: ignore[no-untyped-def]
    notifications = hub.process_recorder.select_notifications(
        start=1, limit=1_000_000, topics=[get_topic(Incident.Reported)])
    return [str(n.originator_id) for n in notifications]


def test_killed_worker_resumes_without_loss_or_duplicates(partnership: Partnership) -> None:
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    envelopes = [row_to_envelope(row, agency="met-police", source="urn:test",
                                 partnership_key=partnership.partnership_key)
                 for row in incident_rows(EVENTS)]
    with AgencyPublisher(bootstrap, "met-police", partnership.agency_keys["met-police"]) as pub:
        pub.publish(envelopes)
    hub = partnership.open_hub()

    first = start_worker(partnership)
    try:
        wait_until(lambda: len(reported_ids(hub)) >= 200, timeout=120, what="ingest under way")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    at_kill = len(reported_ids(hub))
    assert at_kill < EVENTS, "the worker finished before it could be killed mid-run"

    second = start_worker(partnership)
    try:
        wait_until(lambda: len(reported_ids(hub)) >= EVENTS, timeout=180, what="all events")
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0

    stored = reported_ids(hub)
    duplicates = [i for i, n in Counter(stored).items() if n > 1]
    assert len(stored) == EVENTS and not duplicates
    person = hub.person(envelopes[0].data["parties"][0]["match_key"])
    assert person is not None
    # each of its incidents linked exactly once
    assert len(person.links) == len(range(0, EVENTS, 150))
