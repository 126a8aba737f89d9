"""``hub demo``: the whole path on embedded defaults, in about half a minute.

Starts the embedded broker, the worker and the API; two agencies (police and the council's
ASB team) publish records about the same person through the real connector command; then a
housing officer asks for the case and sees the merged, policy-checked view, a GP practice
outside the sharing agreement is refused; the police publish the perpetrator's family ties, a
GMAP member sees that family while the housing officer, asking for ASB case management, gets
nothing; the DPO reads every disclosure, and the signed audit chain is checkpointed and
verified.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import httpx

from hub.audit.chain import audit_trail
from hub.audit.config import AuditConfig
from hub.audit.verify import verify_configured
from hub.broker import EmbeddedBroker
from hub.ingest.topics import ensure_topics
from hub.ingest.worker import AGENCY_TOPIC_PREFIX, IngestWorker
from hub.registry import Registry
from hub.runtime import ApiServer, open_engine, open_hub
from hub.settings import Settings

SAMPLES = resources.files("hub").joinpath("demo_data")  # fictional people only



def _connector(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "connectors.cli", *args], check=True)


def _wait_for_case(hub, agency: str, ref: str, incidents: int, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    from hub.views.case_view import build_case_view

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = build_case_view(hub, agency, ref)
        if view is not None and len(view.incidents) >= incidents:
            return
        time.sleep(0.5)
    raise TimeoutError(f"case {agency}:{ref} did not arrive within {timeout}s")


def _wait_for_family(hub, agency: str, ref: str, party: int, ties: int,  # type: ignore[no-untyped-def]
                     timeout: float = 90) -> None:
    from hub.views.family_view import build_family_view

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        view = build_family_view(hub, agency, ref, party, "alleged_perpetrator",
                                 datetime.now(UTC).date())
        if view is not None and len(view.ties) >= ties:
            return
        time.sleep(0.5)
    raise TimeoutError(f"the family ties of {agency}:{ref} party {party} did not arrive")


def run(data_dir: Path | None = None) -> int:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    data_dir = (data_dir or Path("hub-data") / f"demo-{stamp}").resolve()
    work = data_dir / "agencies"
    work.mkdir(parents=True, exist_ok=True)
    print(f"demo data directory: {data_dir}")
    partnership_key = work / "partnership.key"
    partnership_key.write_text(secrets.token_hex(32))

    with EmbeddedBroker(log_path=data_dir / "broker.log") as broker:
        print(f"embedded Kafka-protocol broker on {broker.bootstrap_servers}")
        settings = Settings.from_env({"HUB_DATA_DIR": str(data_dir),
                                      "HUB_KAFKA_BOOTSTRAP": broker.bootstrap_servers})
        registry = Registry.load(settings.registry_path)
        for agency, name in (("met-police", "Metropolitan Police"),
                             ("wcc-asb", "Westminster City Council ASB team")):
            out = subprocess.run([sys.executable, "-m", "connectors.cli", "keys", "init",
                                  "--key-file", str(work / f"{agency}.pem")],
                                 check=True, capture_output=True, text=True).stdout
            registry.register_agency(agency, name, out.strip().splitlines()[-1])
        registry.register_agency("wcc-housing", "Westminster City Council Housing", None)
        registry.register_agency("gp-practice-x", "A GP practice (not a signatory)", None)
        tokens = {"housing": registry.create_client("wcc-housing", "case_officer"),
                  "gp": registry.create_client("gp-practice-x", "safeguarding_lead"),
                  "dpo": registry.create_client("wcc-asb", "dpo"),
                  "gmap": registry.create_client("wcc-asb", "panel_member")}
        registry.save(settings.registry_path)
        ensure_topics(broker.bootstrap_servers,
                      [AGENCY_TOPIC_PREFIX + a for a in ("met-police", "wcc-asb")])

        hub, engine = open_hub(settings), open_engine(settings)
        worker = IngestWorker(settings, hub, consumer_options={
            "max_poll_interval_ms": 5000, "session_timeout_ms": 6000,
            "heartbeat_interval_ms": 1000})
        stop = threading.Event()
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()

        for agency, kind, sample in (("met-police", "incidents-csv", "met-police-incidents"),
                                     ("wcc-asb", "incidents-csv", "wcc-asb-incidents"),
                                     ("wcc-asb", "cases-csv", "wcc-asb-cases"),
                                     ("met-police", "relationships-csv",
                                      "met-police-relationships")):
            source = work / f"{sample}.csv"
            source.write_text(SAMPLES.joinpath(f"{sample}.csv").read_text())
            _connector("run", kind, "--source", str(source), "--agency", agency,
                       "--key-file", str(work / f"{agency}.pem"),
                       "--bootstrap", broker.bootstrap_servers,
                       "--partnership-key-file", str(partnership_key))
        print("waiting for the worker to ingest ...")
        _wait_for_case(hub, "wcc-asb", "CASE-2026-0042", incidents=3)
        _wait_for_family(hub, "wcc-asb", "CASE-2026-0042", party=1, ties=2)
        print(f"ingested: {worker.counts}")

        with ApiServer(settings, hub, engine) as server, httpx.Client(base_url=server.url) as http:
            case = {"agency": "wcc-asb", "ref": "CASE-2026-0042"}
            # The second ask names a DPA 2018 Sch 1 condition, which the victim's health and the
            # suspect's previous offences need beyond the agreement (docs/policies.md).
            sch1 = {"gateway": "dpa_sch2_para2",
                    "justification": "escalating harassment: risk of further offences",
                    "proportionality": "the case and its incidents only",
                    "third_parties_considered": "no other residents are named",
                    "prejudice_test": {"prejudice": "further assaults on the victim",
                                       "causal_link": "the history shapes the action plan",
                                       "likelihood": "two incidents in three weeks"},
                    "special_category_condition": "sch1_para10"}
            for who, user, purpose, claims in (
                    ("housing", "h.officer", "asb_case_management", []),
                    ("housing", "h.officer", "asb_case_management", [sch1]),
                    ("gp", "dr.example", "safeguarding", [])):
                ask = {"case": case, "purpose": purpose, "gateway_claims": claims}
                response = http.post("/v1/case-views", json=ask, headers={
                    "Authorization": f"Bearer {tokens[who]}", "X-Hub-User": user})
                print(f"\n== {user} ({who}) asks for the case for {purpose}: "
                      f"HTTP {response.status_code}")
                print(json.dumps(response.json(), indent=2))
            nominal = {"case": case, "party": {"index": 1, "role": "alleged_perpetrator"}}
            for who, user, purpose, panel in (("gmap", "g.member", "gmap", "gmap"),
                                              ("housing", "h.officer", "asb_case_management",
                                               None)):
                response = http.post("/v1/family-views", json={
                    **nominal, "purpose": purpose, "panel_type": panel}, headers={
                    "Authorization": f"Bearer {tokens[who]}", "X-Hub-User": user})
                print(f"\n== {user} ({who}) asks for the perpetrator's family for {purpose}: "
                      f"HTTP {response.status_code}")
                print(json.dumps(response.json(), indent=2))
            log = http.get("/v1/disclosures", headers={
                "Authorization": f"Bearer {tokens['dpo']}", "X-Hub-User": "the.dpo"}).json()
            print("\n== the disclosure log, as the DPO sees it")
            for row in log:
                print(f"  {row['recorded_at']} {row['requester']['user']}@{row['recipient']} "
                      f"{row['record_kind']} purpose={row['purpose']} allowed={row['allowed']} "
                      f"released={len(row['released'])} withheld={len(row['withheld'])} "
                      f"bundle={row['bundle_revision'][:12]}")
        trail = audit_trail(hub, AuditConfig.from_settings(settings))
        trail.checkpoint()
        print("\n== hub audit verify")
        print(verify_configured(hub, AuditConfig.from_settings(settings)).summary())
        stop.set()
        thread.join(10)
        worker.close()
    print(f"\ndemo complete; its data is kept in {data_dir} (delete it when you are done)")
    return 0
