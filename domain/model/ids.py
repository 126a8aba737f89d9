"""Aggregate ids derived from what agencies already call things, so a re-export maps to the
same aggregate and never creates a second one."""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c2a53-3f0e-4a83-9a53-6d4c1e0b7a11")
# Ids are asked for again and again while a batch is recorded (a person in many records, each
# id once to read ahead and again to record); uuid5 hashes each time, so recent ones are kept.
remembered = lru_cache(maxsize=1 << 16)


@remembered
def incident_id(agency: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"incident:{agency}:{ref}")


@remembered
def case_id(agency: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"case:{agency}:{ref}")


@remembered
def person_id(match_key: str) -> UUID:
    return uuid5(NAMESPACE, f"person:{match_key}")
