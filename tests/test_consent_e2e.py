"""Consent end to end, through the real broker, worker, store and API: the council's connector
publishes a person's consent (or refusal), the next decision uses it, staff withdraw it over
the API, the decision after that uses the withdrawal, and the DPO sees which earlier releases
relied on it. Bad consent records from the connector are dead-lettered and change nothing."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.council_webhook import SIGNATURE_HEADER, WebhookReceiver, sign_body
from connectors.deadletters import read_deadletters
from connectors.publisher import SpoolSender
from connectors.runner import RejectsFile
from connectors.spool import Spool
from domain.contract import matchkeys
from hub.application import PartnershipHub
from hub.consent import records
from hub.policy import load_engine
from hub.runtime import ApiServer
from tests.conftest import Partnership, wait_until

CLIENTS = {"idva": ("advance-idva", "idva"), "chair": ("met-police", "panel_chair"),
           "police": ("met-police", "police_officer"),
           "childrens": ("wcc-childrens", "safeguarding_lead"),
           "council": ("wcc-asb", "case_officer")}
VICTIM = ("Ada Testcase", "1985-05-05")
NAME = "case.party.0.name"


@dataclass
class Council:
    """The council's webhook connector, the hub's worker and API, on one partnership."""

    partnership: Partnership
    hub: PartnershipHub
    secret: bytes
    webhook: str
    api: httpx.Client

    def post(self, path: str, records: list[dict[str, Any]]) -> httpx.Response:
        body = json.dumps(records).encode()
        answer = httpx.post(self.webhook + path, content=body,
                            headers={SIGNATURE_HEADER: sign_body(self.secret, body)})
        assert answer.status_code == 202, answer.text
        return answer

    def headers(self, client: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.partnership.tokens[client]}",
                "X-Hub-User": f"{client}.officer"}

    def key(self, person: tuple[str, str]) -> str:
        return matchkeys.person_key(self.partnership.partnership_key, *person)


@pytest.fixture
def council(partnership: Partnership, tmp_path: Path) -> Iterator[Council]:
    registry = partnership.registry()
    for name, (agency, role) in CLIENTS.items():
        if agency not in registry.agencies:
            registry.register_agency(agency, agency, None)
        partnership.tokens[name] = registry.create_client(agency, role)
    registry.save(partnership.settings.registry_path)
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    hub = partnership.open_hub()
    secret = secrets.token_bytes(32)
    spool = Spool(tmp_path / "wcc-asb.spool")
    sender = SpoolSender(spool, bootstrap, "wcc-asb")
    with RejectsFile(tmp_path / "rejects.jsonl") as rejects, \
            partnership.running_worker(hub), \
            ApiServer(partnership.settings, hub, load_engine()) as server, \
            httpx.Client(base_url=server.url, timeout=30) as api:
        receiver = WebhookReceiver(host="127.0.0.1", port=0, secret=secret, agency="wcc-asb",
                                   partnership_key=partnership.partnership_key,
                                   key=partnership.agency_keys["wcc-asb"], spool=spool,
                                   sender=sender, rejects=rejects, send_interval=0.2).start()
        try:
            yield Council(partnership, hub, secret, receiver.url, api)
        finally:
            receiver.stop()
            sender.close()
            spool.close()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def open_case(council: Council, ref: str, victim: tuple[str, str]) -> None:
    """A domestic abuse case from the council's case system, through the webhook."""
    council.post("", [{
        "caseId": ref, "revision": 1, "openedAt": iso(datetime.now(UTC) - timedelta(days=2)),
        "type": "Domestic abuse", "description": "Domestic abuse disclosed at interview",
        "officer": {"name": "ASB Officer 1"}, "priority": "P1",
        "people": [{"role": "Victim", "fullName": victim[0], "dob": victim[1]},
                   {"role": "Perpetrator", "fullName": "Bo Testcase", "dob": "1983-03-03"}]}])
    wait_until(lambda: council.hub.case("wcc-asb", ref) is not None, what=f"case {ref}")


def consent_record(consent_id: str, decision: str, **extra: Any) -> dict[str, Any]:
    return {"consentId": consent_id, "decision": decision,
            "person": {"fullName": VICTIM[0], "dob": VICTIM[1]}, "givenBy": "Self",
            "officer": {"name": "ASB Officer 1"}, "method": "Signed form",
            "recordedAt": iso(datetime.now(UTC) - timedelta(hours=1)), **extra}


def publish_consent(council: Council, record: dict[str, Any]) -> None:
    council.post("/consents", [record])
    consent = f"wcc-asb:{record['consentId']}"
    wait_until(lambda: records.find(council.hub, consent) is not None,
               what=f"consent {consent}")


def marac_meeting(council: Council, ref: str) -> str:
    """The case referred to MARAC, accepted and on the agenda of next week's meeting."""
    chair = council.headers("chair")
    made = council.api.post("/v1/panels/referrals", headers=chair, json={
        "panel_type": "marac", "case": {"agency": "wcc-asb", "ref": ref},
        "reason": "professional judgement: high risk"})
    assert made.status_code == 201, made.text
    referral = made.json()["referral_id"]
    council.api.post(f"/v1/panels/referrals/{referral}/decision", headers=chair,
                     json={"accept": True, "reason": "threshold met"})
    meeting = council.api.post("/v1/panels/meetings", headers=chair, json={
        "panel_type": "marac", "held_at": iso(datetime.now(UTC) + timedelta(days=7))})
    mid = str(meeting.json()["meeting_id"])
    council.api.post(f"/v1/panels/meetings/{mid}/agenda", headers=chair,
                     json={"referral_ids": [referral]})
    return mid


def pack_case(council: Council, client: str, mid: str, ref: str) -> dict[str, Any]:
    answer = council.api.get(f"/v1/panels/meetings/{mid}/cases/wcc-asb/{ref}",
                             headers=council.headers(client))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def withheld(entry: dict[str, Any]) -> dict[str, str]:
    return {w["field"]: w["reason"] for w in entry.get("withheld") or []}


def dpo_log(council: Council) -> dict[str, dict[str, Any]]:
    rows = council.api.get("/v1/dpo/disclosures", headers=council.headers("dpo")).json()
    return {r["disclosure_id"]: r for r in rows}


def test_consent_from_the_connector_opens_the_idva_pack_until_withdrawn(
        council: Council) -> None:
    open_case(council, "WCC-DA-1", VICTIM)
    mid = marac_meeting(council, "WCC-DA-1")

    # ADVANCE takes personal data only with the person's consent (seeds/002 L2026).
    # Without it, nothing of the case: not the name, not even the case's facts.
    refused = pack_case(council, "idva", mid, "WCC-DA-1")
    assert refused["allowed"] is False and not refused.get("view")
    assert "only with the person's consent" in dpo_log(council)[
        refused["disclosure_id"]]["withheld"][NAME]

    publish_consent(council, consent_record(
        "CON-1", "Given", purposes=["MARAC"], shareWith=["advance-idva"],
        information=["Identity", "Contact details", "Case", "Domestic abuse"]))
    released = pack_case(council, "idva", mid, "WCC-DA-1")
    assert released["view"]["case"]["party"][0]["name"] == VICTIM[0]
    assert NAME not in withheld(released)
    row = dpo_log(council)[released["disclosure_id"]]
    assert row["decision_id"] == released["decision_id"]
    assert row["consent_ids"] == ["wcc-asb:CON-1"] and row["recipient"] == "advance-idva"

    withdrawal = council.api.post("/v1/consents/wcc-asb:CON-1/withdrawal",
                                  json={"reason": "the person asked by phone"},
                                  headers=council.headers("council"))
    assert withdrawal.status_code == 200, withdrawal.text
    after = pack_case(council, "idva", mid, "WCC-DA-1")
    assert after["allowed"] is False and not after.get("view")

    log = dpo_log(council)
    assert log[released["disclosure_id"]]["released"] == row["released"]  # still there
    listed = council.api.get("/v1/dpo/withdrawn-consents", headers=council.headers("dpo"))
    assert listed.status_code == 200, listed.text
    assert [(r["disclosure_id"], r["recipient"]) for r in listed.json()] == [
        (released["disclosure_id"], "advance-idva")]
    assert listed.json()[0]["withdrawn_consents"][0]["consent_id"] == "wcc-asb:CON-1"


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_refusal_from_the_connector_yields_only_to_a_child_in_need(council: Council) -> None:
    open_case(council, "WCC-DA-2", VICTIM)
    publish_consent(council, consent_record("CON-2", "Refused",
                                            reason="does not want other agencies told"))

    claim = {"gateway": "safeguarding_child_in_need",
             "justification": "the victim's child is at risk of significant harm at home",
             "proportionality": "the victim's details and the case only",
             "third_parties_considered": "the child's welfare is paramount"}
    childrens = council.api.post("/v1/case-views", headers=council.headers("childrens"), json={
        "case": {"agency": "wcc-asb", "ref": "WCC-DA-2"}, "purpose": "safeguarding",
        "gateway_claims": [claim]})
    assert childrens.status_code == 200, childrens.text
    assert childrens.json()["view"]["case"]["party"][0]["name"] == VICTIM[0]
    assert childrens.json()["gateways"] == ["safeguarding_child_in_need"]

    mid = marac_meeting(council, "WCC-DA-2")
    police = pack_case(council, "police", mid, "WCC-DA-2")
    assert withheld(police)[NAME].startswith("the person refused consent"), police
    row = dpo_log(council)[police["disclosure_id"]]
    assert NAME in row["withheld"] and row["consent_ids"] == []


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_council_domestic_abuse_record_with_no_consent_is_withheld(council: Council) -> None:
    """seeds/002 L447: forwarded only with consent or if required by law."""
    open_case(council, "WCC-DA-3", ("Cy Testcase", "1990-09-09"))
    claim = {"gateway": "cda_s115", "justification": "to prevent further offences at home",
             "proportionality": "summary only", "third_parties_considered": "the victim"}
    police = council.api.post("/v1/case-views", headers=council.headers("police"), json={
        "case": {"agency": "wcc-asb", "ref": "WCC-DA-3"}, "purpose": "safeguarding",
        "gateway_claims": [claim]})
    assert police.status_code == 404, police.text  # nothing of it may go
    row = dpo_log(council)[police.json()["disclosure_id"]]
    assert "forwarded only with the person's consent" in row["withheld"]["case.summary"]


@pytest.mark.parametrize("store_env", ["sqlite"], indirect=True)
def test_bad_consent_records_from_the_connector_are_dead_lettered(council: Council) -> None:
    council.post("/consents", [
        consent_record("BAD-1", "Given", purposes=["MARAC"], shareWith=["acme-ltd"],
                       information=["Identity"]),
        consent_record("BAD-2", "Given", purposes=["MARAC"], shareWith=["advance-idva"],
                       information=["Identity"], expiresAt="2020-01-01T00:00:00Z"),
        consent_record("NOPE", "Withdrawn", reason="asked")])
    bootstrap = council.partnership.settings.bootstrap_servers
    assert bootstrap
    letters: dict[str, dict[str, Any]] = {}

    def arrived() -> bool:
        letters.update({d["reason"]: d for d in read_deadletters(bootstrap, "wcc-asb",
                                                                 timeout=2)})
        return len(letters) >= 3

    wait_until(arrived, what="three dead letters")
    assert set(letters) == {"unknown-recipient", "expiry-before-collection", "unknown-consent"}
    assert "'acme-ltd'" in letters["unknown-recipient"]["message"]
    assert letters["unknown-consent"]["event_id"] == "wcc-asb:consent.withdrawn:wcc-asb:NOPE"
    victim = council.key(VICTIM)
    assert records.about(council.hub, [victim]) == []
