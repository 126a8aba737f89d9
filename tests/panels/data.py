"""A small partnership for panel tests: domestic abuse cases at several risk levels, one case
eligible for an ASB Case Review, and agencies with panel roles. No Kafka: agency events are
validated and recorded straight into the store, as the worker would."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Tracking

from domain.contract import matchkeys
from domain.contract.envelope import new_envelope
from domain.contract.schemas import validate
from hub.application import PartnershipHub
from hub.registry import Registry
from hub.settings import Settings
from policies import load_bundle

KEY = b"p" * 32
# (agency, role) -> the token name used by tests
CLIENTS = {"police-chair": ("met-police", "panel_chair"),
           "police": ("met-police", "panel_member"),
           "housing": ("wcc-housing", "panel_member"),
           "housing-chair": ("wcc-housing", "panel_chair"),
           "asb-chair": ("wcc-asb", "panel_chair"),
           "childrens": ("wcc-childrens", "panel_member"),
           "childrens-safeguarding": ("wcc-childrens", "safeguarding_lead"),
           "yot": ("wcc-yot", "panel_chair"),
           "fire": ("lfb", "panel_member"),
           "dpo": ("wcc-asb", "dpo")}
DA_CASES = {"HASB-1": 18, "HASB-2": 14, "HASB-3": 9, "HASB-4": 16}
WITNESS = "Wren Willowmarsh"  # named by police, asked for anonymity


def party(name: str, dob: str, role: str, **extra: Any) -> dict[str, Any]:
    return {"role": role, "match_key": matchkeys.person_key(KEY, name, dob), "name": name,
            "date_of_birth": dob, **extra}


def place(n: int) -> dict[str, Any]:
    address = f"{n} Heron Walk"
    return {"match_key": matchkeys.location_key(KEY, address=address, postcode="ZZ1 1XX"),
            "address": address, "postcode": "ZZ1 1XX", "ward": "Church Street"}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def hub_env(directory: Path) -> dict[str, str]:
    return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(directory / "hub.sqlite"),
            "CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher",
            "CIPHER_KEY": AESCipher.create_key(32)}


def seed(hub: PartnershipHub, now: datetime) -> None:
    """Record the partnership's agency events, dated relative to ``now``."""
    offsets = itertools.count()

    def send(agency: str, event_type: str, data: dict[str, Any]) -> None:
        envelope = new_envelope(event_id=str(uuid4()), source=f"urn:agency:{agency}",
                                event_type=event_type, subject="panel-test", agency=agency,
                                data=data, time=now)
        validate(envelope)
        hub.record_agency_event(envelope, Tracking("panel-test:0", next(offsets)))

    def incident(agency: str, ref: str, at: datetime, parties: list[dict[str, Any]],
                 category: str = "domestic_abuse", **extra: Any) -> None:
        send(agency, "incident.reported", {
            "record": {"ref": ref, "version": 1}, "occurred_at": iso(at - timedelta(hours=2)),
            "reported_at": iso(at), "category": category, "channel": "phone",
            "summary": f"Police attended: {category.replace('_', ' ')}", "location": place(1),
            "parties": parties, "flags": {"domestic_abuse": category == "domestic_abuse"},
            **extra})

    for n, (ref, dash) in enumerate(DA_CASES.items()):
        victim = party(f"Victim {ref}", f"198{n}-0{n + 1}-1{n}", "victim",
                       contact=f"07700 90000{n}")
        perp = party(f"Partner {ref}", f"197{n}-0{n + 1}-2{n}", "alleged_perpetrator")
        opened = now - timedelta(days=40 - n)
        if ref == "HASB-1":
            incident("met-police", "CAD-1", opened - timedelta(days=2), [
                {k: v for k, v in victim.items() if k != "contact"},
                party(WITNESS, "1990-05-05", "witness", anonymity_requested=True)])
        if ref == "HASB-3":  # escalation: 3 incidents in 12 months
            for j in range(3):
                incident("met-police", f"CAD-3{j}", opened - timedelta(days=30 * (j + 1)),
                         [{k: v for k, v in victim.items() if k != "contact"}])
        send("wcc-housing", "case.opened", {
            "record": {"ref": ref, "version": 1}, "opened_at": iso(opened),
            "category": "domestic_abuse", "summary": f"Domestic abuse reported ({ref})",
            "lead_officer": "Officer 3", "triage_tier": "tier1_immediate",
            "location": place(n + 1), "parties": [victim, perp],
            "flags": {"domestic_abuse": True}})
        send("wcc-housing", "case.risk.assessed", {
            "record": {"ref": ref, "version": 2}, "at": iso(opened + timedelta(hours=3)),
            "dash_score": dash})

    # ASB Case Review: 3 qualifying reports in 6 months to police and council (000:L477)
    resident = party("Nell Nettlefold", "1975-03-03", "complainant")
    for j in range(3):
        incident("met-police", f"CAD-9{j}", now - timedelta(days=20 + 25 * j), [resident],
                 category="noise")
    send("wcc-asb", "case.opened", {
        "record": {"ref": "ASB-77", "version": 1}, "opened_at": iso(now - timedelta(days=15)),
        "category": "noise", "summary": "Repeated noise from a neighbouring flat",
        "lead_officer": "ASB Officer 1", "location": place(9), "parties": [resident],
        "flags": {}})


def make_settings(directory: Path) -> tuple[Settings, dict[str, str]]:
    """Settings over a fresh SQLite store and a registry with one API client per entry in
    CLIENTS; returns the tokens by client name."""
    data_dir = directory / "hub-data"
    data_dir.mkdir(parents=True, exist_ok=True)
    settings = Settings(data_dir=data_dir, store_env=hub_env(data_dir))
    registry = Registry()
    agencies = load_bundle().data["hub"]["config"]["agencies"]
    tokens = {}
    for name, (agency, role) in CLIENTS.items():
        if agency not in registry.agencies:
            registry.register_agency(agency, agencies[agency]["name"], None)
        tokens[name] = registry.create_client(agency, role, client_id=name)
    registry.save(settings.registry_path)
    return settings, tokens
