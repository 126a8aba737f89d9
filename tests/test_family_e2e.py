"""A nominal's family end to end, through the real broker, worker, store and API: the police
publish family ties through their relationships connector, a GMAP member asks for the family
of a party of the council's case and gets it; the same request for another purpose, by a role
or an agency not entitled, or under another panel gets nothing; every answer is in the
disclosure log (seeds/002 L890-893)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import httpx

from connectors.csv_cases import read_cases
from connectors.publisher import AgencyPublisher
from connectors.registry import CONNECTORS
from connectors.toolkit import map_records
from domain.contract import matchkeys
from domain.contract.envelope import Envelope
from hub.family import NO_FAMILY
from hub.policy import load_engine
from hub.runtime import ApiServer
from tests.conftest import Partnership, wait_until
from tests.test_ingest import SAMPLES

CLIENTS = {"gmap-asb": ("wcc-asb", "panel_member"), "asb-officer": ("wcc-asb", "case_officer"),
           "gmap-housing": ("wcc-housing", "panel_member"), "lfb": ("lfb", "panel_member")}
NOMINAL = ("Jordan Fictional", "1985-01-30")  # party 1 of wcc-asb CASE-2026-0042
COLUMNS = ["relationship_ref", "version", "recorded_at", "subject_name", "subject_dob",
           "related_name", "related_dob", "relationship", "since", "until", "lives_together"]
TIES = [("GANG-1", NOMINAL, ("Kit Fictional", "2012-03-04"), "Brother", "", "Y"),
        ("GANG-2", NOMINAL, ("Rosa Fictional", "1960-05-06"), "Mother", "", "N"),
        ("GANG-3", NOMINAL, ("Sam Madeup", "1986-01-01"), "Ex-partner", "2025-06-30", "N"),
        ("GANG-4", ("Alex Sample", "1990-04-12"), ("Maya Sample", "1992-07-08"), "Sister", "",
         "N")]
ASK = {"case": {"agency": "wcc-asb", "ref": "CASE-2026-0042"},
       "party": {"index": 1, "role": "alleged_perpetrator"},
       "purpose": "gmap", "panel_type": "gmap"}
NOT_SHOWN = ("Maya Sample", "Sam Madeup")


def police_ties(partnership: Partnership, tmp_path: Path) -> list[Envelope]:
    """The police gangs unit's export, mapped by the relationships connector."""
    source = tmp_path / "relationships.csv"
    with source.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for ref, subject, related, word, until, together in TIES:
            writer.writerow({"relationship_ref": ref, "version": 1,
                             "recorded_at": "2026-10-01T09:00:00Z", "subject_name": subject[0],
                             "subject_dob": subject[1], "related_name": related[0],
                             "related_dob": related[1], "relationship": word, "since": "",
                             "until": until, "lives_together": together})
    mapped = list(map_records(CONNECTORS["relationships-csv"], source, agency="met-police",
                              partnership_key=partnership.partnership_key))
    assert all(isinstance(m, Envelope) for m in mapped), mapped
    return [m for m in mapped if isinstance(m, Envelope)]


def ask(http: httpx.Client, partnership: Partnership, client: str, **change: Any
        ) -> httpx.Response:
    return http.post("/v1/family-views", json={**ASK, **change}, headers={
        "Authorization": f"Bearer {partnership.tokens[client]}", "X-Hub-User": f"{client}.user"})


def test_gmap_member_gets_the_family_others_get_nothing_and_all_are_logged(
        partnership: Partnership, tmp_path: Path) -> None:
    registry = partnership.registry()
    for name, (agency, role) in CLIENTS.items():
        if agency not in registry.agencies:
            registry.register_agency(agency, agency, None)
        partnership.tokens[name] = registry.create_client(agency, role)
    registry.save(partnership.settings.registry_path)
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    with AgencyPublisher(bootstrap, "wcc-asb", partnership.agency_keys["wcc-asb"]) as publisher:
        publisher.publish(read_cases(SAMPLES / "wcc-asb-cases.csv", agency="wcc-asb",
                                     partnership_key=partnership.partnership_key))
    with AgencyPublisher(bootstrap, "met-police",
                         partnership.agency_keys["met-police"]) as publisher:
        publisher.publish(police_ties(partnership, tmp_path))
    hub = partnership.open_hub()
    with partnership.running_worker(hub) as worker, \
            ApiServer(partnership.settings, hub, load_engine()) as server, \
            httpx.Client(base_url=server.url, timeout=30) as http:
        wait_until(lambda: worker.counts.handled == 1 + len(TIES), what="a case and 4 ties")
        released = ask(http, partnership, "gmap-asb")
        refused = {
            "ASB case management": ask(http, partnership, "asb-officer",
                                       purpose="asb_case_management", panel_type=None),
            "HCCP": ask(http, partnership, "gmap-asb", purpose="hccp", panel_type="hccp"),
            "a case officer's role": ask(http, partnership, "asb-officer"),
            "an agency not at the panel": ask(http, partnership, "lfb"),
            "a member the protocol does not cover": ask(http, partnership, "gmap-housing"),
            "GMAP without the panel": ask(http, partnership, "gmap-asb", panel_type=None),
            "a party of another role": ask(http, partnership, "gmap-asb",
                                           party={"index": 1, "role": "victim"}),
        }
        dpo = {"Authorization": f"Bearer {partnership.tokens['dpo']}", "X-Hub-User": "the.dpo"}
        log = {row["disclosure_id"]: row
               for row in http.get("/v1/disclosures", headers=dpo).json()}
        # The brother's data is erased (his key destroyed): the tie stays, his identity goes.
        brother = matchkeys.person_key(partnership.partnership_key, "Kit Fictional",
                                       "2012-03-04")
        erased = http.post("/v1/dpo/erasures", headers=dpo,
                           json={"match_key": brother, "reason": "Art 17 request 7"})
        assert erased.status_code == 200, erased.text
        after = ask(http, partnership, "gmap-asb")

    assert released.status_code == 200, released.text
    family = released.json()["view"]["family"]
    assert {(f["relationship"], f["name"], f["date_of_birth"], f["lives_together"],
             f["recorded_by"]) for f in family if f} == {
        ("sibling", "Kit Fictional", "2012-03-04", True, "met-police"),
        ("parent", "Rosa Fictional", "1960-05-06", False, "met-police")}
    assert released.json()["agreement"] == "swp-isp" and released.json()["withheld"] == []
    assert not any(name in released.text for name in NOT_SHOWN)  # ended; someone else's
    row = log[released.json()["disclosure_id"]]
    assert (row["record_kind"], row["record_ref"], row["purpose"], row["allowed"]) == (
        "family_view", "wcc-asb:CASE-2026-0042:party.1", "gmap", True)
    assert row["released_categories"] == ["family"] and row["suppliers"] == ["met-police"]
    assert row["referral"] == "gmap" and len(row["released"]) == 10

    why = {"ASB case management": "does not cover category family",
           "HCCP": "does not cover category family",
           "a case officer's role": "role case_officer may not request data for purpose gmap",
           "an agency not at the panel": "lfb is not a member agency of the GMAP panel",
           "a member the protocol does not cover": "does not cover purpose gmap",
           "GMAP without the panel": "purpose gmap is served only for a gmap panel",
           "a party of another role": "no family_view"}
    for name, answer in refused.items():
        assert answer.status_code == 404, (name, answer.text)
        assert answer.json()["detail"] == NO_FAMILY, name
        assert "Fictional" not in answer.text, name
        entry = log[answer.json()["disclosure_id"]]
        assert entry["allowed"] is False and entry["released"] == [], name
        reasons = [*entry["reasons"], *entry["withheld"].values()]
        assert any(why[name] in r for r in reasons), (name, reasons)

    assert after.status_code == 200, after.text
    assert "Kit Fictional" not in after.text and "2012-03-04" not in after.text
    assert sorted(f["relationship"] for f in after.json()["view"]["family"] if f) == [
        "parent", "sibling"]
