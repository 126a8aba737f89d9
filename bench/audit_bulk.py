"""A long audit chain written in bulk, for the benchmarks: a million entries through the API
would take hours.

Each entry is made by the hub's own code (``AuditLog.append``: same canonical JSON, same
hashing), carries a realistically sized disclosure record, and is stored right after that
record's ``Disclosure`` event, both encrypted by the hub's own mapper, as the API stores them.
Only the path to the store is shorter: the recorder directly, ``CHUNK`` entries per
transaction. Checkpoints are signed every ``every`` entries and the chain and its checkpoints
are snapshotted at the hub's own intervals (the latest snapshot of each is the only one a
process ever reads), so the store looks like one the hub filled itself.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.model.audit import AuditCheckpoints, AuditLog, checkpoint_message
from domain.model.disclosure import Disclosure
from hub.application import PartnershipHub
from hub.audit import keys

CHUNK = 2000
AT = "2026-11-23T10:00:00Z"


def record_like(i: int) -> dict[str, Any]:
    """A disclosure record of the demo case's size (20 released identity fields)."""
    paths = [f"incident.{n}.party.0.name" for n in range(20)]
    return {"requester": {"user": "h.officer", "agency": "wcc-housing", "role": "case_officer"},
            "recipient": "wcc-housing", "purpose": "asb_case_management",
            "record_kind": "case_view", "record_ref": f"wcc-asb:CASE-{i:07d}",
            "subjects": [f"mk1:{i:064x}"], "decision_id": uuid.uuid4().hex, "allowed": True,
            "released": paths, "withheld": {}, "gateways": [], "consent_ids": [],
            "agreement": "swp-isp", "reasons": [], "bundle_revision": "sha256:" + "a" * 64,
            "engine": "regorus", "released_categories": ["identity", "incident"],
            "suppliers": ["met-police", "wcc-asb"], "requested_at": AT,
            "requested": [{"path": p, "category": "identity", "supplier": "met-police"}
                          for p in paths], "withheld_categories": [], "justification": "",
            "necessity": "", "special_category_condition": None, "referral": None,
            "override": None, "redactions": [], "recipient_detail": None,
            "legal_services_approval": None}


def build_chain(app: PartnershipHub, entries: int, signer: Ed25519PrivateKey, *,
                every: int = 1000, progress: Callable[[int], None] | None = None) -> float:
    """Append ``entries`` disclosures (with their records) to an empty chain; seconds taken.
    One chunk is stored while the next is made (the store's wait releases the GIL)."""
    started = time.perf_counter()
    log, checkpoints = AuditLog(), AuditCheckpoints()
    public = keys.public_text(signer)
    with ThreadPoolExecutor(1) as storing:
        stored: Future[None] | None = None
        while log.seq < entries:
            snapshots = []
            events: list[Any] = []
            for aggregate in (log, checkpoints):
                snapshots.append((aggregate, aggregate.version))
            for i in range(log.seq, min(entries, log.seq + CHUNK)):
                record = record_like(i)
                disclosure = Disclosure(**record)
                events += disclosure.collect_events()
                log.append({"kind": "disclosure", "ref": str(disclosure.id), "at": AT,
                            "record": record})
                events += log.collect_events()
                if log.seq % every == 0:
                    signature = signer.sign(checkpoint_message(log.seq, log.head, AT))
                    checkpoints.sign(seq=log.seq, hash=log.head, signed_at=AT,
                                     public_key=public,
                                     signature=base64.b64encode(signature).decode())
            events += checkpoints.collect_events()
            rows = [app.mapper.to_stored_event(e) for e in events]
            due = [type(a).Snapshot.take(a) for a, before in snapshots if _due(app, a, before)]
            if stored is not None:
                stored.result()
            stored = storing.submit(_store, app, rows, due)
            if progress is not None:
                progress(log.seq)
        if stored is not None:
            stored.result()
    return time.perf_counter() - started


def _due(app: PartnershipHub, aggregate: Any, before: int) -> bool:
    interval = app.snapshotting_intervals.get(type(aggregate))
    if not interval:
        return False
    return bool(aggregate.version // interval > before // interval)


def _store(app: PartnershipHub, rows: list[Any], snapshots: list[Any]) -> None:
    app.recorder.insert_events(rows)
    if snapshots:  # only once the events they sum up are stored
        assert app.snapshots is not None
        app.snapshots.put(snapshots)
