"""Check the whole audit chain, every record it chains, and every checkpoint; name each
broken link.

An entry is broken if its stored bytes no longer decrypt or deserialise (the store is AES-GCM
encrypted, so any change to the bytes shows up here), if its hash is not the hash of its own
content, if it does not point at the hash of the entry before it, or if entries are missing
(a gap in the sequence, or fewer entries than the last signed checkpoint covers). A checkpoint
is broken if its signature does not verify with the hub's audit key.

Each disclosure, access, review, release and erasure is stored as its own event in the same
transaction as the chain entry that carries its record. Every such event must be present,
readable and equal to that record (``record-missing``, ``record-unreadable``,
``record-altered``), and every one must be chained (``record-unchained``: a row added behind
the hub's back). One pass over the notification log does it all: a record and its entry are
stored together, so they meet within a few rows of each other.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.utils import get_topic

from domain.model.audit import (
    AUDIT_LOG_ID,
    CHECKPOINTS_ID,
    GENESIS,
    AuditLog,
    Erasure,
    canonical,
    checkpoint_message,
    entry_hash,
)
from domain.model.disclosure import AccessEvent, Disclosure
from hub.application import PartnershipHub, Unreadable
from hub.audit import keys

PAGE = 5000
ENTRY_TOPIC = get_topic(AuditLog.Appended)
# The event each kind of chain entry records, with the entry's record as its fields (a new
# kind whose record is stored as an event belongs here too, or its events show as unchained).
RECORD_EVENTS: dict[str, type[Any]] = {
    "disclosure": Disclosure.Recorded, "refusal": Disclosure.Recorded,
    "override": Disclosure.Recorded, "override_review": Disclosure.OverrideReviewed,
    "subject_access_release": Disclosure.ReleasedForSubjectAccess,
    "access": AccessEvent.Recorded, "erasure": Erasure.Completed}
RECORD_TOPICS = {get_topic(cls) for cls in RECORD_EVENTS.values()}
LABELS = {Disclosure: "disclosure", AccessEvent: "access record", Erasure: "erasure record"}
EVENT_BASE = {"originator_id", "originator_version", "timestamp", "originator_topic"}
ENTRY_ONLY = {"disclosure_id"}  # a review or release names its disclosure; its event is on it


@dataclass(frozen=True)
class Problem:
    seq: int
    kind: str
    detail: str
    record: str | None = None  # the disclosure, access or erasure record's id, if one


@dataclass
class VerifyReport:
    entries: int = 0
    records: int = 0
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
        lines = [f"audit log: {self.entries} entries, {self.records} records, head seq "
                 f"{self.head_seq} hash {self.head_hash[:16]}..., {self.checkpoints} "
                 f"checkpoints (last at seq {self.last_checkpoint_seq}), checked in "
                 f"{self.seconds:.2f}s"]
        if self.ok:
            lines.append("OK: every entry, every record it chains and every checkpoint "
                         "verifies")
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


def _label(topic: str) -> str:
    return next((label for cls, label in LABELS.items()
                 if topic.startswith(get_topic(cls) + ".")), "record")


class _Records:
    """Pairs each chained record with the entry that carries it, in either order."""

    def __init__(self, report: VerifyReport) -> None:
        self.report = report
        # Events not yet claimed by an entry, with the entry they were stored before.
        self.stored: dict[tuple[UUID, str], tuple[int, Any]] = {}
        self.awaited: dict[tuple[UUID, str], tuple[int, dict[str, Any]]] = {}

    def event(self, position: int, topic: str, event: Any) -> None:
        key = (event.originator_id, topic)
        if key in self.awaited:
            self._check(*self.awaited.pop(key), key, event)
        else:
            self.stored[key] = (position, event)

    def entry(self, seq: int, entry: dict[str, Any]) -> None:
        cls = RECORD_EVENTS.get(entry.get("kind", ""))
        if cls is None or not entry.get("ref"):
            return
        try:
            key = (UUID(str(entry["ref"])), get_topic(cls))
        except ValueError:
            self._problem(seq, "record-missing", f"the entry names no record ({entry['ref']!r})")
            return
        expected = {k: v for k, v in (entry.get("record") or {}).items() if k not in ENTRY_ONLY}
        if key in self.stored:
            self._check(seq, expected, key, self.stored.pop(key)[1])
        else:
            self.awaited[key] = (seq, expected)

    def finish(self) -> None:
        for (record_id, topic), (seq, _) in self.awaited.items():
            self._problem(seq, "record-missing",
                          f"{_label(topic)} {record_id}, recorded by chain entry {seq}, is "
                          "missing from the store (deleted)", record_id)
        for (record_id, topic), (position, event) in self.stored.items():
            self._problem(position, "record-unchained",
                          f"{_label(topic)} {record_id} (version {event.originator_version}, "
                          f"stored before entry {position}) is in the store but no chain entry "
                          "records it (added outside the hub, or its entry is unreadable)",
                          record_id)

    def _check(self, seq: int, expected: dict[str, Any], key: tuple[UUID, str],
               event: Any) -> None:
        record_id, topic = key
        self.report.records += 1
        if isinstance(event, Unreadable):
            self._problem(seq, "record-unreadable",
                          f"{_label(topic)} {record_id}, recorded by chain entry {seq}: the "
                          f"stored bytes do not decrypt or deserialise ({event.error})",
                          record_id)
            return
        fields = {k: v for k, v in vars(event).items() if k not in EVENT_BASE}
        try:
            same = canonical(fields) == canonical(expected)
        except (TypeError, ValueError):
            same = False
        if not same:
            self._problem(seq, "record-altered",
                          f"{_label(topic)} {record_id} does not match chain entry {seq} that "
                          "recorded it (altered)", record_id)

    def _problem(self, seq: int, kind: str, detail: str, record_id: UUID | None = None) -> None:
        self.report.problems.append(Problem(seq, kind, detail,
                                            str(record_id) if record_id else None))


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
    records = _Records(report)

    expected_seq = 1
    prev: str | None = GENESIS  # None: the previous entry could not be read
    for event in app.records([ENTRY_TOPIC, *sorted(RECORD_TOPICS)], limit=PAGE):
        topic = event.topic if isinstance(event, Unreadable) else get_topic(type(event))
        if topic != ENTRY_TOPIC:
            records.event(expected_seq, topic, event)
            continue
        if event.originator_id != AUDIT_LOG_ID:
            continue
        seq_here = event.originator_version - 1
        if seq_here != expected_seq:
            report.problems.append(Problem(
                expected_seq, "missing",
                f"entries {expected_seq}..{seq_here - 1} are missing from the store"))
            prev = None
        expected_seq = seq_here + 1
        report.entries += 1
        if isinstance(event, Unreadable):
            report.problems.append(Problem(
                seq_here, "unreadable",
                f"stored bytes do not decrypt or deserialise ({event.error.split(':')[0]})"))
            prev = None
            continue
        seq, prev_hash, claimed, entry = event.seq, event.prev_hash, event.hash, event.entry
        if seq != seq_here:
            report.problems.append(Problem(seq_here, "sequence",
                                           f"entry says seq {seq}, stored at {seq_here}"))
        if prev is not None and prev_hash != prev:
            report.problems.append(Problem(seq_here, "link",
                                           "previous-hash does not match the entry before"))
        if entry_hash(seq, prev_hash, entry) != claimed:
            report.problems.append(Problem(seq_here, "content",
                                           "content does not match its hash (altered)"))
        records.entry(seq_here, entry)
        prev = claimed
        if seq_here in wanted:
            seen_hash[seq_here] = claimed
        report.head_seq, report.head_hash = seq_here, claimed
    records.finish()

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
