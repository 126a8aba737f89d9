"""Family and household ties between people, as the agencies record them.

A ``Relationship`` is one agency record: person A is B's parent (or child, sibling, partner,
former partner, carer, cared for), since and until when, and whether they live together. It
holds the names and dates of birth the agency sent (identity data, encrypted at rest like
every event), so a panel that may see the family can be told who the relatives are; the
Person aggregate stays a bare match key. A later version of the record replaces the earlier
one; an ``until`` date ends the tie. ``Family`` lists the relationship records about one
person, so a family view finds them with one read.

Why the partnership holds them at all: GMAP shares "high risk gang members, their siblings
and other family members" (seeds/002 L890).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.model import ids
from domain.model.errors import DomainRefused

# What the person is to the relative -> what the relative is to the person.
KINDS = {"parent": "child", "child": "parent", "sibling": "sibling", "partner": "partner",
         "former_partner": "former_partner", "carer": "cared_for", "cared_for": "carer"}
IDENTITY = ("name", "date_of_birth")


def relationship_ref(agency: str, ref: str) -> str:
    """The id every family view and disclosure names: the recording agency and its ref."""
    return f"{agency}:{ref}"


def relationship_id(agency: str, ref: str) -> UUID:
    return held_relationship_id(relationship_ref(agency, ref))


def held_relationship_id(relationship: str) -> UUID:
    """The aggregate id of a relationship named as ``Family`` lists it (``agency:ref``)."""
    return uuid5(ids.NAMESPACE, f"relationship:{relationship}")


def family_id(match_key: str) -> UUID:
    return uuid5(ids.NAMESPACE, f"family:{match_key}")


def _person(raw: dict[str, Any]) -> dict[str, Any]:
    """Only the match key and the identity the agency sent: matching keys stay out."""
    return {"match_key": raw["match_key"], **{k: raw[k] for k in IDENTITY if raw.get(k)}}


def check_terms(person: dict[str, Any], relative: dict[str, Any], kind: str,
                since: str | None, until: str | None) -> None:
    """Refuse a record the hub could not use truthfully."""
    if kind not in KINDS:
        raise DomainRefused("unknown-relationship",
                            f"relationship must be one of {sorted(KINDS)}, got {kind!r}")
    if person["match_key"] == relative["match_key"]:
        raise DomainRefused("same-person", "a relationship needs two different people "
                                           "(the person and the relative have one match key)")
    if since and until and date.fromisoformat(until) < date.fromisoformat(since):
        raise DomainRefused("ends-before-start", f"until ({until}) is before since ({since})")


class Relationship(Aggregate):
    """One agency's record of a tie between two people, and its later versions."""

    @staticmethod
    def create_id(agency: str, ref: str, **_: Any) -> UUID:
        return relationship_id(agency, ref)

    @event("Recorded")
    def __init__(self, *, agency: str, ref: str, version: int, source: str,
                 person: dict[str, Any], kind: str, relative: dict[str, Any],
                 since: str | None, until: str | None, lives_together: bool | None) -> None:
        self.agency, self.ref = agency, ref
        self.sources: list[str] = []
        self._apply(version, source, person, kind, relative, since, until, lives_together)

    @classmethod
    def record(cls, *, agency: str, ref: str, version: int, source: str,
               person: dict[str, Any], kind: str, relative: dict[str, Any],
               since: str | None = None, until: str | None = None,
               lives_together: bool | None = None) -> Relationship:
        person, relative = _person(person), _person(relative)
        check_terms(person, relative, kind, since, until)
        return cls(agency=agency, ref=ref, version=version, source=source, person=person,
                   kind=kind, relative=relative, since=since, until=until,
                   lives_together=lives_together)

    def amend(self, *, version: int, source: str, person: dict[str, Any], kind: str,
              relative: dict[str, Any], since: str | None = None, until: str | None = None,
              lives_together: bool | None = None) -> bool:
        """A later version replaces the record; the same event again changes nothing."""
        if source in self.sources:
            return False
        if version <= self.version_held:
            raise DomainRefused("stale-version",
                                f"relationship {self.id_text} is held at version "
                                f"{self.version_held}; version {version} is not later")
        person, relative = _person(person), _person(relative)
        if {person["match_key"], relative["match_key"]} != set(self.keys):
            raise DomainRefused("people-changed",
                                f"relationship {self.id_text} is between other people: record "
                                "a tie between different people under a new reference")
        check_terms(person, relative, kind, since, until)
        self._amended(version=version, source=source, person=person, kind=kind,
                      relative=relative, since=since, until=until,
                      lives_together=lives_together)
        return True

    @event("Amended")
    def _amended(self, *, version: int, source: str, person: dict[str, Any], kind: str,
                 relative: dict[str, Any], since: str | None, until: str | None,
                 lives_together: bool | None) -> None:
        self._apply(version, source, person, kind, relative, since, until, lives_together)

    def _apply(self, version: int, source: str, person: dict[str, Any], kind: str,
               relative: dict[str, Any], since: str | None, until: str | None,
               lives_together: bool | None) -> None:
        self.version_held = version
        self.sources.append(source)
        self.person, self.kind, self.relative = person, kind, relative
        self.since, self.until, self.lives_together = since, until, lives_together

    @property
    def id_text(self) -> str:
        return relationship_ref(self.agency, self.ref)

    @property
    def keys(self) -> tuple[str, str]:
        return self.person["match_key"], self.relative["match_key"]

    def is_current(self, today: date) -> bool:
        return self.until is None or date.fromisoformat(self.until) > today

    def seen_from(self, match_key: str) -> tuple[str, dict[str, Any]] | None:
        """(what the other person is to ``match_key``, the other person), or None if this
        record is not about ``match_key``."""
        if match_key == self.person["match_key"]:
            return KINDS[self.kind], self.relative
        if match_key == self.relative["match_key"]:
            return self.kind, self.person
        return None


class Family(Aggregate):
    """The relationship records about one person (by match key)."""

    @staticmethod
    def create_id(match_key: str, **_: Any) -> UUID:
        return family_id(match_key)

    @event("Started")
    def __init__(self, *, match_key: str) -> None:
        self.match_key = match_key
        self.relationships: list[str] = []

    def add(self, relationship: str) -> None:
        if relationship not in self.relationships:
            self._added(relationship=relationship)

    @event("Added")
    def _added(self, *, relationship: str) -> None:
        self.relationships.append(relationship)
