"""Which agencies may publish (their public keys) and which API clients may ask (their roles).

Kept as a JSON file in the data directory, written atomically. API client secrets are stored
only as SHA-256 digests: the secret is shown once, when the client is created or rotated.

A rotated signing key stays valid for an overlap (events signed before the rotation may still
be on the topic); a revoked agency's events are refused, whatever key signed them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.contract.keys import public_key_from_text


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    agency: str
    role: str
    secret_sha256: str
    created_at: str | None = None


@dataclass
class Agency:
    id: str
    name: str
    public_key: str | None = None  # base64 raw Ed25519, as `hub-connector keys init` prints
    previous_keys: list[dict[str, str]] = field(default_factory=list)  # key, valid_until
    revoked_at: str | None = None

    def keys_valid_at(self, now: datetime) -> list[str]:
        """The current key, then rotated-out keys whose overlap has not ended."""
        if self.revoked_at is not None:
            return []
        current = [self.public_key] if self.public_key else []
        return current + [k["key"] for k in self.previous_keys
                          if datetime.fromisoformat(k["valid_until"]) > now]


@dataclass
class Registry:
    agencies: dict[str, Agency] = field(default_factory=dict)
    clients: dict[str, ApiClient] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Registry:
        if not path.exists():
            return cls()
        doc = json.loads(path.read_text())
        return cls(agencies={a["id"]: Agency(**a) for a in doc.get("agencies", [])},
                   clients={c["client_id"]: ApiClient(**c) for c in doc.get("clients", [])})

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        doc = {"agencies": [asdict(a) for a in self.agencies.values()],
               "clients": [asdict(c) for c in self.clients.values()]}
        tmp.write_text(json.dumps(doc, indent=2))
        os.replace(tmp, path)

    def register_agency(self, agency_id: str, name: str, public_key: str | None) -> Agency:
        """Register (or register again, which lifts a revocation) an agency."""
        if public_key is not None:
            public_key_from_text(public_key)  # refuse a key that does not parse, now
        agency = Agency(agency_id, name, public_key)
        self.agencies[agency_id] = agency
        return agency

    def signing_key(self, agency_id: str) -> Ed25519PublicKey | None:
        keys = self.signing_keys(agency_id)
        return keys[0] if keys else None

    def signing_keys(self, agency_id: str, now: datetime | None = None
                     ) -> list[Ed25519PublicKey]:
        """Every key an event from this agency may be signed with now (none if revoked)."""
        agency = self.agencies.get(agency_id)
        if agency is None:
            return []
        return [public_key_from_text(k) for k in agency.keys_valid_at(now or _now())]

    def rotate_key(self, agency_id: str, public_key: str, overlap: timedelta) -> Agency:
        """A new signing key; the old one stays valid for ``overlap``."""
        agency = self._agency(agency_id)
        public_key_from_text(public_key)
        if agency.public_key and agency.public_key != public_key:
            until = (_now() + overlap).isoformat()
            agency.previous_keys = [*agency.previous_keys,
                                    {"key": agency.public_key, "valid_until": until}]
        agency.public_key = public_key
        agency.revoked_at = None
        return agency

    def revoke_agency(self, agency_id: str) -> list[str]:
        """The agency may no longer publish, and its API clients stop working; the client
        ids revoked."""
        agency = self._agency(agency_id)
        agency.revoked_at = _now().isoformat()
        agency.public_key = None
        agency.previous_keys = []
        gone = sorted(c for c, client in self.clients.items() if client.agency == agency_id)
        for client_id in gone:
            del self.clients[client_id]
        return gone

    def _agency(self, agency_id: str) -> Agency:
        if agency_id not in self.agencies:
            raise KeyError(f"agency {agency_id!r} is not registered; see `hub agencies list`")
        return self.agencies[agency_id]

    def create_client(self, agency_id: str, role: str, client_id: str | None = None) -> str:
        """Register an API client and return its bearer token (``client_id.secret``)."""
        agency = self._agency(agency_id)
        if agency.revoked_at is not None:
            raise KeyError(f"agency {agency_id!r} was revoked on {agency.revoked_at}; "
                           "register it again first")
        client_id = client_id or f"{agency_id}-{secrets.token_hex(4)}"
        secret = secrets.token_urlsafe(32)
        self.clients[client_id] = ApiClient(client_id, agency_id, role, _digest(secret),
                                            _now().isoformat())
        return f"{client_id}.{secret}"

    def rotate_client(self, client_id: str) -> str:
        """A new secret for the client (same id, agency and role): the old token stops."""
        client = self._client(client_id)
        return self.create_client(client.agency, client.role, client_id)

    def revoke_client(self, client_id: str) -> ApiClient:
        client = self._client(client_id)
        del self.clients[client_id]
        return client

    def _client(self, client_id: str) -> ApiClient:
        if client_id not in self.clients:
            raise KeyError(f"no API client {client_id!r}; see `hub clients list`")
        return self.clients[client_id]

    def authenticate(self, token: str) -> ApiClient | None:
        client_id, _, secret = token.partition(".")
        client = self.clients.get(client_id)
        if client is None or not secret:
            return None
        if not hmac.compare_digest(client.secret_sha256, _digest(secret)):
            return None
        agency = self.agencies.get(client.agency)
        if agency is None or agency.revoked_at is not None:
            return None
        return client


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
