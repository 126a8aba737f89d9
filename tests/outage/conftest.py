"""A partnership on a private PostgreSQL cluster that tests may stop (tests/outage/cluster.py),
with a real broker, agencies that publish and API clients."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cryptography import AESCipher

from connectors import keys
from connectors.csv_cases import read_cases
from connectors.csv_incidents import read_incidents
from connectors.publisher import AgencyPublisher
from domain.contract.envelope import Envelope
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import AGENCY_TOPIC_PREFIX
from hub.registry import Registry
from hub.settings import Settings
from tests.conftest import PUBLISHING_AGENCIES, Partnership
from tests.outage.cluster import PrivateCluster

SAMPLES = Path(__file__).parents[2] / "hub" / "demo_data"
ASK = {"case": {"agency": "wcc-asb", "ref": "CASE-2026-0042"}, "purpose": "asb_case_management"}


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    with PrivateCluster() as running:
        yield running


def fresh_schema(cluster: PrivateCluster) -> dict[str, str]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(host="127.0.0.1", port=cluster.port, dbname="postgres",
                         user="postgres", autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    return cluster.env(schema)


def make_partnership(tmp_path: Path, bootstrap: str, store: dict[str, str]) -> Partnership:
    """Two publishing agencies with registered keys; API clients for a partner and the DPO."""
    env = {"HUB_DATA_DIR": str(tmp_path / "hub-data"), "HUB_KAFKA_BOOTSTRAP": bootstrap,
           "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32), **store}
    settings = Settings.from_env(env)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    found = Partnership(settings, env, partnership_key=secrets.token_bytes(32))
    registry = Registry()
    for agency in PUBLISHING_AGENCIES:
        key = keys.generate(tmp_path / "keys" / f"{agency}.pem")
        found.agency_keys[agency] = key
        registry.register_agency(agency, agency, keys.public_key_text(key))
    registry.register_agency("wcc-housing", "wcc-housing", None)
    found.tokens["wcc-housing"] = registry.create_client("wcc-housing", "case_officer")
    found.tokens["dpo"] = registry.create_client("wcc-asb", "dpo")
    registry.save(settings.registry_path)
    ensure_topics(bootstrap, [AGENCY_TOPIC_PREFIX + a for a in PUBLISHING_AGENCIES])
    return found


def demo_records(partnership: Partnership) -> dict[str, list[Envelope]]:
    key = partnership.partnership_key
    return {"met-police": read_incidents(SAMPLES / "met-police-incidents.csv",
                                         agency="met-police", partnership_key=key),
            "wcc-asb": [*read_incidents(SAMPLES / "wcc-asb-incidents.csv", agency="wcc-asb",
                                        partnership_key=key),
                        *read_cases(SAMPLES / "wcc-asb-cases.csv", agency="wcc-asb",
                                    partnership_key=key)]}


def later_incidents(partnership: Partnership, tmp_path: Path, refs: list[str]
                    ) -> list[Envelope]:
    """New police incidents (the demo's first one under other references)."""
    lines = (SAMPLES / "met-police-incidents.csv").read_text().splitlines()
    csv = tmp_path / "later.csv"
    csv.write_text("\n".join([lines[0], *(lines[1].replace("MP-24-0001", ref) for ref in refs)])
                   + "\n")
    return read_incidents(csv, agency="met-police", partnership_key=partnership.partnership_key)


def publish(partnership: Partnership, agency: str, envelopes: list[Envelope]) -> None:
    bootstrap = partnership.settings.bootstrap_servers
    assert bootstrap
    with AgencyPublisher(bootstrap, agency, partnership.agency_keys[agency]) as publisher:
        publisher.publish(envelopes)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker(log_path=tmp_path / "broker.log") as running:
        yield running
