"""Scored pairs become hub events, and the hub's records become identities to match.

An automatic link is a MatchProposal (rule ``probabilistic``) scored field by field and
confirmed by ``hub:matching``, with the merged Person's ``MergedInto``: the same events a
person's confirmation makes, so ``match.decided`` "unmerge" undoes it and every view, trigger
and panel fact follows (they read Person merges). A proposal waits for a person's decision.
A pair already proposed, linked, rejected or undone is never re-decided by the matcher: a
person's "no" stands, for the whole groups a link would join (``kept_apart``), not only for
the pair.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.model import Case, Incident, MatchProposal
from domain.model.subjects import REJECTED, UNMERGED, proposal_id
from domain.rules.matching import AUTO_LINK, PROBABILISTIC, PROPOSE
from hub.application import CONFLICT_RETRIES, PartnershipHub, Unreadable
from hub.matching.comparisons import Identity, identity
from hub.matching.engine import MatchingEngine, Scored
from hub.matching.people import linked_people, root_of

MATCHER = "hub:matching"
READS = (Incident.Reported, Case.Opened, Case.PartyAdded)
log = logging.getLogger(__name__)


def identities_of(event: Any) -> Iterator[Identity]:
    """What the agencies sent about each party of one stored record event; only parties that
    carried a name take part (a bare match key can only match exactly)."""
    parties = [event.party] if hasattr(event, "party") else list(event.parties)
    place = getattr(event, "location", None) or {}
    for party in parties:
        if not party.get("name"):
            continue
        home = place if party.get("lives_at_location") else {}
        yield identity(party["match_key"], party["name"], party.get("date_of_birth"),
                       home.get("address", ""), home.get("postcode", ""))


def record_outcomes(app: PartnershipHub, x: Identity, found: list[Scored],
                    at: datetime, engine: MatchingEngine | None = None) -> dict[str, int]:
    """Store the outcome of each scored candidate of ``x`` (best first). ``engine`` holds the
    identities the groups' guards are checked on (``kept_apart``)."""
    counts = {AUTO_LINK: 0, PROPOSE: 0}
    answered: set[str] = set()  # one outcome per linked group of records, its best pair
    for scored in found:
        group = root_of(app, scored.key)
        if group in answered:
            continue
        answered.add(group)
        for attempt in range(CONFLICT_RETRIES):
            try:
                kind = _record_one(app, x, scored, at, engine)
                break
            except IntegrityError:  # a person's decision was stored meanwhile: read again
                if attempt == CONFLICT_RETRIES - 1:
                    raise
        if kind:
            counts[kind] += 1
    return counts


def kept_apart(app: PartnershipHub, engine: MatchingEngine | None, a: str,
               b: str) -> str | None:
    """Why linking ``a`` with ``b`` must wait for a person, or None.

    A link joins two groups of records, not two records: every record linked with ``a``
    against every record linked with ``b``. Any such pair a guard keeps apart (twins, dates of
    birth too far apart, ...) or a person rejected or un-linked blocks it, so a third record
    cannot join what was kept apart pair by pair. The groups are read from the links, so the
    answer does not depend on which key survives a merge (how the keys happen to sort).
    """
    ours = [p.match_key for p in linked_people(app, a)] or [a]
    theirs = [p.match_key for p in linked_people(app, b)] or [b]
    for one in ours:
        for other in theirs:
            held = app.get_or_none(proposal_id(one, other))
            if held is not None and held.status in (REJECTED, UNMERGED):
                return (f"a person {held.status} a link between records this would join: "
                        "a person decides")
            reason = engine.two_people(one, other) if engine is not None else None
            if reason:
                return f"this would join records kept apart ({reason})"
    return None


def _record_one(app: PartnershipHub, x: Identity, scored: Scored, at: datetime,
                engine: MatchingEngine | None = None) -> str | None:
    if app.get_or_none(proposal_id(x.key, scored.key)) is not None:
        return None  # decided or pending already: the matcher never overrides a person
    if root_of(app, x.key) == root_of(app, scored.key):
        return None  # linked already, through another record of theirs
    proposal = MatchProposal(a=x.key, b=scored.key, rule=PROBABILISTIC, proposed_at=at)
    outcome = scored.outcome
    reasons = list(outcome.reasons)
    changed: list[Any] = [proposal]
    kind = outcome.outcome
    survivor, merged = app.person(proposal.a), app.person(proposal.b)
    if kind == AUTO_LINK and (survivor is None or merged is None
                              or merged.merged_into is not None):
        kind = PROPOSE
        reasons.append("one of the two is already linked to another record: a person decides")
    if kind == AUTO_LINK:
        apart = kept_apart(app, engine, x.key, scored.key)
        if apart:
            kind = PROPOSE
            reasons.append(apart)
    proposal.score(weight=outcome.weight, outcome=kind, reasons=reasons,
                   fields=[asdict(f) for f in outcome.fields])
    if kind == AUTO_LINK:
        proposal.decide("confirm", MATCHER, at, f"{MATCHER}:{proposal.id}")
        merged.merge_into(into=proposal.a, proposal=str(proposal.id), by=MATCHER)
        survivor.absorb(key=proposal.b, proposal=str(proposal.id))
        changed += [survivor, merged]
    app.save(*changed)
    return kind


def pending(app: PartnershipHub) -> list[dict[str, Any]]:
    """Proposals waiting for a person, strongest first, with the reasons they were made.
    Match keys and field levels only: no name or date of birth is shown."""
    found: dict[str, MatchProposal] = {}
    for event in app.records([get_topic(MatchProposal.Scored)]):
        if not isinstance(event, Unreadable):
            found[str(event.originator_id)] = app.get_or_none(event.originator_id)
    return sorted(({"a": p.a, "b": p.b, "weight": p.weight, "reasons": list(p.reasons),
                    "proposed_at": p.proposed_at.isoformat()}
                   for p in found.values() if p is not None and p.status == "proposed"),
                  key=lambda p: -(p["weight"] or 0))


class MatchingFollower:
    """Follows the hub's stored records and matches each new identity as it arrives.

    ``catch_up`` from position 0 on a fresh engine is the bulk backfill; called after each
    ingest batch it is incremental. The index lives in this process and is rebuilt from the
    store on start (it is a projection, like the views).
    """

    def __init__(self, app: PartnershipHub, engine: MatchingEngine) -> None:
        self.app = app
        self.engine = engine
        self.position = 0

    def events(self, limit: int = 1000) -> Iterator[tuple[int, Any]]:
        topics = [get_topic(t) for t in READS]
        while True:
            batch = self.app.process_recorder.select_notifications(
                start=self.position + 1, limit=limit, topics=topics)
            for notification in batch:
                try:
                    event = self.app.mapper.to_domain_event(notification)
                except Exception as exc:
                    event = Unreadable(notification.originator_id,
                                       notification.originator_version, notification.id,
                                       notification.topic, str(exc)[:200])
                yield notification.id, event
            if len(batch) < limit:
                return
            self.position = batch[-1].id

    def catch_up(self, progress: Any = None) -> dict[str, int]:
        counts = {"records": 0, "identities": 0, AUTO_LINK: 0, PROPOSE: 0}
        for position, event in self.events():
            self.position = position
            counts["records"] += 1
            if isinstance(event, Unreadable):
                continue
            at = getattr(event, "timestamp", None) or datetime.now(UTC)
            for x in identities_of(event):
                counts["identities"] += 1
                found = self.engine.match_and_add(x)
                if found:
                    for kind, n in record_outcomes(self.app, x, found, at,
                                                   self.engine).items():
                        counts[kind] += n
            if progress is not None and counts["records"] % 1000 == 0:
                progress(counts)
        return counts
