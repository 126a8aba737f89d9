"""The one definition of how two identities are compared, field by field.

Each comparison gives one level per pair, strongest agreement first; ``missing`` when either
side lacks the field (it moves the weight by nothing). The model (hub/matching/model.py) holds
an m and u probability for every level; training, bulk backfill, incremental matching and the
benchmark all call ``compare`` here, so the levels cannot drift apart.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from domain.rules.matching import placeholder_dob, plausible_dob_typo
from hub.matching import nicknames

MISSING = "missing"
LEVELS: dict[str, tuple[str, ...]] = {
    "given_name": ("exact", "swapped with family name", "short form", "initial", "similar",
                   "roughly similar", "different", MISSING),
    "family_name": ("exact", "swapped with given name", "similar", "one part of the other",
                    "roughly similar", "different", MISSING),
    "date_of_birth": ("exact", "day and month transposed", "one typing error", "different",
                      MISSING),
    "address": ("exact", "same postcode", "similar", "same district", "different", MISSING),
}
TF_FIELDS = {"given_name": "given", "family_name": "family"}  # exact levels adjusted by frequency
# The swapped levels: the same names out of order, so as common as the names in order.
SWAPPED = {"given_name": "swapped with family name", "family_name": "swapped with given name"}


@dataclass(frozen=True, slots=True)
class Identity:
    """What an agency sent about a person on one record: the only identity the hub holds."""

    key: str  # the person match key the agency computed
    given: str = ""
    family: str = ""
    dob: date | None = None
    postcode: str = ""
    address: str = ""

    @property
    def can_score(self) -> bool:
        return bool(self.family and (self.given or self.dob))


def _plain(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z\- ]+", " ", ascii_)


def identity(key: str, name: str = "", date_of_birth: str | date | None = None,
             address: str = "", postcode: str = "") -> Identity:
    """Normalise what a party carried. The given name is the first word and the family name
    the last (a hyphenated surname stays one word); middle names are not compared."""
    words = [w.strip("-") for w in _plain(name).split() if w.strip("-")]
    given, family = (words[0], words[-1]) if len(words) > 1 else ("", words[0] if words else "")
    dob = date.fromisoformat(date_of_birth) if isinstance(date_of_birth, str) and \
        date_of_birth else date_of_birth if isinstance(date_of_birth, date) else None
    if dob is not None and placeholder_dob(dob):
        dob = None  # a stand-in for "unknown" says nothing about who this is
    return Identity(key, given, family, dob, re.sub(r"[^A-Z0-9]", "", postcode.upper()),
                    " ".join(re.sub(r"[^a-z0-9 ]+", " ", address.lower()).split()))


def _given(a: Identity, b: Identity) -> str:
    x, y = a.given, b.given
    if not x or not y:
        return MISSING
    if x == y:
        return "exact"
    if x == b.family and y == a.family:
        return "swapped with family name"
    if nicknames.same_name(x, y):
        return "short form"
    if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
        return "initial"
    similarity = JaroWinkler.similarity(x, y)
    return "similar" if similarity >= 0.9 else "roughly similar" if similarity >= 0.78 \
        else "different"


def _family(a: Identity, b: Identity) -> str:
    x, y = a.family, b.family
    if not x or not y:
        return MISSING
    if x == y:
        return "exact"
    if a.given and b.given and x == b.given and y == a.given:
        return "swapped with given name"
    parts_x, parts_y = set(x.split("-")), set(y.split("-"))
    if parts_x != parts_y and (parts_x <= parts_y or parts_y <= parts_x):
        return "one part of the other"  # a part dropped or added (marriage, hyphenation)
    similarity = JaroWinkler.similarity(x, y)
    if similarity >= 0.92:
        return "similar"
    if parts_x & parts_y:
        return "one part of the other"
    return "roughly similar" if similarity >= 0.8 else "different"


def _dob(a: Identity, b: Identity) -> str:
    x, y = a.dob, b.dob
    if x is None or y is None:
        return MISSING
    if x == y:
        return "exact"
    if x.year == y.year and x.day == y.month and x.month == y.day:
        return "day and month transposed"
    return "one typing error" if plausible_dob_typo(x, y) else "different"


def _address(a: Identity, b: Identity) -> str:
    """Address and postcode together: they move together (an old address changes both), so
    weighing them apart would count one fact twice."""
    if not (a.address or a.postcode) or not (b.address or b.postcode):
        return MISSING
    same_postcode = bool(a.postcode) and a.postcode == b.postcode
    if a.address and a.address == b.address and (same_postcode or not a.postcode
                                                 or not b.postcode):
        return "exact"
    if same_postcode:
        return "same postcode"
    if a.address and b.address and token_set_ratio(a.address, b.address) >= 88:
        return "similar"
    if a.postcode and b.postcode and a.postcode[:-3] == b.postcode[:-3]:
        return "same district"
    return "different"


COMPARE = {"given_name": _given, "family_name": _family, "date_of_birth": _dob,
           "address": _address}


def compare(a: Identity, b: Identity) -> tuple[str, ...]:
    """The level of every comparison, in LEVELS order of fields."""
    return (_given(a, b), _family(a, b), _dob(a, b), _address(a, b))


FIELDS = tuple(COMPARE)
