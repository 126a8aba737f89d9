"""The demo's case view (wcc-asb CASE-2026-0042) as the policy sees it, built without a broker.

The demo's three CSV files are mapped by the same connector code `hub demo` runs, recorded into a
scratch SQLite store, and the case view is built as the API builds it. Used by the policy
benchmark and the golden decisions, so both measure the view a partner actually asks for.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eventsourcing.cryptography import AESCipher

from connectors import csv_cases, csv_incidents
from hub.application import PartnershipHub
from hub.settings import Settings
from hub.views.case_view import build_case_view

SAMPLES = resources.files("hub").joinpath("demo_data")
CASE = ("wcc-asb", "CASE-2026-0042")
AS_OF = date(2026, 11, 23)
DEMO_KEY = hashlib.sha256(b"fictional demo partnership key").digest()
"""A fixed partnership key, so the view's match keys (and a frozen copy of it) are stable."""
FROZEN = Path(__file__).resolve().parents[1] / "tests" / "policy" / "data" / "demo_case_view.json"


def demo_case_view_fields(key: bytes = DEMO_KEY) -> list[dict[str, Any]]:
    """The policy view (every attribute but the value) of each field of the demo case view."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"HUB_DATA_DIR": tmp,
                                      "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32)})
        hub = PartnershipHub(env=settings.store_env)
        feeds = (("met-police", "met-police-incidents", csv_incidents.read_incidents),
                 ("wcc-asb", "wcc-asb-incidents", csv_incidents.read_incidents),
                 ("wcc-asb", "wcc-asb-cases", csv_cases.read_cases))
        for n, (agency, sample, read) in enumerate(feeds):
            source = Path(tmp) / f"{sample}.csv"
            source.write_text(SAMPLES.joinpath(f"{sample}.csv").read_text())
            events = list(read(source, agency=agency, partnership_key=key))
            hub.record_batch(f"demo:{n}", list(enumerate(events)), last_offset=len(events) - 1,
                             on_refused=lambda offset, refusal: None)
        view = build_case_view(hub, *CASE)
        assert view is not None, "the demo case was not recorded"
        return [f.policy_view() for f in view.fields(AS_OF)]


if __name__ == "__main__":
    import json

    fields = demo_case_view_fields()
    FROZEN.parent.mkdir(parents=True, exist_ok=True)
    FROZEN.write_text(json.dumps(fields, indent=1) + "\n")
    print(f"{len(fields)} fields written to {FROZEN}")
