"""Each connector, from its committed sample file through the real broker into the hub store."""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
import subprocess
import threading
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka import KafkaProducer

from connectors.cli import main
from connectors.council_webhook import SIGNATURE_HEADER, WebhookReceiver, sign_body
from connectors.deadletters import read_deadletters
from connectors.publisher import AgencyPublisher, SpoolSender
from connectors.registry import CONNECTORS
from connectors.runner import RejectsFile, watch
from connectors.samples.generate import write_noise
from connectors.spool import Spool
from domain.contract import matchkeys
from domain.contract.envelope import new_envelope
from domain.model import Case, Incident
from tests.conftest import wait_until
from tests.connectors.conftest import (
    SAMPLE_AGENCIES,
    SAMPLES,
    LiveHub,
    caught_up,
    count_created,
    messages_on,
)


def run_sample(live: LiveHub, connector: str, tmp_path: Path) -> None:
    agency, sample = SAMPLE_AGENCIES[connector]
    assert main(["run", connector, "--source", str(SAMPLES / sample), "--agency", agency,
                 "--key-file", str(live.key_file(agency)), "--bootstrap", live.bootstrap,
                 "--partnership-key-file", str(live.partnership_key_file()),
                 "--spool", str(tmp_path / f"{agency}.spool")]) == 0


def rows(sample: str) -> list[dict[str, str]]:
    with (SAMPLES / sample).open(newline="") as handle:
        return list(csv.DictReader(handle))


def wait_for(live: LiveHub, kind: type, agency: str, refs: list[str]) -> list:  # type: ignore[type-arg]
    fetch = live.hub.incident if kind is Incident else live.hub.case

    def arrived() -> bool:
        return all(fetch(agency, ref) is not None for ref in refs[-3:]) and all(
            fetch(agency, ref) is not None for ref in refs)

    wait_until(arrived, timeout=60, what=f"{len(refs)} {kind.__name__} records of {agency}")
    return [fetch(agency, ref) for ref in refs]


def test_police_incidents_and_calls(live_hub: LiveHub, tmp_path: Path) -> None:
    run_sample(live_hub, "police-csv", tmp_path)
    source = rows("police-incidents.csv")
    held = wait_for(live_hub, Incident, "met-police", [r["reference"] for r in source])
    for row, incident in zip(source, held, strict=True):
        strict = "CONFIDENTIAL" in row["markers"]
        assert incident.confidentiality == ("strict" if strict else "standard")
        if row["police_category"] == "Street Drinking":
            assert incident.category == "alcohol"
        if row["police_category"] == "Domestic Incident":
            assert incident.flags["domestic_abuse"]
        # special category and offence data (docs/connectors/police-csv.md)
        assert bool(incident.hate_motivation) == bool(row["hate_motivation"])
        victim = next((p for p in incident.parties if p["role"] == "victim"), {})
        assert victim.get("ethnicity", "") == row["victim_ethnicity"]
        suspect = next((p for p in incident.parties if p["role"] == "alleged_perpetrator"), {})
        assert len(suspect.get("previous_offences", [])) == len(
            [e for e in row["suspect_previous"].split("|") if e])
    assert any(i.hate_motivation for i in held)
    assert any("previous_offences" in p for i in held for p in i.parties)
    assert {i.summary.split(":")[0] for i in held} == {"Call", "Incident"}
    assert any(i.confidentiality == "strict" for i in held)


def test_noise_service_complaints(live_hub: LiveHub, tmp_path: Path) -> None:
    run_sample(live_hub, "noise-csv", tmp_path)
    source = rows("noise-complaints.csv")
    held = wait_for(live_hub, Incident, "wcc-noise", [r["complaint_ref"] for r in source])
    assert {(i.category, i.channel) for i in held} == {("noise", "noise_service")}
    places = [i.location["match_key"] for i in held]
    assert len(set(places)) < 0.75 * len(places)  # many repeats at the same address
    assert all(p["role"] == "complainant" for i in held for p in i.parties)


def test_housing_provider_cases(live_hub: LiveHub, tmp_path: Path) -> None:
    run_sample(live_hub, "housing-csv", tmp_path)
    source = rows("housing-cases.csv")
    held = wait_for(live_hub, Case, "wcc-housing", [r["case_ref"] for r in source])
    for row, case in zip(source, held, strict=True):
        assert case.location["estate"] == row["estate"]
        assert ("Actions to date" in case.summary) == bool(row["actions"])
        assert row["tenancy_ref"] not in json.dumps(case.location)
        children = [p for p in case.parties if p["role"] != "complainant"
                    and p.get("lives_at_location")]
        assert len(children) == len([c for c in row["household_children"].split("|") if c])
        complainant = next(p for p in case.parties if p["role"] == "complainant")
        assert bool(complainant.get("health")) == bool(row["complainant_health"])
    assert any(len(c.parties) > 2 for c in held)


def test_safeguarding_referrals(live_hub: LiveHub, tmp_path: Path) -> None:
    run_sample(live_hub, "mash-csv", tmp_path)
    source = rows("mash-referrals.csv")
    held = wait_for(live_hub, Incident, "wcc-mash", [r["referral_ref"] for r in source])
    for row, incident in zip(source, held, strict=True):
        assert incident.flags["safeguarding"] is True
        assert incident.confidentiality == "strict"
        if row["service"] == "Children":
            assert incident.flags["youth"] is True
        assert incident.channel == "on_behalf"


def test_council_cases_by_webhook(live_hub: LiveHub, tmp_path: Path) -> None:
    agency = "wcc-asb"
    cases = json.loads((SAMPLES / "council-cases.json").read_text())
    secret = secrets.token_bytes(32)
    spool = Spool(tmp_path / "webhook.spool")
    sender = SpoolSender(spool, live_hub.bootstrap, agency)
    with RejectsFile(tmp_path / "webhook-rejects.jsonl") as rejects:
        receiver = WebhookReceiver(host="127.0.0.1", port=0, secret=secret, agency=agency,
                                   partnership_key=live_hub.partnership_key,
                                   key=live_hub.agency_keys[agency], spool=spool,
                                   sender=sender, rejects=rejects, send_interval=0.2).start()
        try:
            with httpx.Client() as http:
                body = json.dumps(cases[0]).encode()
                forged = http.post(receiver.url, content=body,
                                   headers={SIGNATURE_HEADER: sign_body(b"wrong", body)})
                assert forged.status_code == 401
                body = json.dumps(cases).encode()
                accepted = http.post(receiver.url, content=body,
                                     headers={SIGNATURE_HEADER: sign_body(secret, body)})
                assert accepted.status_code == 202, accepted.text
                assert len(accepted.json()["accepted"]) == len(cases)
                bad = {**cases[0], "caseId": "WCC-BAD-1", "type": "Unicorns"}
                body = json.dumps([bad]).encode()
                refused = http.post(receiver.url, content=body,
                                    headers={SIGNATURE_HEADER: sign_body(secret, body)})
                assert refused.status_code == 422
                assert refused.json()["rejected"][0]["field"] == "type"
            held = wait_for(live_hub, Case, agency, [c["caseId"] for c in cases])
        finally:
            receiver.stop()
            sender.close()
    assert held[0].incident_refs == cases[0]["linkedIncidents"]
    assert spool.status().rejected == 1
    spool.close()
    # the same export replayed from a file is no duplicate
    run_sample(live_hub, "council-webhook", tmp_path)
    wait_until(lambda: caught_up(live_hub.hub, live_hub.bootstrap, agency), timeout=60,
               what="the hub to read the replayed export")
    assert messages_on(live_hub.bootstrap, agency) == 2 * len(cases)  # sent twice to Kafka ...
    created, distinct = count_created(live_hub.hub, Case)
    assert created == distinct  # ... held once


def test_generic_csv_commands_used_by_the_demo_still_work(live_hub: LiveHub,
                                                          tmp_path: Path) -> None:
    demo = Path(__file__).parents[2] / "hub" / "demo_data"
    for kind, sample in (("incidents-csv", "met-police-incidents.csv"),
                         ("cases-csv", "wcc-asb-cases.csv")):
        agency = "met-police" if sample.startswith("met") else "wcc-asb"
        assert main(["run", kind, "--source", str(demo / sample), "--agency", agency,
                     "--key-file", str(live_hub.key_file(agency)),
                     "--bootstrap", live_hub.bootstrap,
                     "--partnership-key-file", str(live_hub.partnership_key_file())]) == 0
    wait_until(lambda: live_hub.hub.case("wcc-asb", "CASE-2026-0042") is not None, timeout=60)


def test_deadletters_for_one_agency_are_read_back(live_hub: LiveHub,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = new_envelope(event_id="wcc-housing:incident.reported:X-1:v1", source="urn:test",
                       event_type="incident.reported", subject="s", agency="wcc-housing",
                       data={"record": {"ref": "X-1", "version": 1}})
    # signed with a key the hub does not know for this agency
    with AgencyPublisher(live_hub.bootstrap, "wcc-housing", Ed25519PrivateKey.generate()) as pub:
        pub.publish([bad])
    wait_until(lambda: any(d.get("event_id") == bad.id for d in
                           read_deadletters(live_hub.bootstrap, "wcc-housing", timeout=5)),
               timeout=60, what="the dead letter")
    assert main(["deadletters", "--agency", "wcc-housing", "--bootstrap",
                 live_hub.bootstrap]) == 0
    out = capsys.readouterr().out
    assert "bad-signature" in out and bad.id in out
    assert main(["deadletters", "--agency", "wcc-noise", "--bootstrap", live_hub.bootstrap,
                 "--json"]) == 0
    assert bad.id not in capsys.readouterr().out
    # An agency the hub never registered is told why it sees nothing, and what to ask for.
    assert main(["deadletters", "--agency", "lfb", "--bootstrap", live_hub.bootstrap]) == 1
    err = capsys.readouterr().err
    assert "hub.deadletter._unknown" in err and "hub agencies register lfb" in err


NON_PYTHON_TOOLS = ("kcat", "jq", "openssl")
SHELL_PUBLISHER = Path(__file__).parents[2] / "connectors" / "samples" / "publish_with_kcat.sh"
needs_tools = pytest.mark.skipif(
    any(shutil.which(t) is None for t in NON_PYTHON_TOOLS),
    reason="needs the Debian packages kcat, jq and openssl (apt-get install -y kcat jq openssl)")


def shell_publish(live: LiveHub, agency: str, ref: str, **env: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    return subprocess.run(["bash", str(SHELL_PUBLISHER)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "BOOTSTRAP": live.bootstrap,
                                           "AGENCY": agency, "REF": ref,
                                           "KEY_FILE": str(live.key_file(agency)),
                                           "PARTNERSHIP_KEY_HEX": live.partnership_key.hex(),
                                           **env})


def assert_shell_event_held(live: LiveHub, agency: str, ref: str) -> None:
    wait_until(lambda: live.hub.incident(agency, ref) is not None, timeout=60,
               what="the shell-signed event in the hub")
    incident = live.hub.incident(agency, ref)
    assert incident.summary.startswith("Loud music after midnight — “half")
    # the shell's match keys are the ones a Python connector computes
    assert incident.parties[0]["match_key"] == matchkeys.person_key(
        live.partnership_key, "Alex Sample", "1990-04-12")
    assert incident.location["match_key"] == matchkeys.location_key(
        live.partnership_key, address="12 Quillon Street", postcode="W2 1ZZ")


@needs_tools
def test_an_event_signed_by_jq_and_openssl_is_accepted(live_hub: LiveHub,
                                                       tmp_path: Path) -> None:
    """The documented shell pipeline (jq canonical form, openssl Ed25519 and HMAC) makes an
    event the hub accepts; the exact bytes are sent as any Kafka client would send them."""
    agency, out = "kcat-agency", tmp_path / "signed.json"
    done = shell_publish(live_hub, agency, "SHELL-1", OUT=str(out))
    assert done.returncode == 0, done.stderr
    producer = KafkaProducer(bootstrap_servers=live_hub.bootstrap, acks="all")
    producer.send(f"hub.agency.{agency}", key=Path(f"{out}.key").read_bytes(),
                  value=out.read_bytes().rstrip(b"\n")).get(30)
    producer.close()
    assert_shell_event_held(live_hub, agency, "SHELL-1")


def newer_librdkafka(tmp_path: Path) -> dict[str, str]:
    """Debian 12's kcat links librdkafka 2.0.2, which cannot parse the ApiVersions v3 answer
    of the embedded Tansu broker ("Read underflow"). The confluent-kafka wheel (a test extra)
    ships a current librdkafka: kcat runs against it unchanged, through LD_LIBRARY_PATH.
    Against Apache Kafka, Debian's own library works as it is."""
    import confluent_kafka

    shipped = sorted((Path(confluent_kafka.__file__).parents[1] / "confluent_kafka.libs")
                     .glob("librdkafka-*.so.1"))
    assert shipped, "the confluent-kafka wheel no longer ships librdkafka where expected"
    libs = tmp_path / "librdkafka"
    libs.mkdir()
    (libs / "librdkafka.so.1").symlink_to(shipped[0])
    return {"LD_LIBRARY_PATH": str(libs)}


@needs_tools
def test_kcat_publishes_a_signed_event_the_hub_accepts(live_hub: LiveHub,
                                                       tmp_path: Path) -> None:
    agency = "kcat-agency"
    done = shell_publish(live_hub, agency, "KCAT-1", **newer_librdkafka(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"{agency}:incident.reported:KCAT-1:v1"
    assert_shell_event_held(live_hub, agency, "KCAT-1")


def test_replay_resends_and_the_hub_still_holds_each_record_once(
        live_hub: LiveHub, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    agency, spool = "wcc-replay", tmp_path / "replay.spool"
    common = ["--agency", agency, "--key-file", str(live_hub.key_file(agency)),
              "--spool", str(spool)]
    assert main(["run", "noise-csv", "--source", str(SAMPLES / "noise-complaints.csv"),
                 "--bootstrap", live_hub.bootstrap,
                 "--partnership-key-file", str(live_hub.partnership_key_file()), *common]) == 0
    refs = [r["complaint_ref"] for r in rows("noise-complaints.csv")]
    wait_for(live_hub, Incident, agency, refs)
    assert main(["replay", "--since", "1970-01-01", "--bootstrap", live_hub.bootstrap,
                 *common]) == 0
    assert f"{len(refs)} events queued again, {len(refs)} acknowledged" in capsys.readouterr().out
    wait_until(lambda: caught_up(live_hub.hub, live_hub.bootstrap, agency), timeout=60,
               what="the hub to read the replay")
    assert messages_on(live_hub.bootstrap, agency) == 2 * len(refs)  # each sent twice ...
    created, distinct = count_created(live_hub.hub)
    assert created == distinct  # ... and held once
    assert all(len(live_hub.hub.incident(agency, ref).source_event_ids) == 1 for ref in refs)
    assert main(["status", *common]) == 0
    assert f"pending 0, sent {len(refs)}, rejected 0" in capsys.readouterr().out


def test_watch_sends_new_records_when_the_export_changes(live_hub: LiveHub,
                                                         tmp_path: Path) -> None:
    agency, source = "wcc-watch", tmp_path / "noise.csv"
    write_noise(source, 5, seed=3)
    spool = Spool(tmp_path / "watch.spool")
    sender = SpoolSender(spool, live_hub.bootstrap, agency)
    stop = threading.Event()
    watcher = threading.Thread(target=watch, daemon=True, args=(CONNECTORS["noise-csv"], source),
                               kwargs={"agency": agency, "key": live_hub.agency_keys[agency],
                                       "partnership_key": live_hub.partnership_key,
                                       "spool": spool, "sender": sender, "interval": 0.2,
                                       "rejects_path": tmp_path / "rejects.jsonl", "stop": stop})
    watcher.start()
    try:
        wait_for(live_hub, Incident, agency, [f"NS-{i:07d}" for i in range(1, 6)])
        write_noise(source, 8, seed=3)  # the agency's system rewrites its export
        wait_for(live_hub, Incident, agency, [f"NS-{i:07d}" for i in range(1, 9)])
    finally:
        stop.set()
        watcher.join(15)
        sender.close()
    assert spool.status().sent == 8
    spool.close()
