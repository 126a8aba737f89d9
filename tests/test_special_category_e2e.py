"""Special category and criminal offence data end to end, through the real broker, worker, store,
policy engine and API: the police and housing connectors publish a hate incident and a housing
case with the victim's health, ethnicity and religion, the suspect's previous offences and a
child at home; the council's ASB team gets each sensitive field only under a gateway naming a
DPA 2018 Sch 1 condition or the person's explicit consent (any consent for offence data, Sch 1
para 29), and never otherwise."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors import keys
from connectors.publisher import AgencyPublisher
from connectors.registry import CONNECTORS
from connectors.toolkit import Reject, map_records
from domain.contract import matchkeys
from hub.application import PartnershipHub
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import AGENCY_TOPIC_PREFIX
from hub.policy import load_engine
from hub.runtime import ApiServer
from tests.conftest import Partnership, wait_until

VICTIM, SUSPECT = ("Ada Testcase", "1985-05-05"), ("Bo Testcase", "1983-03-03")
ASK = {"case": {"agency": "wcc-housing", "ref": "HSG-SC-1"}, "purpose": "asb_case_management"}
CLAIM = {"gateway": "dpa_sch2_para2",
         "justification": "racially and religiously aggravated harassment of a tenant",
         "proportionality": "only the facts the ASB team needs to act on the hate incident",
         "third_parties_considered": "the other residents of the block are not named",
         "prejudice_test": {"prejudice": "further hate incidents against the victim",
                            "causal_link": "without the motivation the case cannot be triaged",
                            "likelihood": "three incidents in two months"}}
# The fields that carry special category (Art 9) and criminal offence (Art 10) data.
HEALTH = "case.party.0.health.0.note"
RACE, FAITH = "incident.0.hate_motivation.0", "incident.0.hate_motivation.1"
ETHNICITY = "incident.0.party.0.ethnicity"
OFFENCE = "incident.0.party.1.previous_offences.0.offence"
CHILD = "household.child.0.name"
SENSITIVE = (HEALTH, RACE, FAITH, ETHNICITY, OFFENCE)


@dataclass
class Borough:
    partnership: Partnership
    hub: PartnershipHub
    api: httpx.Client

    def headers(self, client: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.partnership.tokens[client]}",
                "X-Hub-User": f"{client}.officer"}

    def key(self, person: tuple[str, str]) -> str:
        return matchkeys.person_key(self.partnership.partnership_key, *person)

    def view(self, **ask: Any) -> dict[str, Any]:
        answer = self.api.post("/v1/case-views", json={**ASK, **ask},
                               headers=self.headers("council"))
        assert answer.status_code == 200, answer.text
        return dict(answer.json())


def write_csv(path: Path, sample: str, changes: dict[str, str]) -> Path:
    rows = list(csv.DictReader((Path("connectors/samples") / sample).open(newline="")))
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerow({**{k: "" for k in rows[0]}, **changes})
    return path


def publish(partnership: Partnership, connector: str, agency: str, source: Path) -> None:
    envelopes = list(map_records(CONNECTORS[connector], source, agency=agency,
                                 partnership_key=partnership.partnership_key))
    assert envelopes and not any(isinstance(e, Reject) for e in envelopes), envelopes
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    with AgencyPublisher(bootstrap, agency, partnership.agency_keys[agency]) as publisher:
        publisher.publish(e for e in envelopes if not isinstance(e, Reject))


@pytest.fixture
def borough(partnership: Partnership, tmp_path: Path) -> Iterator[Borough]:
    registry = partnership.registry()
    housing_key = keys.generate(tmp_path / "keys" / "wcc-housing.pem")
    partnership.agency_keys["wcc-housing"] = housing_key
    registry.register_agency("wcc-housing", "wcc-housing", keys.public_key_text(housing_key))
    partnership.tokens["council"] = registry.create_client("wcc-asb", "case_officer")
    registry.save(partnership.settings.registry_path)
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    ensure_topics(bootstrap, [AGENCY_TOPIC_PREFIX + "wcc-housing"])

    publish(partnership, "police-csv", "met-police", write_csv(
        tmp_path / "police.csv", "police-incidents.csv", {
            "record_type": "INCIDENT", "reference": "CRIS-SC-1", "version": "1",
            "occurred": "01/10/2026 21:00", "police_category": "Hate Incident",
            "summary": "Abuse shouted at the victim in the stairwell",
            "victim_name": VICTIM[0], "victim_dob": VICTIM[1], "victim_ethnicity": "Arab",
            "hate_motivation": "Race|Religion", "suspect_name": SUSPECT[0],
            "suspect_dob": SUSPECT[1], "suspect_previous": "Harassment:convicted:2022-02-03"}))
    publish(partnership, "housing-csv", "wcc-housing", write_csv(
        tmp_path / "housing.csv", "housing-cases.csv", {
            "case_ref": "HSG-SC-1", "case_version": "1", "opened_date": "02/10/2026 09:00",
            "block_address": "4 Example Walk", "postcode": "W9 1ZZ", "case_type": "ASB-HATE",
            "description": "Tenant harassed by a neighbour", "complainant_name": VICTIM[0],
            "complainant_dob": VICTIM[1], "complainant_health": "Mental health: anxiety",
            "perpetrator_name": SUSPECT[0], "perpetrator_dob": SUSPECT[1],
            "household_children": "Cal Testcase 2016-06-07"}))

    hub = partnership.open_hub()
    with partnership.running_worker(hub) as worker, \
            ApiServer(partnership.settings, hub, load_engine()) as server, \
            httpx.Client(base_url=server.url, timeout=30) as api:
        wait_until(lambda: worker.counts.handled == 2, what="the incident and the case")
        yield Borough(partnership, hub, api)


def withheld(answer: dict[str, Any]) -> dict[str, str]:
    return {w["field"]: w["reason"] for w in answer["withheld"]}


def released(answer: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):  # numbered parts (hub/views/fields.py nest)
            for n, value in enumerate(node):
                if value is not None:
                    walk(value, f"{path}.{n}")
        else:
            flat[path] = node

    walk(answer["view"], "")
    return flat


def test_sensitive_fields_need_a_sch1_condition_or_explicit_consent(borough: Borough) -> None:
    # No lawful basis beyond the agreement: every special category and offence field withheld,
    # the child's name too (a youth record outside safeguarding); the rest of the case is shared.
    plain = borough.view()
    reasons = withheld(plain)
    assert "special category data (health)" in reasons[HEALTH]
    assert "special category data (ethnicity)" in reasons[RACE]
    assert "special category data (ethnicity)" in reasons[ETHNICITY]
    assert "special category data (special_category)" in reasons[FAITH]
    assert "criminal offence data (criminal_offence)" in reasons[OFFENCE]
    assert "youth records" in reasons[CHILD]
    shown = released(plain)
    assert shown["case.summary"].startswith("Tenant harassed")
    assert shown["incident.0.category"] == "hate_related"
    text = json.dumps(plain["view"])
    assert not any(secret in text for secret in ("anxiety", "Arab", "Harassment", "religion",
                                                 "Cal Testcase"))

    # A gateway without a Sch 1 condition carries the ordinary fields only.
    unconditioned = borough.view(gateway_claims=[CLAIM])
    assert set(SENSITIVE) <= set(withheld(unconditioned))
    assert "dpa_sch2_para2" in unconditioned["gateways"]

    # With Sch 1 para 10 (preventing or detecting unlawful acts) every one is released.
    conditioned = borough.view(
        gateway_claims=[{**CLAIM, "special_category_condition": "sch1_para10"}])
    shown = released(conditioned)
    assert shown[HEALTH] == "anxiety"
    assert (shown[RACE], shown[FAITH], shown[ETHNICITY]) == ("race", "religion", "Arab")
    assert shown[OFFENCE] == "Harassment"
    assert not set(SENSITIVE) & set(withheld(conditioned))

    # The victim's explicit written consent releases her special category data, not the
    # suspect's offences; a consent that is not explicit is refused before it is recorded.
    consent = give(borough, VICTIM, ["health", "ethnicity", "special_category"], explicit=False)
    assert consent.status_code == 422 and "must be explicit" in consent.text
    assert set(SENSITIVE) <= set(withheld(borough.view()))
    consent = give(borough, VICTIM, ["health", "ethnicity", "special_category"], explicit=True,
                   ref="SC-EXPLICIT")
    assert consent.status_code == 201, consent.text
    consented = borough.view()
    shown = released(consented)
    assert (shown[HEALTH], shown[RACE], shown[ETHNICITY]) == ("anxiety", "race", "Arab")
    assert consented["consent_ids"] == ["wcc-asb:SC-EXPLICIT"]
    assert "criminal offence data" in withheld(consented)[OFFENCE]

    # Offence data needs a Sch 1 condition too, and consent is one (para 29): explicit or not.
    consent = give(borough, SUSPECT, ["criminal_offence"], explicit=False, ref="SC-OFFENCE")
    assert consent.status_code == 201, consent.text
    assert released(borough.view())[OFFENCE] == "Harassment"

    log = borough.api.get("/v1/disclosures", headers=borough.headers("dpo")).json()
    rows = {r["disclosure_id"]: r for r in log}
    assert HEALTH in rows[conditioned["disclosure_id"]]["released"]
    assert HEALTH not in rows[plain["disclosure_id"]]["released"]


def give(borough: Borough, person: tuple[str, str], categories: list[str], *,
         explicit: bool, ref: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {
        "subject": borough.key(person), "status": "given", "method": "written",
        "collected_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "scope": {"purposes": ["asb_case_management"], "recipients": ["wcc-asb"],
                  "categories": categories, "explicit": explicit}}
    if ref:
        body["ref"] = ref
    return borough.api.post("/v1/consents", json=body, headers=borough.headers("council"))
