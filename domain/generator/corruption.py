"""A labelled record-linkage set: the borough generator's people, each recorded by two agencies,
the second record carrying the errors agencies' records really have, at stated rates.

Used by bench/matching.py and the matching tests. The people are the generator's residents
(domain/generator/borough.py); a share of them are given a common English given name that has
short forms (William/Bill), since the generator's invented names have none. Some twins (one
family name, date of birth and address, different given names) are added as people who must
never be joined.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, timedelta

from domain.generator.borough import POLICE, STREETS, SURNAMES, _Builder

AGENCIES = (POLICE, "wcc-housing", "wcc-asb", "nhs-ed", "childrens-services")
SHORT_FORMS = {"William": "Bill", "Robert": "Bob", "Elizabeth": "Liz", "Margaret": "Peggy",
               "Katherine": "Kate", "James": "Jim", "Richard": "Dick", "Edward": "Ted",
               "Thomas": "Tom", "Alexander": "Alex", "Jennifer": "Jenny", "Samuel": "Sam",
               "Victoria": "Vicky", "Christopher": "Chris", "Rebecca": "Becky"}
# Share of second records with each error (applied independently; a record may have several).
RATES = {"given_name_typo": 0.08, "family_name_typo": 0.08, "short_form": 0.10,
         "married_surname": 0.04, "hyphenation_changed": 0.04, "names_swapped": 0.03,
         "day_month_transposed": 0.04, "dob_digit_typo": 0.04, "dob_missing": 0.06,
         "old_address": 0.15, "address_missing": 0.05}
SHORT_FORM_SHARE = 0.4  # of people given a name that has a short form


@dataclass(frozen=True)
class Recorded:
    person: int  # the true person: the label
    agency: str
    name: str
    dob: date | None
    address: str
    postcode: str
    errors: tuple[str, ...] = ()


def place(n: int) -> tuple[str, str]:
    """The generator's n-th place, as an address and postcode."""
    return f"{n // len(STREETS) + 1} {STREETS[n % len(STREETS)]}", f"ZZ{n % 9 + 1} {n % 7 + 1}XX"


def typo(word: str, rng: random.Random) -> str:
    """One keying error: a letter dropped, doubled, replaced or two swapped (not the first)."""
    if len(word) < 3:
        return word + rng.choice(string.ascii_lowercase)
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:
        return word[:i] + word[i + 1:]
    if kind == 1:
        return word[:i] + word[i] + word[i:]
    if kind == 2:
        return word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]


def dob_typo(dob: date, rng: random.Random) -> date:
    """One digit of YYYYMMDD keyed wrong, kept a real date."""
    text = dob.strftime("%Y%m%d")
    for _ in range(50):
        i = rng.choice((2, 3, 6, 7))
        candidate = text[:i] + rng.choice("0123456789".replace(text[i], "")) + text[i + 1:]
        try:
            return date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
        except ValueError:
            continue
    return dob


def people(seed: int, n: int) -> list[tuple[str, date, str, str]]:
    """``n`` of the generator's residents with a home each: (name, dob, address, postcode)."""
    builder = _Builder(seed, n / 20000)
    rng = random.Random(seed * 7919)
    found = []
    for i, resident in enumerate(builder.people[:n]):
        given, family = resident.name.split(" ", 1)
        if rng.random() < SHORT_FORM_SHARE:
            given = rng.choice(sorted(SHORT_FORMS))
        address, postcode = place(rng.randrange(15000) if i % 3 else i)
        found.append((f"{given} {family}", resident.dob, address, postcode))
    return found


def corrupt(person: int, who: tuple[str, date, str, str], agency: str,
            rng: random.Random) -> Recorded:
    name, dob, address, postcode = who
    given, family = name.split(" ", 1)
    errors = [e for e, rate in RATES.items() if rng.random() < rate]
    applied = []
    dob_out: date | None = dob
    for error in errors:
        if error == "given_name_typo":
            given = typo(given, rng)
        elif error == "family_name_typo":
            family = typo(family, rng)
        elif error == "short_form" and given in SHORT_FORMS:
            given = SHORT_FORMS[given]
        elif error == "married_surname":
            family = rng.choice(SURNAMES)
        elif error == "hyphenation_changed":
            parts = family.split("-")
            family = parts[rng.randrange(len(parts))] if len(parts) > 1 \
                else f"{family}-{rng.choice(SURNAMES)}"
        elif error == "names_swapped":
            given, family = family, given
        elif error == "day_month_transposed" and dob.day <= 12 and dob.day != dob.month:
            dob_out = date(dob.year, dob.day, dob.month)
        elif error == "dob_digit_typo":
            dob_out = dob_typo(dob, rng)
        elif error == "dob_missing":
            dob_out = None
        elif error == "old_address":
            address, postcode = place(rng.randrange(15000))
        elif error == "address_missing":
            address, postcode = "", ""
        else:
            continue
        applied.append(error)
    return Recorded(person, agency, f"{given} {family}", dob_out, address, postcode,
                    tuple(applied))


def labelled_set(seed: int = 1, n: int = 5000, twins: int = 50
                 ) -> tuple[list[Recorded], list[Recorded]]:
    """(first records, second records): person i is recorded once in each, by two different
    agencies; the last ``2 * twins`` people are twin pairs recorded once each (in the first
    list), so any join between them is wrong."""
    rng = random.Random(seed)
    everyone = people(seed, n)
    first, second = [], []
    for i, who in enumerate(everyone):
        a, b = rng.sample(AGENCIES, 2)
        first.append(Recorded(i, a, who[0], who[1], who[2], who[3]))
        second.append(corrupt(i, who, b, rng))
    for t in range(twins):
        name, dob, address, postcode = everyone[rng.randrange(n)]
        family = name.split(" ", 1)[1] + "-" + rng.choice(SURNAMES)
        dob = dob + timedelta(days=1 + t)
        for j, given in enumerate(rng.sample(sorted(SHORT_FORMS), 2)):
            first.append(Recorded(n + 2 * t + j, rng.choice(AGENCIES), f"{given} {family}",
                                  dob, address, postcode))
    return first, second
