"""Check the whole audit chain and every checkpoint; name the first broken link.

An entry is broken if its stored bytes no longer decrypt or deserialise (the store is AES-GCM
encrypted, so any change to the bytes shows up here), if its hash is not the hash of its own
content, if it does not point at the hash of the entry before it, or if entries are missing
(a gap in the sequence, or fewer entries than the last signed checkpoint covers). A checkpoint
is broken if its signature does not verify with the hub's audit key.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.model.audit import (
    AUDIT_LOG_ID,
    CHECKPOINTS_ID,
    GENESIS,
    checkpoint_message,
    entry_hash,
)
from hub.application import PartnershipHub
from hub.audit import keys

PAGE = 5000


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str
    detail: str


@dataclass
class VerifyReport:
    entries: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    checkpoints: int = 0
    last_checkpoint_seq: int | None = None
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_broken(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.seq) if self.problems else None

    def as_dict(self) -> dict[str, Any]:
        doc = asdict(self)
        doc["ok"] = self.ok
        first = self.first_broken
        doc["first_broken"] = asdict(first) if first else None
        return doc

    def summary(self) -> str:
        lines = [f"audit log: {self.entries} entries, head seq {self.head_seq} "
                 f"hash {self.head_hash[:16]}..., {self.checkpoints} checkpoints "
                 f"(last at seq {self.last_checkpoint_seq}), checked in {self.seconds:.2f}s"]
        if self.ok:
            lines.append("OK: every entry and every checkpoint verifies")
        else:
            first = self.first_broken
            assert first is not None
            lines.append(f"BROKEN: first broken link is entry {first.seq} ({first.kind}): "
                         f"{first.detail}")
            lines += [f"  entry {p.seq}: {p.kind}: {p.detail}"
                      for p in sorted(self.problems, key=lambda p: p.seq)]
        return "\n".join(lines)


def _stored(app: PartnershipHub, originator_id: Any) -> Iterator[Any]:
    after = 0
    while True:
        page = app.recorder.select_events(originator_id, gt=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1].originator_version


def read_checkpoints(app: PartnershipHub, checkpoints_file: Path | None
                     ) -> tuple[list[dict[str, Any]], list[Problem]]:
    """Checkpoints from the aggregate and from the JSONL file, without duplicates."""
    found: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for stored in _stored(app, CHECKPOINTS_ID):
        if stored.originator_version == 1:
            continue
        try:
            event = app.mapper.to_domain_event(stored)
            doc = {k: getattr(event, k) for k in ("seq", "hash", "signed_at", "public_key",
                                                  "signature")}
        except Exception as exc:
            problems.append(Problem(0, "checkpoint-unreadable",
                                    f"stored checkpoint version {stored.originator_version} "
                                    f"cannot be read ({type(exc).__name__})"))
            continue
        found[doc["signature"]] = doc
    if checkpoints_file is not None and checkpoints_file.exists():
        for n, line in enumerate(checkpoints_file.read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
                found.setdefault(doc["signature"], doc)
            except (ValueError, KeyError, TypeError):
                problems.append(Problem(0, "checkpoint-unreadable",
                                        f"{checkpoints_file} line {n} is not a checkpoint"))
    return sorted(found.values(), key=lambda d: (d["seq"], d["signed_at"])), problems


def verify(app: PartnershipHub, *, public_key: Ed25519PublicKey | None,
           checkpoints_file: Path | None) -> VerifyReport:
    started = time.perf_counter()
    report = VerifyReport()
    checkpoints, problems = read_checkpoints(app, checkpoints_file)
    report.problems += problems
    wanted: dict[int, list[dict[str, Any]]] = {}
    for doc in checkpoints:
        try:
            key = public_key or keys.public_from_text(doc["public_key"])
            key.verify(base64.b64decode(doc["signature"]),
                       checkpoint_message(doc["seq"], doc["hash"], doc["signed_at"]))
        except (InvalidSignature, ValueError, KeyError, TypeError):
            report.problems.append(Problem(
                int(doc.get("seq") or 0), "checkpoint-signature",
                f"checkpoint signed at {doc.get('signed_at')} for entry {doc.get('seq')} does "
                "not verify with the hub's audit key"))
            continue
        wanted.setdefault(doc["seq"], []).append(doc)
    report.checkpoints = len(checkpoints)
    report.last_checkpoint_seq = max(wanted) if wanted else None
    seen_hash: dict[int, str] = {}

    expected_seq = 1
    prev: str | None = GENESIS  # None: the previous entry could not be read
    for stored in _stored(app, AUDIT_LOG_ID):
        version = stored.originator_version
        if version == 1:
            continue
        seq_here = version - 1
        if seq_here != expected_seq:
            report.problems.append(Problem(
                expected_seq, "missing",
                f"entries {expected_seq}..{seq_here - 1} are missing from the store"))
            prev = None
        expected_seq = seq_here + 1
        report.entries += 1
        try:
            event = app.mapper.to_domain_event(stored)
            seq, prev_hash, claimed, entry = event.seq, event.prev_hash, event.hash, event.entry
        except Exception as exc:
            report.problems.append(Problem(
                seq_here, "unreadable",
                f"stored bytes do not decrypt or deserialise ({type(exc).__name__})"))
            prev = None
            continue
        if seq != seq_here:
            report.problems.append(Problem(seq_here, "sequence",
                                           f"entry says seq {seq}, stored at {seq_here}"))
        if prev is not None and prev_hash != prev:
            report.problems.append(Problem(seq_here, "link",
                                           "previous-hash does not match the entry before"))
        if entry_hash(seq, prev_hash, entry) != claimed:
            report.problems.append(Problem(seq_here, "content",
                                           "content does not match its hash (altered)"))
        prev = claimed
        if seq_here in wanted:
            seen_hash[seq_here] = claimed
        report.head_seq, report.head_hash = seq_here, claimed

    for seq, docs in wanted.items():
        if seq > report.head_seq:
            report.problems.append(Problem(
                report.head_seq + 1, "truncated",
                f"the checkpoint signed at {docs[-1]['signed_at']} covers entries up to {seq}; "
                f"the log ends at {report.head_seq}"))
        elif seq in seen_hash and any(d["hash"] != seen_hash[seq] for d in docs):
            report.problems.append(Problem(seq, "checkpoint-mismatch",
                                           "entry hash differs from the signed checkpoint"))
    report.seconds = time.perf_counter() - started
    return report


def verify_configured(app: PartnershipHub, config: Any) -> VerifyReport:
    """Verify with the hub's own audit key (``AuditConfig``) as the trusted key, if there is
    one; otherwise each checkpoint is checked against the public key written beside it."""
    public = None
    if config.key_file is not None and config.key_file.exists():
        public = keys.load(config.key_file).public_key()
    return verify(app, public_key=public, checkpoints_file=config.checkpoints_file)
