"""Sample connector: an agency's CSV export of incidents, mapped to ``incident.reported``.

Columns (one row per incident version): incident_ref, version, occurred_at, reported_at,
category, summary, channel, address, postcode, ward, victim_name, victim_dob, perpetrator_name,
perpetrator_dob, domestic_abuse, confidentiality; optionally hate_motivation and, for the
victim and perpetrator, ``<prefix>_ethnicity``, ``_religion``, ``_sexual_orientation``,
``_health`` and ``_previous_offences`` (formats in connectors/sensitive.py). Empty cells are
simply absent.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from connectors import sensitive
from domain.contract import matchkeys
from domain.contract.envelope import Envelope, new_envelope

EVENT_TYPE = "incident.reported"


def _party(partnership_key: bytes, role: str, name: str, dob: str) -> dict[str, Any]:
    return {"role": role, "match_key": matchkeys.person_key(partnership_key, name, dob),
            "name_key": matchkeys.name_key(partnership_key, name),
            "dob_key": matchkeys.dob_key(partnership_key, dob), "name": name,
            "date_of_birth": dob}


def _facts(row: dict[str, str], prefix: str) -> dict[str, Any]:
    """The party's special category and offence data, where the export has them."""
    found: dict[str, Any] = {name: row[f"{prefix}_{name}"].strip()
                             for name in ("ethnicity", "religion", "sexual_orientation")
                             if (row.get(f"{prefix}_{name}") or "").strip()}
    health = sensitive.health(row, f"{prefix}_health")
    offences = sensitive.previous_offences(row, f"{prefix}_previous_offences")
    return {**found, **({"health": health} if health else {}),
            **({"previous_offences": offences} if offences else {})}


def row_to_envelope(row: dict[str, str], *, agency: str, partnership_key: bytes,
                    source: str) -> Envelope:
    parties = []
    for role, prefix in (("victim", "victim"), ("alleged_perpetrator", "perpetrator")):
        if row.get(f"{prefix}_name") and row.get(f"{prefix}_dob"):
            parties.append({**_party(partnership_key, role, row[f"{prefix}_name"],
                                     row[f"{prefix}_dob"]), **_facts(row, prefix)})
    data: dict[str, Any] = {
        "record": {"ref": row["incident_ref"], "version": int(row.get("version") or 1)},
        "occurred_at": row["occurred_at"],
        "reported_at": row.get("reported_at") or row["occurred_at"],
        "category": row["category"],
        "summary": row.get("summary", ""),
        "parties": parties,
        "flags": {"domestic_abuse": row.get("domestic_abuse", "").lower() in {"y", "yes", "true"}},
        "confidentiality": row.get("confidentiality") or "standard",
    }
    motivation = sensitive.hate_motivation(row, "hate_motivation")
    if motivation:
        data["hate_motivation"] = motivation
    if row.get("channel"):
        data["channel"] = row["channel"]
    if row.get("address") or row.get("postcode"):
        data["location"] = {
            "match_key": matchkeys.location_key(partnership_key, address=row.get("address", ""),
                                                postcode=row.get("postcode", "")),
            "address": row.get("address", ""),
            "postcode": row.get("postcode", ""),
            "ward": row.get("ward", ""),
        }
    # All events about the person most at risk share a partition, so arrive in order.
    subject = parties[0]["match_key"] if parties else data.get("location", {}).get(
        "match_key", f"{agency}:{row['incident_ref']}")
    version = data["record"]["version"]
    return new_envelope(event_id=f"{agency}:{EVENT_TYPE}:{row['incident_ref']}:v{version}",
                        source=source, event_type=EVENT_TYPE, subject=subject, agency=agency,
                        data=data)


def read_incidents(path: Path, *, agency: str, partnership_key: bytes) -> Iterator[Envelope]:
    source = f"urn:csp-hub:agency:{agency}:csv-incidents"
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            yield row_to_envelope(row, agency=agency, partnership_key=partnership_key,
                                  source=source)
