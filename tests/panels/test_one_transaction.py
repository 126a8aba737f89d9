"""A panel command stores what it changed and its access record in one transaction: a process
killed right after the command's first write to the store has kept both or neither."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from hub.application import PartnershipHub
from hub.views.panel_index import PanelIndex
from tests.panels.data import hub_env

CHILD = textwrap.dedent("""
    import json, os, sys
    from datetime import UTC, datetime, timedelta
    from hub.application import PartnershipHub
    from hub.panels.service import PanelService
    from hub.policy import load_engine
    from hub.sharing import Requester

    app = PartnershipHub(env=json.loads(sys.argv[1]))
    service = PanelService(app, load_engine())
    insert = app.recorder.insert_events

    def insert_then_die(*args, **kwargs):
        found = insert(*args, **kwargs)
        os._exit(9)  # killed at once after the command's first write

    app.recorder.insert_events = insert_then_die
    service.schedule(Requester("chair", "met-police", "panel_chair"), "marac",
                     datetime.now(UTC) + timedelta(days=7))
    os._exit(0)  # not reached: the schedule writes
""")


def test_a_kill_after_the_first_write_keeps_the_meeting_with_its_access_record(
        tmp_path: Path) -> None:
    env = hub_env(tmp_path)
    killed = subprocess.run([sys.executable, "-c", CHILD, json.dumps(env)],
                            capture_output=True, text=True, timeout=120,
                            cwd=Path(__file__).resolve().parents[2])
    assert killed.returncode == 9, killed.stderr
    app = PartnershipHub(env=env)
    try:
        index = PanelIndex.of(app)
        meetings, accesses = index.meetings("marac"), index.access()
        assert len(meetings) == 1 and len(accesses) == 1
        access = app.repository.get(accesses[0])
        assert (access.page, access.meeting_id) == ("schedule", str(meetings[0]))
    finally:
        app.close()
