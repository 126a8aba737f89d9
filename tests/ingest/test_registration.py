"""An agency registered while the worker runs is read within seconds: the worker creates its
topics and looks for them at once, without a restart or the operator creating topics."""

from __future__ import annotations

import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kafka.admin import KafkaAdminClient

from connectors import keys
from connectors.csv_incidents import read_incidents
from connectors.publisher import AgencyPublisher
from tests.conftest import Partnership, wait_until

SAMPLES = Path(__file__).parents[2] / "hub" / "demo_data"


def partitions(bootstrap: str, topic: str) -> int:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        if topic not in admin.list_topics():
            return 0
        return len(admin.describe_topics([topic])[0]["partitions"])
    finally:
        admin.close()


def test_an_agency_registered_while_the_worker_runs_is_read_within_seconds(
        partnership: Partnership) -> None:
    hub = partnership.open_hub()
    bootstrap = partnership.settings.bootstrap_servers or ""
    key = Ed25519PrivateKey.generate()
    with partnership.running_worker(hub):
        time.sleep(2)  # the worker has joined and looked at the registry already
        registered = time.monotonic()
        registry = partnership.registry()
        registry.register_agency("lfb", "London Fire Brigade", keys.public_key_text(key))
        registry.save(partnership.settings.registry_path)
        wait_until(lambda: partitions(bootstrap, "hub.agency.lfb") == 3, timeout=15,
                   what="the worker to create the new agency's topic")
        wait_until(lambda: partitions(bootstrap, "hub.deadletter.lfb") == 1, timeout=15,
                   what="its dead-letter topic")
        envelopes = list(read_incidents(SAMPLES / "met-police-incidents.csv", agency="lfb",
                                        partnership_key=partnership.partnership_key))
        with AgencyPublisher(bootstrap, "lfb", key) as publisher:
            publisher.publish(envelopes[:1])
        ref = envelopes[0].data["record"]["ref"]
        wait_until(lambda: hub.incident("lfb", ref) is not None, timeout=30,
                   what="the new agency's first event recorded")
        took = time.monotonic() - registered
    print(f"registration to first recorded event: {took:.1f}s")
    assert took < 20, f"took {took:.1f}s from registration to a recorded event"
