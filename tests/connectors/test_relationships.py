"""The relationships connector: agency words to the hub's relationship kinds, and the rows it
will not send (seeds/002 L890: GMAP shares siblings and family members)."""

from __future__ import annotations

import csv
import secrets
from pathlib import Path
from typing import Any

from connectors.registry import CONNECTORS
from connectors.toolkit import Reject, map_records
from domain.contract import matchkeys
from domain.contract.envelope import Envelope

KEY = secrets.token_bytes(32)
COLUMNS = ["relationship_ref", "version", "recorded_at", "subject_name", "subject_dob",
           "related_name", "related_dob", "relationship", "since", "until", "lives_together"]
ROW = {"relationship_ref": "R-1", "version": "1", "recorded_at": "01/10/2026 09:00",
       "subject_name": "Jory Fenhallow", "subject_dob": "03/02/2006",
       "related_name": "Kit Fenhallow", "related_dob": "2012-04-05", "relationship": "Half-Brother",
       "since": "", "until": "", "lives_together": "y"}


def mapped(tmp_path: Path, *rows: dict[str, Any]) -> list[Envelope | Reject]:
    source = tmp_path / "ties.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return list(map_records(CONNECTORS["relationships-csv"], source, agency="met-police",
                            partnership_key=KEY))


def test_a_row_becomes_a_tie_from_the_related_person_to_the_subject(tmp_path: Path) -> None:
    [envelope] = mapped(tmp_path, ROW)
    assert isinstance(envelope, Envelope)
    data = envelope.data
    assert envelope.type == "person.relationship.recorded"
    assert envelope.id == "met-police:person.relationship.recorded:R-1:v1"
    assert data["relationship"] == "sibling" and data["lives_together"] is True
    assert data["person"]["name"] == "Kit Fenhallow"
    assert data["relative"]["match_key"] == matchkeys.person_key(KEY, "Jory Fenhallow",
                                                                 "2006-02-03")
    assert data["recorded_at"] == "2026-10-01T09:00:00Z"
    assert "since" not in data and "until" not in data


def test_an_ended_tie_and_the_rows_that_are_refused(tmp_path: Path) -> None:
    ended, unknown, itself, unnamed = mapped(
        tmp_path, {**ROW, "relationship": "Ex-partner", "until": "30/06/2025"},
        {**ROW, "relationship_ref": "R-2", "relationship": "Cousin"},
        {**ROW, "relationship_ref": "R-3", "related_name": "Jory Fenhallow",
         "related_dob": "2006-02-03"},
        {**ROW, "relationship_ref": "R-4", "related_name": ""})
    assert isinstance(ended, Envelope)
    assert ended.data["relationship"] == "former_partner"
    assert ended.data["until"] == "2025-06-30"
    assert isinstance(unknown, Reject) and unknown.field == "relationship"
    assert "unknown relationship 'Cousin'" in unknown.reason
    assert isinstance(itself, Reject) and itself.field == "related_name"
    assert isinstance(unnamed, Reject) and unnamed.field == "related_name"
