"""Per-person keys, so that erasing a person is destroying their key (crypto-shredding).

``SealingTranscoder`` wraps the application's transcoder. Before an event (or a snapshot) is
encoded, every dict that names a person by ``match_key`` has its personal fields (name, date of
birth, contact...) replaced by one sealed value, encrypted under that person's own key; a
``location`` beside a ``parties`` list has its address fields sealed under a data key wrapped
for each of those parties (it stays readable while any of them keeps their key: it is their
data too). Decoding reverses this; once a person's key is destroyed their fields decode as
``None``. The whole event is then encrypted at rest as before (AES-GCM with HUB_CIPHER_KEY).
The domain model never sees any of this.

The key store is a separate table: ``subject-keys.sqlite`` beside the embedded SQLite store,
or ``hub_subject_keys`` in ``HUB_SUBJECT_KEY_SCHEMA`` (default: the event store's schema) on
PostgreSQL. Subject keys are themselves encrypted with HUB_CIPHER_KEY. Erasure overwrites the
key (SQLite ``secure_delete``; PostgreSQL ``VACUUM FULL`` of the key table).

A new person's key is staged when their first event is sealed and written with the events
that need it (hub/store.py): on PostgreSQL in the same transaction; on SQLite, whose key file
cannot share the event store's transaction, in one transaction of its own just before the
events, so a crash can leave an unused key but never an event whose key is missing. Writing a
staged key again is harmless (same key id), so a batch that fails and is retried needs nothing.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.persistence import Transcoder

# Identifiers, and the special category and offence data a party carries (docs/domain.md,
# "Sensitive facts"): erasing the person makes all of them unreadable.
PERSON_FIELDS = ("name", "date_of_birth", "contact", "phone", "email", "aliases", "health",
                 "ethnicity", "religion", "sexual_orientation", "previous_offences")
ADDRESS_FIELDS = ("address", "postcode", "uprn")
SEALED = "_sealed"
NESTED = (dict, list, tuple)  # only these are walked: other values are left as they are
KEY_TTL_SECONDS = 10.0


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)


class SubjectKeyStore:
    """Keys by match key. ``sqlite`` path, ``postgres`` env, or in memory (None)."""

    def __init__(self, wrap_key: str | None, *, sqlite_path: Path | None = None,
                 postgres: Mapping[str, str] | None = None, ttl: float = KEY_TTL_SECONDS
                 ) -> None:
        self._wrap = AESCipher({"CIPHER_KEY": wrap_key}) if wrap_key else None  # type: ignore[arg-type]
        self.sqlite_path, self.postgres, self.ttl = sqlite_path, postgres, ttl
        self._memory: dict[str, tuple[str, bytes | None]] = {}
        self._lock = threading.Lock()
        self._keys: dict[str, tuple[float, bytes | None]] = {}  # key_id -> (fetched, key)
        self._active: dict[str, str] = {}  # match_key -> key_id
        self._staged: dict[str, tuple[str, bytes]] = {}  # key_id -> (match_key, key): new
        self._pg_pool: Any = None
        self._sqlite: sqlite3.Connection | None = None
        self._setup()

    # -- storage --------------------------------------------------------------------------------

    def _table(self) -> str:
        assert self.postgres is not None
        schema = self.postgres.get("HUB_SUBJECT_KEY_SCHEMA") or \
            self.postgres.get("POSTGRES_SCHEMA") or "public"
        return f"{schema}.hub_subject_keys"

    def _sql(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return self._sql_many(sql, [params])

    def _sql_many(self, sql: str, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
        """Run ``sql`` once per row and commit; the last statement's rows."""
        if self.sqlite_path is not None:
            conn = self._sqlite_connection()
            found: list[tuple[Any, ...]] = []
            try:
                for params in rows:
                    found = conn.execute(sql.replace("{T}", "subject_keys"), params).fetchall()
                conn.commit()
            except BaseException:
                conn.rollback()
                raise
            return found
        sql = sql.replace("?", "%s").replace("{T}", self._table())
        for attempt in (1, 2):
            try:
                conn = self._pg_connection()
                with conn.cursor() as cursor:
                    for params in rows:
                        cursor.execute(sql, params)
                    return cursor.fetchall() if cursor.description else []
            except Exception as exc:
                self._pg_pool = None  # reconnect once, then give up
                if attempt == 2:
                    _raise_unavailable(exc)
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close this store's connections (they open again if it is used after)."""
        with self._lock:
            for conn in (self._sqlite, self._pg_pool):
                if conn is not None:
                    conn.close()
            self._sqlite = self._pg_pool = None

    def _sqlite_connection(self) -> sqlite3.Connection:
        """One connection for the store's life (callers hold ``_lock``): opening one and
        committing for each new person was 15% of the worker on SQLite."""
        if self._sqlite is None:
            assert self.sqlite_path is not None
            self._sqlite = sqlite3.connect(self.sqlite_path, timeout=30,
                                           check_same_thread=False)
            self._sqlite.execute("PRAGMA secure_delete = ON")
        return self._sqlite

    def _pg_connection(self) -> Any:
        import psycopg
        if self._pg_pool is None or self._pg_pool.closed:
            env = self.postgres or {}
            self._pg_pool = psycopg.connect(
                host=env.get("POSTGRES_HOST", "127.0.0.1"), port=env.get("POSTGRES_PORT", "5432"),
                dbname=env.get("POSTGRES_DBNAME", "postgres"),
                user=env.get("POSTGRES_USER", "postgres"),
                password=env.get("POSTGRES_PASSWORD", ""), autocommit=True,
                connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT") or 5))
        return self._pg_pool

    def _setup(self) -> None:
        if self.sqlite_path is None and self.postgres is None:
            return
        if self.sqlite_path is not None:
            self.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.close()
        blob = "BLOB" if self.sqlite_path is not None else "BYTEA"
        self._sql(f"CREATE TABLE IF NOT EXISTS {{T}} (key_id TEXT PRIMARY KEY, "
                  f"match_key TEXT NOT NULL, wrapped {blob}, created_at TEXT NOT NULL, "
                  "erased_at TEXT)")
        self._sql("CREATE INDEX IF NOT EXISTS subject_keys_match ON {T} (match_key)")

    def _wrap_key(self, key: bytes) -> bytes:
        return self._wrap.encrypt(key) if self._wrap else key

    def _unwrap_key(self, wrapped: bytes) -> bytes:
        return self._wrap.decrypt(wrapped) if self._wrap else wrapped

    # -- keys -----------------------------------------------------------------------------------

    def key_for(self, match_key: str) -> tuple[str, bytes]:
        """The person's active key (created on first use, staged until stored)."""
        with self._lock:
            key_id = self._active.get(match_key)
            if key_id is not None:
                key = self._staged[key_id][1] if key_id in self._staged else self._cached(key_id)
                if key is not None:
                    return key_id, key
            found = self._find_active(match_key)
            if found is None:
                found = (uuid.uuid4().hex, AESGCM.generate_key(bit_length=256))
                if self.sqlite_path is None and self.postgres is None:
                    self._insert(match_key, *found)
                else:
                    self._staged[found[0]] = (match_key, found[1])
            self._active[match_key] = found[0]
            self._keys[found[0]] = (time.monotonic(), found[1])
            return found

    def _cached(self, key_id: str) -> bytes | None:
        hit = self._keys.get(key_id)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        key = self._load(key_id)
        self._keys[key_id] = (time.monotonic(), key)
        return key

    def key(self, key_id: str) -> bytes | None:
        """A key by id; None once erased (or unknown)."""
        with self._lock:
            staged = self._staged.get(key_id)
            return staged[1] if staged is not None else self._cached(key_id)

    # -- writing new keys with the events that need them ----------------------------------------

    def staged_rows(self) -> list[tuple[str, str, bytes, str]]:
        """New keys not yet known to be stored, as rows of the key table."""
        with self._lock:
            now = datetime.now(UTC).isoformat()
            return [(key_id, match_key, self._wrap_key(key), now)
                    for key_id, (match_key, key) in self._staged.items()]

    def insert_sql(self) -> str:
        """Writes one staged row in the store's own dialect; a key already written is left
        as it is."""
        columns = "(key_id, match_key, wrapped, created_at)"
        if self.sqlite_path is not None:
            return f"INSERT OR IGNORE INTO subject_keys {columns} VALUES (?, ?, ?, ?)"
        return (f"INSERT INTO {self._table()} {columns} VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (key_id) DO NOTHING")

    def stored(self, rows: list[tuple[str, str, bytes, str]]) -> None:
        """These rows are committed: they need writing no more."""
        with self._lock:
            for row in rows:
                self._staged.pop(row[0], None)

    def write_staged(self) -> None:
        """Store every staged key now, in one transaction of its own (before the events that
        need them, where they cannot share the events' transaction)."""
        rows = self.staged_rows()
        if rows:
            with self._lock:
                self._sql_many(self.insert_sql(), list(rows))
            self.stored(rows)

    def _find_active(self, match_key: str) -> tuple[str, bytes] | None:
        if self.sqlite_path is None and self.postgres is None:
            for key_id, (mk, key) in self._memory.items():
                if mk == match_key and key is not None:
                    return key_id, key
            return None
        rows = self._sql("SELECT key_id, wrapped FROM {T} WHERE match_key = ? AND "
                         "erased_at IS NULL LIMIT 1", (match_key,))
        return (rows[0][0], self._unwrap_key(bytes(rows[0][1]))) if rows else None

    def _insert(self, match_key: str, key_id: str, key: bytes) -> None:
        if self.sqlite_path is None and self.postgres is None:
            self._memory[key_id] = (match_key, key)
            return
        self._sql("INSERT INTO {T} (key_id, match_key, wrapped, created_at) "
                  "VALUES (?, ?, ?, ?)",
                  (key_id, match_key, self._wrap_key(key), datetime.now(UTC).isoformat()))

    def _load(self, key_id: str) -> bytes | None:
        if self.sqlite_path is None and self.postgres is None:
            return self._memory.get(key_id, ("", None))[1]
        rows = self._sql("SELECT wrapped FROM {T} WHERE key_id = ?", (key_id,))
        return self._unwrap_key(bytes(rows[0][0])) if rows and rows[0][0] is not None else None

    def erase(self, match_key: str) -> int:
        """Destroy every key the person has had; returns how many."""
        with self._lock:
            if self.sqlite_path is None and self.postgres is None:
                ids = [k for k, (mk, key) in self._memory.items() if mk == match_key and key]
                for key_id in ids:
                    self._memory[key_id] = (match_key, None)
            else:
                ids = [r[0] for r in self._sql(
                    "SELECT key_id FROM {T} WHERE match_key = ? AND erased_at IS NULL",
                    (match_key,))]
                self._sql("UPDATE {T} SET wrapped = NULL, erased_at = ? "
                          "WHERE match_key = ?", (datetime.now(UTC).isoformat(), match_key))
                self._sql("VACUUM" if self.sqlite_path is not None
                          else "VACUUM FULL {T}")
            self._active.pop(match_key, None)
            self._staged = {k: v for k, v in self._staged.items() if v[0] != match_key}
            for key_id in ids:
                self._keys[key_id] = (time.monotonic(), None)
            return len(ids)


def _raise_unavailable(exc: Exception) -> None:
    """A key store that cannot be reached is an outage of the store (hub/store.py)."""
    import psycopg

    from hub.store import StoreUnavailable
    if isinstance(exc, psycopg.OperationalError):
        raise StoreUnavailable(f"the subject key store is unavailable: {exc}") from exc


class SealingTranscoder(Transcoder):
    """Seals personal fields per person around an inner transcoder."""

    def __init__(self, inner: Transcoder, keys: SubjectKeyStore) -> None:
        self.inner, self.keys = inner, keys

    def encode(self, obj: Any) -> bytes:
        return self.inner.encode(self._seal(obj))

    def decode(self, data: bytes) -> Any:
        decoded = self.inner.decode(data)
        return self._unseal(decoded) if b'"_sealed"' in data else decoded

    def __getattr__(self, name: str) -> Any:  # register_transcoding etc. reach the inner one
        if name in {"inner", "keys"} or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.inner, name)

    # -- sealing --------------------------------------------------------------------------------

    def _seal_fields(self, value: dict[str, Any], names: tuple[str, ...],
                     match_keys: list[str]) -> dict[str, Any]:
        fields = {n: value[n] for n in names if value.get(n) is not None}
        if not fields or not match_keys:
            return value
        try:
            plain = json.dumps(fields).encode()
        except TypeError:
            return value  # not plain data: leave it to the store's own encryption
        data_key = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        wraps = {}
        for match_key in sorted(set(match_keys)):
            key_id, key = self.keys.key_for(match_key)
            wrap_nonce = os.urandom(12)
            wraps[key_id] = _b64(wrap_nonce + AESGCM(key).encrypt(wrap_nonce, data_key, None))
        sealed = {k: v for k, v in value.items() if k not in fields}
        sealed[SEALED] = {"f": sorted(fields), "k": wraps,
                          "c": _b64(nonce + AESGCM(data_key).encrypt(nonce, plain, None))}
        return sealed

    def _seal(self, obj: Any) -> Any:
        if isinstance(obj, dict) and "prev_hash" in obj and "entry" in obj:
            return obj  # an audit chain entry: hashed as written, never sealed (no PII in it)
        if isinstance(obj, dict):
            out = {k: self._seal(v) if isinstance(v, NESTED) else v for k, v in obj.items()}
            if isinstance(obj.get("match_key"), str) and obj["match_key"].startswith("mk"):
                out = self._seal_fields(out, PERSON_FIELDS, [obj["match_key"]])
            parties = obj.get("parties")
            if isinstance(out.get("location"), dict) and isinstance(parties, list | tuple):
                keys = [p["match_key"] for p in parties
                        if isinstance(p, dict) and isinstance(p.get("match_key"), str)]
                out["location"] = self._seal_fields(out["location"], ADDRESS_FIELDS, keys)
            return out
        if isinstance(obj, list):
            return [self._seal(v) if isinstance(v, NESTED) else v for v in obj]
        if isinstance(obj, tuple):
            return tuple(self._seal(v) if isinstance(v, NESTED) else v for v in obj)
        return obj

    def _open(self, sealed: dict[str, Any]) -> dict[str, Any] | None:
        for key_id, wrapped in sealed["k"].items():
            key = self.keys.key(key_id)
            if key is None:
                continue
            raw = _unb64(wrapped)
            data_key = AESGCM(key).decrypt(raw[:12], raw[12:], None)
            blob = _unb64(sealed["c"])
            return json.loads(AESGCM(data_key).decrypt(blob[:12], blob[12:], None))
        return None

    def _unseal(self, obj: Any) -> Any:
        if isinstance(obj, dict):
            out = {k: self._unseal(v) if isinstance(v, NESTED) else v
                   for k, v in obj.items() if k != SEALED}
            sealed = obj.get(SEALED)
            if isinstance(sealed, dict) and "c" in sealed:
                opened = self._open(sealed)
                out.update(opened if opened is not None else dict.fromkeys(sealed["f"]))
            return out
        if isinstance(obj, list):
            return [self._unseal(v) if isinstance(v, NESTED) else v for v in obj]
        if isinstance(obj, tuple):
            return tuple(self._unseal(v) if isinstance(v, NESTED) else v for v in obj)
        return obj


def key_store_for(env: Mapping[str, str]) -> SubjectKeyStore:
    """The key store beside the application's event store (see the module docstring)."""
    wrap_key = env.get("CIPHER_KEY")
    module = env.get("PERSISTENCE_MODULE", "")
    if module.endswith("postgres"):
        return SubjectKeyStore(wrap_key, postgres={**env, **{
            k: os.environ[k] for k in ("HUB_SUBJECT_KEY_SCHEMA",) if k in os.environ}})
    dbname = env.get("SQLITE_DBNAME", "")
    if module.endswith("sqlite") and dbname and ":memory:" not in dbname \
            and "mode=memory" not in dbname:
        return SubjectKeyStore(wrap_key, sqlite_path=Path(dbname).with_name(
            Path(dbname).stem + "-subject-keys.sqlite"))
    return SubjectKeyStore(wrap_key)


def install(mapper: Any, env: Mapping[str, str]) -> Any:
    """Give a mapper per-subject sealing; returns it (``PartnershipHub.construct_mapper``)."""
    mapper.transcoder = SealingTranscoder(mapper.transcoder, key_store_for(env))
    return mapper
