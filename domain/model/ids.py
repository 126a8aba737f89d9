"""Aggregate ids derived from what agencies already call things, so a re-export maps to the
same aggregate and never creates a second one."""

from __future__ import annotations

from uuid import UUID, uuid5

NAMESPACE = UUID("6f1c2a53-3f0e-4a83-9a53-6d4c1e0b7a11")


def incident_id(agency: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"incident:{agency}:{ref}")


def case_id(agency: str, ref: str) -> UUID:
    return uuid5(NAMESPACE, f"case:{agency}:{ref}")


def person_id(match_key: str) -> UUID:
    return uuid5(NAMESPACE, f"person:{match_key}")
