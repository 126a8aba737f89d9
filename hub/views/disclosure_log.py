"""The disclosure log and the access log as the DPO queries them: tables in the hub's store.

A row per disclosure holds what the DPO filters on (recipient, requesting agency, purpose,
outcome, override and its review, time) as columns and everything else as one document
encrypted with the store's key (AES-GCM, like the events), since justifications and reasons
can name people. The people (match keys), gateways, suppliers and consents a disclosure
involves are terms in a second table, so a search for one of them is an index lookup. A row
that could not be read is listed in every search (the DPO must see it), as before.

Pages are newest first by position in the store and come back oldest first: ``before`` is the
position to continue from (the ``next`` link, hub/api/paging.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.utils import get_topic

from domain.model.disclosure import AccessEvent, Disclosure
from hub.application import PartnershipHub, Unreadable
from hub.audit import queries
from hub.views.tables import TableView

TERMS = ("subjects", "gateways", "suppliers", "consent_ids")


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1_000_000)


class Sealed:
    """The row documents, encrypted with the store's own cipher when it has one."""

    def __init__(self, app: PartnershipHub) -> None:
        self.cipher = getattr(app.mapper, "cipher", None)

    def seal(self, doc: dict[str, Any]) -> bytes:
        data = json.dumps(doc, default=str, separators=(",", ":")).encode()
        return self.cipher.encrypt(data) if self.cipher is not None else data

    def open(self, data: bytes | memoryview) -> dict[str, Any]:
        raw = bytes(data)
        result: dict[str, Any] = json.loads(
            self.cipher.decrypt(raw) if self.cipher is not None else raw)
        return result


@dataclass(frozen=True)
class LogQuery:
    """What the DPO asks of the disclosure log (every filter is optional)."""

    person: str | None = None
    partner: str | None = None
    supplier: str | None = None
    purpose: str | None = None
    gateway: str | None = None
    outcome: str | None = None  # released | refused | override | pending_override
    has_consent: bool = False
    not_to: str | None = None  # leave out disclosures to this recipient
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = 1000
    before: int | None = None

    def where(self) -> tuple[str, dict[str, Any]]:
        terms, params = [], {}
        if self.person:
            terms.append(_term("subjects", "person"))
            params["person"] = self.person
        if self.partner:
            terms.append("(r.recipient = :partner OR r.requester_agency = :partner)")
            params["partner"] = self.partner
        if self.supplier:
            terms.append(_term("suppliers", "supplier"))
            params["supplier"] = self.supplier
        if self.gateway:
            terms.append(_term("gateways", "gateway"))
            params["gateway"] = self.gateway
        if self.purpose:
            terms.append("r.purpose = :purpose")
            params["purpose"] = self.purpose
        terms += {"released": ["r.allowed"], "refused": ["NOT r.allowed"],
                  "override": ["r.override"],
                  "pending_override": ["r.override", "NOT r.reviewed"]}.get(self.outcome or "", [])
        if self.not_to:
            terms.append("r.recipient <> :not_to")
            params["not_to"] = self.not_to
        if self.has_consent:
            terms.append("EXISTS (SELECT 1 FROM {t}_terms c WHERE c.kind = 'consent_ids' "
                          "AND c.disclosure_id = r.disclosure_id)")
        if self.since is not None:
            terms.append("r.recorded_us >= :since")
            params["since"] = _micros(self.since)
        if self.until is not None:
            terms.append("r.recorded_us < :until")
            params["until"] = _micros(self.until)
        readable_only = self.outcome == "pending_override" or self.has_consent or bool(
            self.not_to)
        match = " AND ".join(terms) or "TRUE"
        where = f"NOT r.unreadable AND {match}" if readable_only else (
            f"(r.unreadable OR ({match}))")
        if self.before is not None:
            where += " AND r.position < :before"
            params["before"] = self.before
        return where, params


def _term(kind: str, param: str) -> str:
    return (f"EXISTS (SELECT 1 FROM {{t}}_terms x WHERE x.kind = '{kind}' "
            f"AND x.value = :{param} AND x.disclosure_id = r.disclosure_id)")


@dataclass
class Page:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_before: int | None = None  # position to continue from; None: no older rows


class SealedLog(TableView):
    """A log whose rows (table ``{t}_rows``: position, doc) hold encrypted documents."""

    def __init__(self, app: PartnershipHub) -> None:
        super().__init__(app)
        self.sealed = Sealed(app)

    def newest(self, where: str, params: dict[str, Any], limit: int | None) -> Page:
        """The newest rows matching ``where`` (alias ``r``), oldest first, and where the next
        (older) page starts."""
        self.catch_up()
        tail = ""
        if limit is not None:
            tail, params = " LIMIT :limit", {**params, "limit": limit + 1}
        found = self.view.select(f"SELECT r.position, r.doc FROM {{t}}_rows r WHERE {where} "
                                 f"ORDER BY r.position DESC{tail}", params)
        more = limit is not None and len(found) > limit
        found = found[:limit] if limit is not None else found
        return Page([self.sealed.open(r["doc"]) for r in reversed(found)],
                    found[-1]["position"] if more and found else None)


class DisclosureLog(SealedLog):
    name = "disclosure_log"
    topics = (get_topic(Disclosure.Recorded), get_topic(Disclosure.OverrideReviewed),
              get_topic(Disclosure.ReleasedForSubjectAccess))
    tables = ("terms", "rows")
    schema = (
        "CREATE TABLE IF NOT EXISTS {t}_rows (disclosure_id TEXT PRIMARY KEY, "
        "position BIGINT NOT NULL, recorded_us BIGINT NOT NULL, unreadable BOOLEAN NOT NULL, "
        "recipient TEXT NOT NULL, requester_agency TEXT NOT NULL, purpose TEXT NOT NULL, "
        "allowed BOOLEAN NOT NULL, override BOOLEAN NOT NULL, reviewed BOOLEAN NOT NULL, "
        "doc BYTEA NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_rows_position ON {t}_rows (position)",
        "CREATE INDEX IF NOT EXISTS {n}_rows_recipient ON {t}_rows (recipient, position)",
        "CREATE TABLE IF NOT EXISTS {t}_terms (kind TEXT NOT NULL, value TEXT NOT NULL, "
        "disclosure_id TEXT NOT NULL, PRIMARY KEY (kind, value, disclosure_id))",
        "CREATE INDEX IF NOT EXISTS {n}_terms_disclosure ON {t}_terms (disclosure_id)",
    )

    # -- writing ------------------------------------------------------------------------------

    def _insert(self, cursor: Any, position: int, row: dict[str, Any]) -> None:
        at = datetime.fromisoformat(row["recorded_at"]) if row["recorded_at"] else None
        self.view.execute(cursor, (
            "INSERT INTO {t}_rows VALUES (:id, :position, :at, :unreadable, :recipient, "
            ":agency, :purpose, :allowed, :override, :reviewed, :doc)"), {
            "id": row["disclosure_id"], "position": position, "at": _micros(at) or 0,
            "unreadable": bool(row.get("unreadable")), "recipient": row["recipient"],
            "agency": row["requester"].get("agency", ""), "purpose": row["purpose"],
            "allowed": bool(row["allowed"]), "override": bool(row["override"]),
            "reviewed": False, "doc": self.sealed.seal(row)})
        for kind in TERMS:
            for value in sorted(set(row.get(kind) or ())):
                self.view.execute(cursor, "INSERT INTO {t}_terms VALUES (:kind, :value, :id)",
                                  {"kind": kind, "value": value, "id": row["disclosure_id"]})

    def _update(self, cursor: Any, disclosure_id: str, change: Any) -> None:
        self.view.execute(cursor, "SELECT doc FROM {t}_rows WHERE disclosure_id = :id",
                          {"id": disclosure_id})
        found = cursor.fetchone()
        if found is None:
            return
        row = self.sealed.open(found["doc"])
        change(row)
        self.view.execute(cursor, ("UPDATE {t}_rows SET doc = :doc, reviewed = :reviewed "
                                   "WHERE disclosure_id = :id"), {
            "id": disclosure_id, "doc": self.sealed.seal(row),
            "reviewed": row["override_review"] is not None})

    @singledispatchmethod
    def apply(self, event: Any, cursor: Any, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _recorded(self, event: Disclosure.Recorded, cursor: Any, position: int) -> None:
        self._insert(cursor, position, queries.disclosure_row(event))

    @apply.register
    def _reviewed(self, event: Disclosure.OverrideReviewed, cursor: Any, position: int) -> None:
        self._update(cursor, str(event.originator_id),
                     lambda row: queries.apply_review(row, event))

    @apply.register
    def _released(self, event: Disclosure.ReleasedForSubjectAccess, cursor: Any,
                  position: int) -> None:
        self._update(cursor, str(event.originator_id),
                     lambda row: queries.apply_release(row, event))

    def unreadable(self, event: Unreadable, cursor: Any) -> None:
        if event.topic == self.topics[0]:
            self._insert(cursor, event.notification_id, queries.unreadable_disclosure(event))
        else:
            # A review or release that cannot be read counts as not made (queries.py).
            self._update(cursor, str(event.originator_id), lambda row: row.setdefault(
                "unreadable_events", []).append(event.detail))

    # -- reading ------------------------------------------------------------------------------

    def page(self, query: LogQuery) -> Page:
        """The newest rows matching the query (before ``query.before``), oldest first."""
        where, params = query.where()
        return self.newest(where, params, query.limit)

    def rows(self, query: LogQuery | None = None) -> list[dict[str, Any]]:
        return self.page(query or LogQuery(limit=None)).rows

    def count(self) -> int:
        self.catch_up()
        return int(self.view.select("SELECT COUNT(*) AS n FROM {t}_rows")[0]["n"])


def user_key(app: PartnershipHub, user: str) -> str:
    """Who acted, as a keyed hash: the access log is filtered by user without keeping staff
    names in the clear beside the encrypted documents."""
    secret = (app.env.get("CIPHER_KEY") or "access-log").encode()
    return hmac.new(secret, user.encode(), hashlib.sha256).hexdigest()


class AccessLog(SealedLog):
    name = "access_log"
    topics = (get_topic(AccessEvent.Recorded),)
    tables = ("rows",)
    schema = (
        "CREATE TABLE IF NOT EXISTS {t}_rows (access_id TEXT PRIMARY KEY, "
        "position BIGINT NOT NULL, user_key TEXT NOT NULL, unreadable BOOLEAN NOT NULL, "
        "doc BYTEA NOT NULL)",
        "CREATE INDEX IF NOT EXISTS {n}_rows_position ON {t}_rows (position)",
        "CREATE INDEX IF NOT EXISTS {n}_rows_user ON {t}_rows (user_key, position)",
    )

    def _insert(self, cursor: Any, position: int, row: dict[str, Any]) -> None:
        self.view.execute(cursor, ("INSERT INTO {t}_rows VALUES (:id, :position, :user, "
                                   ":unreadable, :doc)"), {
            "id": row["access_id"], "position": position,
            "user": user_key(self.app, row["user"]), "unreadable": bool(row.get("unreadable")),
            "doc": self.sealed.seal(row)})

    @singledispatchmethod
    def apply(self, event: Any, cursor: Any, position: int) -> None:
        """Other events change nothing here."""

    @apply.register
    def _recorded(self, event: AccessEvent.Recorded, cursor: Any, position: int) -> None:
        self._insert(cursor, position, queries.access_row(event))

    def unreadable(self, event: Unreadable, cursor: Any) -> None:
        self._insert(cursor, event.notification_id, queries.unreadable_access(event))

    def page(self, *, user: str | None = None, limit: int | None = 1000,
             before: int | None = None) -> Page:
        terms, params = ["TRUE"], {}
        if user is not None:
            terms.append("(r.unreadable OR r.user_key = :user)")
            params["user"] = user_key(self.app, user)
        if before is not None:
            terms.append("r.position < :before")
            params["before"] = before
        return self.newest(" AND ".join(terms), params, limit)
