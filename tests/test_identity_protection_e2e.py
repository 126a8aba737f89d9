"""Identity protection by person, end to end: the council publishes a case with a complainant
who lives at the case's address and is named in the summary, and a scheduled eviction; the
worker ingests it; partners ask through the API.

Someone acting for the alleged perpetrator learns no part of the complainant's identity (name,
date of birth, contact, home address, postcode, the name in free text) (seeds/002 L1208, L261,
L316); a recipient that needs consent gets no free text about the complainant without it
(seeds/002 L1451); someone acting for a witness is not given the eviction date before it
(seeds/002 L1728); the DPO sees what was redacted, by role, never the name."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from connectors.csv_cases import row_to_envelope
from connectors.csv_incidents import _party
from connectors.publisher import AgencyPublisher
from domain.contract.envelope import new_envelope
from hub.policy import load_engine
from hub.runtime import ApiServer
from tests.conftest import Partnership, wait_until

REF = "CASE-2026-0777"
ASK = {"case": {"agency": "wcc-asb", "ref": REF}, "purpose": "asb_case_management"}
COMPLAINANT = ("Nadia Quennell", "1979-03-14")
CONTACT = "07700 900461"
HOME = ("Flat 9 Larchmont Court", "W9 3QQ")
PERPETRATOR = ("Rory Dunstable", "1988-08-08")
SUMMARY = ("Nadia Quennell reports loud music from the flat below most nights; "
           "Ms QUENNELL keeps a diary. Rory Dunstable denies it.")
SOON = (date.today() + timedelta(days=21)).isoformat()
PAST = (date.today() - timedelta(days=3)).isoformat()


def _events(partnership: Partnership) -> list[Any]:
    key = partnership.partnership_key
    row = {"case_ref": REF, "version": "1", "opened_at": "2026-09-01T09:00:00Z",
           "category": "noise", "summary": SUMMARY, "lead_officer": "T. Officer",
           "triage_tier": "tier2_priority", "address": HOME[0], "postcode": HOME[1],
           "ward": "Maida Vale"}
    opened = row_to_envelope(row, agency="wcc-asb", partnership_key=key,
                             source="urn:csp-hub:agency:wcc-asb:test")
    complainant = {**_party(key, "complainant", *COMPLAINANT), "contact": CONTACT,
                   "lives_at_location": True}
    opened.data["parties"] = [complainant, _party(key, "alleged_perpetrator", *PERPETRATOR)]
    steps = [new_envelope(
        event_id=f"wcc-asb:case.intervention.recorded:{REF}:v{version}",
        source="urn:csp-hub:agency:wcc-asb:test", event_type="case.intervention.recorded",
        subject=opened.subject, agency="wcc-asb",
        data={"record": {"ref": REF, "version": version}, "at": "2026-10-01T09:00:00Z",
              "intervention": intervention, "scheduled_for": when})
        for version, intervention, when in ((2, "notice_of_seeking_possession", PAST),
                                            (3, "possession", SOON))]
    return [opened, *steps]


def _ask(http: httpx.Client, partnership: Partnership, client: str, **extra: Any
         ) -> httpx.Response:
    return http.post("/v1/case-views", json={**ASK, **extra}, headers={
        "Authorization": f"Bearer {partnership.tokens[client]}", "X-Hub-User": f"{client}.u"})


@pytest.mark.parametrize("store_env", ["postgres"], indirect=True)
def test_perpetrator_side_learns_nothing_of_the_complainant(partnership: Partnership) -> None:
    registry = partnership.registry()
    for client, agency, role in (("asb", "wcc-asb", "case_officer"),
                                 ("mediator", "mediation-service", "mediator")):
        if agency not in registry.agencies:
            registry.register_agency(agency, agency, None)
        partnership.tokens[client] = registry.create_client(agency, role)
    registry.save(partnership.settings.registry_path)
    hub = partnership.open_hub()
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    with AgencyPublisher(bootstrap, "wcc-asb", partnership.agency_keys["wcc-asb"]) as publisher:
        publisher.publish(_events(partnership))
    with partnership.running_worker(hub) as worker:
        wait_until(lambda: worker.counts.handled == 3, what="a case and two interventions")
    with ApiServer(partnership.settings, hub, load_engine()) as server, \
            httpx.Client(base_url=server.url) as http:
        tenant_side = _ask(http, partnership, "wcc-housing", acting_for="alleged_perpetrator")
        plain = _ask(http, partnership, "wcc-housing")
        witness_side = _ask(http, partnership, "asb", acting_for="witness")
        mediator = _ask(http, partnership, "mediator")
        log = http.get("/v1/disclosures", headers={
            "Authorization": f"Bearer {partnership.tokens['dpo']}", "X-Hub-User": "the.dpo"})

    # The perpetrator's side: the case, the ward and the eviction date, nothing of her.
    assert tenant_side.status_code == 200, tenant_side.text
    view = tenant_side.json()["view"]
    text = json.dumps(view).lower()
    for secret in ("nadia", "quennell", COMPLAINANT[1], CONTACT.lower(), "larchmont",
                   HOME[1].lower()):
        assert secret not in text, secret
    assert view["case"]["summary"] == (
        "[complainant] reports loud music from the flat below most nights; "
        "Ms [complainant] keeps a diary. Rory Dunstable denies it.")
    assert view["case"]["location"] == {"ward": "Maida Vale"}
    assert view["case"]["party"][1]["name"] == PERPETRATOR[0]
    assert set(view["case"]["party"][0]) == {"role"}
    assert view["case"]["intervention"][1]["scheduled_for"] == SOON

    # Nobody's side: the same case, her name and home included, the summary as written.
    assert plain.status_code == 200, plain.text
    assert plain.json()["view"]["case"]["summary"] == SUMMARY
    assert plain.json()["view"]["case"]["location"]["address"] == HOME[0]

    # The witness's side: the eviction that has happened, not the one still to come.
    assert witness_side.status_code == 200, witness_side.text
    steps = witness_side.json()["view"]["case"]["intervention"]
    assert steps[0]["scheduled_for"] == PAST
    assert "scheduled_for" not in steps[1] and steps[1]["kind"] == "possession"

    # A recipient that needs the person's consent: no free text about her without it.
    # The mediation service takes personal data only with consent, and nobody in the case
    # gave it: not even the case's facts go (docs/policies.md stage 8), the one 404.
    assert mediator.status_code == 404, mediator.text
    assert REF not in mediator.text and "loud music" not in mediator.text

    assert log.status_code == 200
    rows = {row["disclosure_id"]: row for row in log.json()}
    tenant_row = rows[tenant_side.json()["disclosure_id"]]
    assert tenant_row["redactions"] == [{"path": "case.summary", "role": "complainant"}]
    assert "nadia" not in json.dumps(tenant_row).lower()
    assert rows[plain.json()["disclosure_id"]]["redactions"] == []
    assert "1208" in tenant_row["withheld"]["case.party.0.name"]
    assert "L1728" in rows[witness_side.json()["disclosure_id"]]["withheld"][
        "case.intervention.1.scheduled_for"]
    assert "consent" in rows[mediator.json()["disclosure_id"]]["withheld"]["case.summary"]
    assert datetime.now(UTC).date() < date.fromisoformat(SOON)
