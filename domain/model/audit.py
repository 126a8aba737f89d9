"""The audit log: one hash chain over every disclosure, refusal, access and DPO decision.

Pure rules only (no I/O): how an entry is made canonical and hashed, and the ``AuditLog``
aggregate whose events are the chain's entries. The aggregate holds nothing but the head
(sequence number and hash), so loading it is cheap (and snapshots keep it cheap for a new
process); optimistic concurrency on this one aggregate serialises appends from every API
replica, which is why concurrent ones are appended in batches, one transaction each
(hub/audit/group_commit.py).

Entry ``n`` stores ``seq = n``, ``prev_hash`` (the hash of entry ``n - 1``, or ``GENESIS``)
and ``hash = sha256(canonical({"seq": n, "prev": prev_hash, "entry": entry}))`` where
``canonical`` is JSON with sorted keys, no insignificant whitespace, UTF-8 text.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

GENESIS = "0" * 64
AUDIT_NAMESPACE = UUID("6f1c5a4e-3b7d-4a53-9a38-2f1f5c0a9e11")
AUDIT_LOG_ID = uuid5(AUDIT_NAMESPACE, "audit-log")
CHECKPOINTS_ID = uuid5(AUDIT_NAMESPACE, "audit-checkpoints")


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def entry_hash(seq: int, prev_hash: str, entry: dict[str, Any]) -> str:
    return hashlib.sha256(canonical({"seq": seq, "prev": prev_hash, "entry": entry})).hexdigest()


def checkpoint_message(seq: int, head: str, signed_at: str) -> bytes:
    """The bytes a checkpoint signature covers."""
    return canonical({"log": str(AUDIT_LOG_ID), "seq": seq, "hash": head, "signed_at": signed_at})


class AuditLog(Aggregate):
    """The chain. Event version ``seq + 1`` is entry ``seq`` (version 1 opens the log)."""

    @staticmethod
    def create_id() -> UUID:
        return AUDIT_LOG_ID

    @event("Opened")
    def __init__(self) -> None:
        self.seq = 0
        self.head = GENESIS

    def append(self, entry: dict[str, Any]) -> int:
        """Add an entry (JSON values only); returns its sequence number."""
        entry = json.loads(canonical(entry))  # exactly what the store will give back
        seq = self.seq + 1
        self._appended(seq=seq, prev_hash=self.head, hash=entry_hash(seq, self.head, entry),
                       entry=entry)
        return seq

    @event("Appended")
    def _appended(self, seq: int, prev_hash: str, hash: str,
                  entry: dict[str, Any]) -> None:
        self.seq = seq
        self.head = hash


class AuditCheckpoints(Aggregate):
    """Signed checkpoints of the chain head, kept apart from the chain itself."""

    @staticmethod
    def create_id() -> UUID:
        return CHECKPOINTS_ID

    @event("Opened")
    def __init__(self) -> None:
        self.last_seq = 0

    @event("Signed")
    def sign(self, seq: int, hash: str, signed_at: str, public_key: str,
             signature: str) -> None:
        self.last_seq = seq


class Erasure(Aggregate):
    """A person's data was erased by destroying their key; every projection must drop what it
    derived about ``match_key``. Records nothing that identifies the person beyond the match
    key (a pseudonym: an HMAC that cannot be reversed without the name, date of birth and the
    partnership key)."""

    @event("Completed")
    def __init__(self, *, match_key: str, reason: str, requested_by: dict[str, str],
                 erased_at: str, keys_destroyed: int) -> None:
        self.match_key = match_key
        self.reason = reason
        self.requested_by = requested_by
        self.erased_at = erased_at
        self.keys_destroyed = keys_destroyed
