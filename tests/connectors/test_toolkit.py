"""The connector toolkit without a broker: mapping, local validation, rejects, the spool."""

from __future__ import annotations

import csv
import json
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from connectors.registry import CONNECTORS
from connectors.runner import read_rejects, spool_source
from connectors.samples.generate import write_noise
from connectors.spool import Spool
from connectors.toolkit import Reject, map_records
from domain.contract.envelope import Envelope, canonical_bytes, parse, verify
from tests.connectors.conftest import SAMPLE_AGENCIES, SAMPLES

KEY = secrets.token_bytes(32)
BAD_ROWS = [10, 200, 400, 600, 999]  # record indexes; spreadsheet rows are index + 2


def mapped(connector: str, path: Path) -> list[Envelope | Reject]:
    return list(map_records(CONNECTORS[connector], path, agency="test-agency",
                            partnership_key=KEY))


@pytest.mark.parametrize("connector", sorted(SAMPLE_AGENCIES))
def test_every_committed_sample_maps_and_validates_with_no_rejects(connector: str) -> None:
    items = mapped(connector, SAMPLES / SAMPLE_AGENCIES[connector][1])
    assert items and all(isinstance(i, Envelope) for i in items)
    ids = [i.id for i in items if isinstance(i, Envelope)]
    assert len(set(ids)) == len(ids)
    assert all(i.startswith("test-agency:") and i.endswith(":v1") for i in ids)


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_five_bad_rows_among_a_thousand(tmp_path: Path, suffix: str) -> None:
    source = tmp_path / "noise.csv"
    write_noise(source, 1000, bad_rows=BAD_ROWS)
    rejects_file = tmp_path / f"rejects{suffix}"
    with Spool(tmp_path / "spool") as spool:
        result = spool_source(CONNECTORS["noise-csv"], source, agency="wcc-noise",
                              partnership_key=KEY, key=Ed25519PrivateKey.generate(),
                              spool=spool, rejects_path=rejects_file)
        status = spool.status()
    assert (result.read, result.spooled, result.rejected) == (1000, 995, 5)
    assert (status.pending, status.rejected) == (995, 5)
    rejects = read_rejects(rejects_file)
    assert [int(r["row"]) for r in rejects] == [i + 2 for i in BAD_ROWS]
    assert [r["field"] for r in rejects] == ["received_at", "source", "complainant_dob",
                                             "complainant_dob", "postcode"]
    assert all(r["reason"] and r["ref"].startswith("NS-") for r in rejects)
    assert "too long" in rejects[-1]["reason"]


def test_the_spool_holds_signed_envelopes_and_a_reexport_adds_nothing(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    source = SAMPLES / "police-incidents.csv"
    with Spool(tmp_path / "spool") as spool:
        first = spool_source(CONNECTORS["police-csv"], source, agency="met-police",
                             partnership_key=KEY, key=key, spool=spool,
                             rejects_path=tmp_path / "r.jsonl")
        again = spool_source(CONNECTORS["police-csv"], source, agency="met-police",
                             partnership_key=KEY, key=key, spool=spool,
                             rejects_path=tmp_path / "r.jsonl")
        assert (first.spooled, again.spooled) == (40, 0)
        batch = spool.pending(1000)
        assert [b.seq for b in batch] == sorted(b.seq for b in batch)
        envelope = parse(batch[0].payload)
        verify(envelope, key.public_key())
        assert batch[0].subject == envelope.subject
        spool.mark_sent([b.seq for b in batch[:10]])
        assert (spool.status().pending, spool.status().sent) == (30, 10)
        assert spool.requeue("1970-01-01") == 10


def test_police_codes_and_markers(tmp_path: Path) -> None:
    rows = list(csv.DictReader((SAMPLES / "police-incidents.csv").open()))
    rows[0].update(police_category="Street Drinking", markers="CONFIDENTIAL|DA")
    rows[1].update(police_category="Alien landing")
    path = tmp_path / "police.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2])
    first, second = mapped("police-csv", path)
    assert isinstance(first, Envelope) and isinstance(second, Reject)
    assert first.data["category"] == "alcohol"
    assert first.data["confidentiality"] == "strict"
    assert first.data["flags"]["domestic_abuse"] is True
    assert (second.row, second.field) == (3, "police_category")
    assert "Alien landing" in second.reason


def test_sensitive_columns_map_to_categorised_fields_and_unknown_words_are_rejected(
        tmp_path: Path) -> None:
    rows = list(csv.DictReader((SAMPLES / "police-incidents.csv").open()))
    rows[0].update(police_category="Hate Incident", hate_motivation="Racist|Faith|Race",
                   victim_name="Ada Test", victim_dob="1990-01-02", victim_ethnicity="Arab",
                   suspect_name="Bo Test", suspect_dob="1991-01-02",
                   suspect_previous="Harassment:convicted:2022-02-03|Criminal damage")
    rows[1].update(hate_motivation="Football club")
    rows[2].update(suspect_name="Cy Test", suspect_dob="1992-01-02",
                   suspect_previous="Theft:sentenced")
    path = tmp_path / "police.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:3])
    hate, motivation, outcome = mapped("police-csv", path)
    assert isinstance(hate, Envelope)
    assert hate.data["hate_motivation"] == ["race", "religion"]
    victim, suspect = hate.data["parties"]
    assert victim["ethnicity"] == "Arab"
    assert suspect["previous_offences"] == [
        {"offence": "Harassment", "outcome": "convicted", "on": "2022-02-03"},
        {"offence": "Criminal damage"}]
    assert isinstance(motivation, Reject) and motivation.field == "hate_motivation"
    assert isinstance(outcome, Reject) and outcome.field == "suspect_previous"

    rows = list(csv.DictReader((SAMPLES / "housing-cases.csv").open()))
    rows[0].update(case_type="ASB-DV", complainant_health="Mental health: anxiety|Disability",
                   household_children="Dee Test 2015-03-04|Eli Test 2017-05-06")
    rows[1].update(complainant_health="Broken heart: sad")
    path = tmp_path / "housing.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2])
    case, unknown = mapped("housing-csv", path)
    assert isinstance(case, Envelope)
    complainant, _, *children = case.data["parties"]
    assert complainant["health"] == [{"kind": "mental_health", "note": "anxiety"},
                                     {"kind": "disability"}]
    assert [(c["role"], c["date_of_birth"], c["lives_at_location"]) for c in children] == [
        ("victim", "2015-03-04", True), ("victim", "2017-05-06", True)]
    assert isinstance(unknown, Reject) and unknown.field == "complainant_health"


def test_safeguarding_shares_only_asb_and_crime_concerns_as_special_category(
        tmp_path: Path) -> None:
    rows = list(csv.DictReader((SAMPLES / "mash-referrals.csv").open()))
    rows[0].update(service="Adults", subject_dob="2010-01-01", concern="Cuckooing")
    rows[1].update(concern="Neglect")
    path = tmp_path / "mash.csv"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:2])
    shared, kept = mapped("mash-csv", path)
    assert isinstance(shared, Envelope) and isinstance(kept, Reject)
    assert shared.data["flags"] == {"safeguarding": True, "youth": True,
                                    "domestic_abuse": False, "hate": False}
    assert shared.data["confidentiality"] == "strict"
    assert shared.data["category"] == "drugs"
    assert kept.field == "concern" and "not shared" in kept.reason


def test_housing_keeps_the_tenancy_reference_at_the_landlord() -> None:
    rows = list(csv.DictReader((SAMPLES / "housing-cases.csv").open()))
    for row, item in zip(rows, mapped("housing-csv", SAMPLES / "housing-cases.csv"),
                         strict=True):
        assert isinstance(item, Envelope)
        assert row["tenancy_ref"] not in json.dumps(item.data)
        assert item.data["location"]["estate"] == row["estate"]


@pytest.mark.skipif(shutil.which("jq") is None, reason="needs the Debian package jq")
def test_jq_canonical_form_is_byte_for_byte_the_signed_form() -> None:
    doc = {"b": [1, {"z": "ünïcode — “quotes” ½ 🚓", "a": "tab\tnew\nline \\ \" /"}],
           "a": {"y": None, "x": True, "w": -12}, "é": ""}
    done = subprocess.run(["jq", "-cS", "."], input=json.dumps(doc).encode(),
                          capture_output=True, check=True)
    assert done.stdout.rstrip(b"\n") == canonical_bytes(doc)
