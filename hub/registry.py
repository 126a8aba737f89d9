"""Which agencies may publish (their public keys) and which API clients may ask (their roles).

Kept as a JSON file in the data directory, written atomically. API client secrets are stored
only as SHA-256 digests: the secret is shown once, when the client is created.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from domain.contract.keys import public_key_from_text


@dataclass(frozen=True)
class ApiClient:
    client_id: str
    agency: str
    role: str
    secret_sha256: str


@dataclass
class Agency:
    id: str
    name: str
    public_key: str | None = None  # base64 raw Ed25519, as `hub-connector keys init` prints


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
        if public_key is not None:
            public_key_from_text(public_key)  # refuse a key that does not parse, now
        agency = Agency(agency_id, name, public_key)
        self.agencies[agency_id] = agency
        return agency

    def signing_key(self, agency_id: str) -> Ed25519PublicKey | None:
        agency = self.agencies.get(agency_id)
        if agency is None or agency.public_key is None:
            return None
        return public_key_from_text(agency.public_key)

    def create_client(self, agency_id: str, role: str, client_id: str | None = None) -> str:
        """Register an API client and return its bearer token (``client_id.secret``)."""
        if agency_id not in self.agencies:
            raise KeyError(f"agency {agency_id!r} is not registered")
        client_id = client_id or f"{agency_id}-{secrets.token_hex(4)}"
        secret = secrets.token_urlsafe(32)
        self.clients[client_id] = ApiClient(client_id, agency_id, role, _digest(secret))
        return f"{client_id}.{secret}"

    def authenticate(self, token: str) -> ApiClient | None:
        client_id, _, secret = token.partition(".")
        client = self.clients.get(client_id)
        if client is None or not secret:
            return None
        if not hmac.compare_digest(client.secret_sha256, _digest(secret)):
            return None
        return client


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
