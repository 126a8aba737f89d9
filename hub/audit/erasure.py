"""Erasure by crypto-shredding: destroy the person's keys, then record that it was done.

What remains afterwards: the events themselves (their personal fields now decode as ``None``),
the person's match key (a pseudonym), and the audit log, which keeps its non-identifying record
of each disclosure (who received what categories, when, why) so the log can still be verified
and counted.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.application import Cache, LRUCache

from domain.model.audit import Erasure
from hub.application import PartnershipHub
from hub.audit.chain import audit_trail, now_iso
from hub.audit.subjects import SealingTranscoder


class ErasureUnavailable(RuntimeError):
    pass


def erase_subject(app: PartnershipHub, requested_by: dict[str, str], match_key: str,
                  reason: str) -> dict[str, Any]:
    transcoder = app.mapper.transcoder
    if not isinstance(transcoder, SealingTranscoder):
        raise ErasureUnavailable("this hub does not keep per-person keys, so it cannot erase "
                                 "by destroying one (PartnershipHub.construct_mapper)")
    destroyed = transcoder.keys.erase(match_key)
    _forget_cached_aggregates(app)
    record = {"match_key": match_key, "reason": reason, "requested_by": requested_by,
              "erased_at": now_iso(), "keys_destroyed": destroyed}
    audit_trail(app).commit("erasure", record, Erasure(**record))
    return record


def _forget_cached_aggregates(app: PartnershipHub) -> None:
    """Cached aggregates hold decrypted values; start this process's caches afresh."""
    app.working_set.clear()
    cache = app.repository.cache
    if isinstance(cache, LRUCache):
        app.repository.cache = LRUCache(maxsize=cache.maxsize)
    elif isinstance(cache, Cache):
        app.repository.cache = Cache()
