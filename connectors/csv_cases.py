"""Sample connector: a case management system's CSV export of opened cases (``case.opened``).

Columns: case_ref, version, opened_at, category, summary, lead_officer, triage_tier, address,
postcode, ward, victim_name, victim_dob, perpetrator_name, perpetrator_dob, incident_refs
(``agency:ref`` separated by ``;``), domestic_abuse; optionally the parties' sensitive facts
as in connectors/csv_incidents.py.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors.csv_incidents import _facts, _party
from domain.contract import matchkeys
from domain.contract.envelope import Envelope, new_envelope

EVENT_TYPE = "case.opened"


def row_to_envelope(row: dict[str, str], *, agency: str, partnership_key: bytes,
                    source: str) -> Envelope:
    parties = [{**_party(partnership_key, role, row[f"{prefix}_name"], row[f"{prefix}_dob"]),
                **_facts(row, prefix)}
               for role, prefix in (("victim", "victim"), ("alleged_perpetrator", "perpetrator"))
               if row.get(f"{prefix}_name") and row.get(f"{prefix}_dob")]
    refs = [dict(zip(("agency", "ref"), item.split(":", 1), strict=True))
            for item in (row.get("incident_refs") or "").split(";") if ":" in item]
    data: dict[str, Any] = {
        "record": {"ref": row["case_ref"], "version": int(row.get("version") or 1)},
        "opened_at": row["opened_at"], "category": row["category"],
        "summary": row.get("summary", ""), "parties": parties, "incident_refs": refs,
        "flags": {"domestic_abuse": row.get("domestic_abuse", "").lower() in {"y", "yes", "true"}},
    }
    for name in ("lead_officer", "triage_tier"):
        if row.get(name):
            data[name] = row[name]
    if row.get("address") or row.get("postcode"):
        data["location"] = {
            "match_key": matchkeys.location_key(partnership_key, address=row.get("address", ""),
                                                postcode=row.get("postcode", "")),
            "address": row.get("address", ""), "postcode": row.get("postcode", ""),
            "ward": row.get("ward", "")}
    subject = parties[0]["match_key"] if parties else f"{agency}:{row['case_ref']}"
    version = data["record"]["version"]
    return new_envelope(event_id=f"{agency}:{EVENT_TYPE}:{row['case_ref']}:v{version}",
                        source=source, event_type=EVENT_TYPE, subject=subject, agency=agency,
                        data=data)


def read_cases(path: Path, *, agency: str, partnership_key: bytes) -> Iterator[Envelope]:
    source = f"urn:csp-hub:agency:{agency}:csv-cases"
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row_to_envelope(row, agency=agency, partnership_key=partnership_key,
                                  source=source)
