"""Match keys: how records about one person or place are linked without sharing raw identifiers.

Each agency computes, locally, an HMAC-SHA256 of a normalised identifier with the partnership
key (held by every signatory, never by the hub's partners' users). The hub compares keys, so it
can link a police record and a housing record about the same person while neither agency has to
send the other the name and date of birth to match on.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date

PREFIX = "mk1:"


def normalise_name(name: str) -> str:
    """Case, accents, punctuation and spacing do not distinguish people."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z ]+", " ", plain.lower()).split())


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode.upper())


def normalise_address(address: str, postcode: str = "") -> str:
    words = re.sub(r"[^a-z0-9 ]+", " ", address.lower()).split()
    return " ".join(words) + "|" + normalise_postcode(postcode)


def _key(partnership_key: bytes, kind: str, value: str) -> str:
    digest = hmac.new(partnership_key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return PREFIX + digest


def person_key(partnership_key: bytes, name: str, date_of_birth: date | str) -> str:
    dob = date_of_birth.isoformat() if isinstance(date_of_birth, date) else date_of_birth
    return _key(partnership_key, "person", f"{normalise_name(name)}|{dob}")


def location_key(partnership_key: bytes, *, uprn: str | None = None, address: str = "",
                 postcode: str = "") -> str:
    """A UPRN is the strongest identifier of a place; otherwise the normalised address."""
    if uprn:
        return _key(partnership_key, "uprn", uprn.strip())
    return _key(partnership_key, "address", normalise_address(address, postcode))


def name_key(partnership_key: bytes, name: str) -> str:
    """The name alone: lets the hub propose (never make) a match when dates of birth differ."""
    return _key(partnership_key, "name", normalise_name(name))


def dob_key(partnership_key: bytes, date_of_birth: date | str) -> str:
    dob = date_of_birth.isoformat() if isinstance(date_of_birth, date) else date_of_birth
    return _key(partnership_key, "dob", dob)
