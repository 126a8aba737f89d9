"""An agency's Ed25519 signing key: kept at the agency, its public half registered with the hub."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.contract.keys import public_key_from_text, public_key_text

__all__ = ["generate", "load", "public_key_from_text", "public_key_text"]


def generate(path: Path) -> Ed25519PrivateKey:
    """Create a new key in a PEM file only the owner can read; refuse to overwrite one."""
    if path.exists():
        raise FileExistsError(f"{path} already holds a key; remove it first to rotate keys")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key
