"""A real non-Python Kafka client: events signed by jq + openssl, published by Node.js (kafkajs).

The event is built and signed by the documented shell commands (docs/envelope.md; the
envelope by ``connectors/samples/publish_with_kcat.sh`` with ``OUT=``, re-signed by
``connectors/interop/node/sign_event.sh``), then sent by ``node publish.mjs`` to the embedded
broker. The hub worker records it, and dead-letters a tampered copy as ``bad-signature``.
kcat cannot talk to the embedded broker (see test_connectors_live.py); kafkajs can.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from eventsourcing.cryptography import AESCipher

from connectors import keys
from connectors.deadletters import read_deadletters
from hub.application import PartnershipHub
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import AGENCY_TOPIC_PREFIX
from hub.registry import Registry
from hub.settings import Settings
from tests.conftest import Partnership, wait_until
from tests.connectors.conftest import LiveHub
from tests.connectors.test_connectors_live import SHELL_PUBLISHER, assert_shell_event_held

NODE_DIR = Path(__file__).parents[2] / "connectors" / "interop" / "node"
SIGN_EVENT = NODE_DIR / "sign_event.sh"
AGENCY = "node-agency"
TOOLS = ("node", "npm", "jq", "openssl")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                       reason="needs Node.js with npm (Debian: apt-get install -y nodejs npm) "
                              "and jq and openssl (apt-get install -y jq openssl)"),
]


@pytest.fixture(scope="module")
def node_publisher() -> Path:
    """``publish.mjs`` with its locked dependencies installed (``npm ci``) if they are not."""
    if not (NODE_DIR / "node_modules" / "kafkajs" / "package.json").exists():
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, f"npm ci in {NODE_DIR} failed:\n{done.stdout}{done.stderr}"
    return NODE_DIR / "publish.mjs"


@pytest.fixture(scope="module")
def node_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    """A broker, registry, store and running worker, with one agency that publishes from Node."""
    work = tmp_path_factory.mktemp("node-hub")
    with EmbeddedBroker(log_path=work / "broker.log") as broker:
        settings = Settings.from_env({"HUB_DATA_DIR": str(work / "hub-data"),
                                      "HUB_CIPHER_KEY": AESCipher.create_key(num_bytes=32),
                                      "HUB_KAFKA_BOOTSTRAP": broker.bootstrap_servers})
        key = keys.generate(work / "keys" / f"{AGENCY}.pem")
        registry = Registry.load(settings.registry_path)
        registry.register_agency(AGENCY, AGENCY, keys.public_key_text(key))
        registry.save(settings.registry_path)
        ensure_topics(broker.bootstrap_servers, [AGENCY_TOPIC_PREFIX + AGENCY])
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        hub = PartnershipHub(env=settings.store_env)
        with Partnership(settings, {}).running_worker(hub) as worker:
            yield LiveHub(broker, settings, hub, worker, work, agency_keys={AGENCY: key})


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done


def shell_signed_event(live: LiveHub, ref: str, out: Path) -> dict[str, object]:
    """Build and sign an event with jq + openssl only; returns the envelope written to ``out``."""
    built = out.with_suffix(".built.json")
    run(["bash", str(SHELL_PUBLISHER)], AGENCY=AGENCY, REF=ref, OUT=str(built),
        KEY_FILE=str(live.key_file(AGENCY)), PARTNERSHIP_KEY_HEX=live.partnership_key.hex())
    signed = run(["bash", str(SIGN_EVENT), str(live.key_file(AGENCY)), str(built)]).stdout
    out.write_text(signed)
    envelope: dict[str, object] = json.loads(signed)
    # Ed25519 is deterministic: sign_event.sh's signature is the sample script's
    assert envelope == json.loads(built.read_text())
    assert envelope["subject"] == Path(f"{built}.key").read_text()
    return envelope


def test_node_kafkajs_publishes_shell_signed_events_the_hub_verifies(
        node_hub: LiveHub, node_publisher: Path, tmp_path: Path) -> None:
    good = shell_signed_event(node_hub, "NODE-1", tmp_path / "good.json")
    other = shell_signed_event(node_hub, "NODE-2", tmp_path / "other.json")
    tampered = tmp_path / "tampered.json"  # the data changed after signing
    tampered.write_text(json.dumps({**other, "data": {**other["data"],  # type: ignore[dict-item]
                                                      "summary": "Nothing happened"}},
                                   ensure_ascii=False))

    # the embedded broker refuses InitProducerId v0/v1, all kafkajs speaks: no idempotence here
    done = run(["node", str(node_publisher), "--bootstrap", node_hub.bootstrap,
                "--no-idempotence", str(tmp_path / "good.json"), str(tampered)])
    sent = [json.loads(line) for line in done.stdout.splitlines()]
    assert [s["id"] for s in sent] == [good["id"], other["id"]]
    assert {s["topic"] for s in sent} == {AGENCY_TOPIC_PREFIX + AGENCY}
    assert all(isinstance(s["partition"], int) and int(s["offset"]) >= 0 for s in sent)

    assert_shell_event_held(node_hub, AGENCY, "NODE-1")
    assert node_hub.hub.incident(AGENCY, "NODE-1").source_event_ids == [good["id"]]

    def refused() -> list[dict[str, object]]:
        return [d for d in read_deadletters(node_hub.bootstrap, AGENCY, timeout=5, idle=0.5)
                if d.get("event_id") == other["id"]]

    wait_until(lambda: bool(refused()), timeout=30, what="the tampered copy's dead letter")
    assert [d["reason"] for d in refused()] == ["bad-signature"]
    assert node_hub.hub.incident(AGENCY, "NODE-2") is None
