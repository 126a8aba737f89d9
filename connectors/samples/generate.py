"""Generate realistic sample exports for every connector. Fictional people and places only.

    python -m connectors.samples.generate [--out connectors/samples] [--noise-rows 200]

Volumes follow the partnership's figures (DOMAIN.md): police ASB about 39 a day, noise about
18,000 complaints a year with half from repeat addresses, housing 466 cases a year. Postcodes
use the unallocated ``ZZ`` inward code so no sample address is a real one.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
FIRST = ["Alex", "Sam", "Jordan", "Priya", "Tomasz", "Amara", "Chen", "Fatima", "Liam", "Zofia",
         "Kwame", "Niamh", "Omar", "Rosa", "Dev", "Ines", "Kai", "Maya", "Oisin", "Yusuf"]
LAST = ["Sample", "Example", "Testworth", "Placeholder", "Fictional", "Madeup", "Notreal",
        "Dummy", "Specimen", "Mockley", "Pretend", "Imaginary"]
STREETS = ["Larkspur Row", "Quillon Street", "Fennick Court", "Marrowby Road", "Tansy Walk",
           "Orrin Gardens", "Vell Street", "Cobbald Mews", "Hathersage Place", "Ninian Way"]
ESTATES = ["Larkspur Estate", "Orrin Estate", "Cobbald Estate", "Ninian Estate"]
WARDS = ["Harrow Road", "Church Street", "Westbourne", "Queen's Park", "Little Venice"]


def _person(rng: random.Random, minor: bool = False) -> tuple[str, str]:
    age_days = rng.randint(11 * 365, 17 * 365) if minor else rng.randint(18 * 365, 85 * 365)
    dob = (datetime(2026, 6, 1) - timedelta(days=age_days)).date().isoformat()
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}", dob


def _address(rng: random.Random) -> dict[str, str]:
    number = rng.randint(1, 120)
    index = rng.randrange(len(STREETS))
    uprn = f"99{zlib.crc32(f'{number} {STREETS[index]}'.encode()):010d}"
    return {"address": f"{number} {STREETS[index]}", "postcode": f"W{index + 1} {number % 9}ZZ",
            "ward": WARDS[index % len(WARDS)], "uprn": uprn}


def _when(rng: random.Random, start: datetime, span_days: int = 90) -> datetime:
    return start + timedelta(minutes=rng.randint(0, span_days * 24 * 60))


def _write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


START = datetime(2026, 7, 1, tzinfo=UTC)

POLICE_COLUMNS = ["record_type", "reference", "version", "occurred", "reported", "call_source",
                  "police_category", "summary", "address", "postcode", "ward", "victim_name",
                  "victim_dob", "suspect_name", "suspect_dob", "markers", "victim_ethnicity",
                  "hate_motivation", "suspect_previous"]
POLICE_CATEGORIES = ["Rowdy/Inconsiderate Behaviour", "Noise", "Street Drinking", "Drugs",
                     "Vehicle Nuisance/Inappropriate Use", "Littering/Drugs Paraphernalia",
                     "Begging/Vagrancy", "Hate Incident", "Domestic Incident", "Assault",
                     "Criminal Damage", "Harassment", "Animal Problems", "Trespass"]


def police_rows(n: int, seed: int = 7) -> Iterable[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        call = rng.random() < 0.5
        occurred = _when(rng, START)
        category = rng.choice(POLICE_CATEGORIES)
        victim = _person(rng) if rng.random() < 0.7 else ("", "")
        suspect = _person(rng) if rng.random() < 0.4 else ("", "")
        markers = []
        if rng.random() < 0.15:
            markers.append("CONFIDENTIAL")
        if category == "Domestic Incident":
            markers.append("DA")
        if rng.random() < 0.05:
            markers.append("VULNERABLE")
        yield {"record_type": "CALL" if call else "INCIDENT",
               "reference": f"{'CAD' if call else 'CRIS'}-{2026}{i + 1:06d}", "version": 1,
               "occurred": occurred.strftime("%d/%m/%Y %H:%M"),
               "reported": (occurred + timedelta(minutes=rng.randint(0, 90))
                            ).strftime("%d/%m/%Y %H:%M"),
               "call_source": rng.choice(["999", "101", "ONLINE", "OFFICER", "THIRD PARTY"]),
               "police_category": category,
               "summary": f"{category} reported near {rng.choice(STREETS)}",
               **{k: v for k, v in _address(rng).items() if k != "uprn"},
               "victim_name": victim[0], "victim_dob": victim[1],
               "suspect_name": suspect[0], "suspect_dob": suspect[1],
               "markers": "|".join(markers),
               **_police_sensitive(random.Random(f"{seed}:{i}:sensitive"), category, victim,
                                   suspect)}


# Special category and offence data (docs/domain.md, "Sensitive facts"), from a stream of their
# own so the other columns stay as they were.
ETHNICITIES = ["White British", "White Other", "Black British", "Asian British", "Mixed",
               "Arab", "Other ethnic group"]
HATE_STRANDS = ["Race", "Race", "Race", "Religion", "Sexual orientation", "Disability",
                "Transgender"]
OFFENCES = ["Common assault", "Criminal damage", "Harassment", "Public order offence",
            "Possession of a controlled drug"]
HEALTH_NEEDS = ["Mental health: anxiety", "Mental health: depression", "Disability: wheelchair",
                "Physical health: long-term illness", "Disability: learning disability"]


def _police_sensitive(rng: random.Random, category: str, victim: tuple[str, str],
                      suspect: tuple[str, str]) -> dict[str, str]:
    strands = sorted(set(rng.sample(HATE_STRANDS, rng.choice((1, 1, 2)))))
    offences = [f"{rng.choice(OFFENCES)}:{rng.choice(['convicted', 'cautioned', 'charged'])}:"
                f"{2018 + rng.randrange(8)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                for _ in range(rng.randint(1, 2))]
    return {"victim_ethnicity": rng.choice(ETHNICITIES) if victim[0] and rng.random() < 0.6
            else "",
            "hate_motivation": "|".join(strands) if category == "Hate Incident" else "",
            "suspect_previous": "|".join(offences) if suspect[0] and rng.random() < 0.4
            else ""}


NOISE_COLUMNS = ["complaint_ref", "version", "received_at", "occurred_at", "source",
                 "noise_type", "address", "postcode", "ward", "uprn", "complainant_name",
                 "complainant_dob", "anonymous", "visit_outcome", "notes"]


def noise_rows(n: int, seed: int = 11, *, with_complainant: float = 0.6,
               bad_rows: Iterable[int] = ()) -> Iterable[dict[str, Any]]:
    """Half the complaints come from a small pool of repeat addresses (000:L239).

    ``bad_rows`` (0-based record indexes) get one defect each, cycling through: a missing
    received_at, an unknown source, a date of birth that is not a date, a name without a date
    of birth, a postcode too long for the schema.
    """
    rng = random.Random(seed)
    repeat_pool = [_address(rng) for _ in range(max(1, n // 40))]
    bad = {index: k for k, index in enumerate(sorted(bad_rows))}
    for i in range(n):
        place = rng.choice(repeat_pool) if rng.random() < 0.5 else _address(rng)
        received = _when(rng, START - timedelta(days=300), 365)
        person = _person(rng) if rng.random() < with_complainant else ("", "")
        row = {"complaint_ref": f"NS-{i + 1:07d}", "version": 1,
               "received_at": received.strftime("%Y-%m-%d %H:%M"),
               "occurred_at": (received - timedelta(minutes=rng.randint(0, 60))
                               ).strftime("%Y-%m-%d %H:%M"),
               "source": rng.choice(["Phone", "Online", "App", "Out of hours line"]),
               "noise_type": rng.choice(["Music", "Party", "Dog barking", "Alarm", "Shouting",
                                         "Construction", "DIY"]),
               **place, "complainant_name": person[0], "complainant_dob": person[1],
               "anonymous": "Y" if person[0] and rng.random() < 0.1 else "",
               "visit_outcome": rng.choice(["Witnessed", "Not witnessed", "No access", ""]),
               "notes": ""}
        if i in bad:
            defect = bad[i] % 5
            if defect == 0:
                row["received_at"] = ""
            elif defect == 1:
                row["source"] = "Carrier pigeon"
            elif defect == 2:
                row["complainant_name"], row["complainant_dob"] = "Alex Sample", "31/02/1990"
            elif defect == 3:
                row["complainant_name"], row["complainant_dob"] = "Sam Example", ""
            else:
                row["postcode"] = "W1 1ZZ EXTRA LONG"
        yield row


HOUSING_COLUMNS = ["case_ref", "case_version", "opened_date", "tenancy_ref", "estate",
                   "block_address", "postcode", "ward", "uprn", "case_type", "description",
                   "officer", "priority", "complainant_name", "complainant_dob",
                   "perpetrator_name", "perpetrator_dob", "actions", "vulnerable",
                   "complainant_health", "household_children"]
HOUSING_TYPES = ["ASB-NOISE", "ASB-HARASS", "ASB-DRUGS", "ASB-COMMUNAL", "ASB-VANDAL",
                 "ASB-PETS", "ASB-HATE", "ASB-DV", "ASB-LITTER", "ASB-GARDEN"]
ACTIONS = ["Interview", "Warning letter", "Mediation offered", "ABC signed",
           "Community protection warning", "NOSP served"]


def housing_rows(n: int, seed: int = 13) -> Iterable[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        place = _address(rng)
        complainant, perpetrator = _person(rng), _person(rng)
        opened = _when(rng, START, 180)
        steps = ACTIONS[:rng.randint(0, 4)]
        yield {"case_ref": f"HSG-ASB-{i + 1:05d}", "case_version": 1,
               "opened_date": opened.strftime("%d/%m/%Y %H:%M"),
               "tenancy_ref": f"T{rng.randint(100000, 999999)}", "estate": rng.choice(ESTATES),
               "block_address": place["address"], "postcode": place["postcode"],
               "ward": place["ward"], "uprn": place["uprn"],
               "case_type": rng.choice(HOUSING_TYPES),
               "description": "Reports from neighbours in the block",
               "officer": f"Housing Officer {rng.randint(1, 8)}",
               "priority": rng.choice(["P1", "P2", "P3"]),
               "complainant_name": complainant[0], "complainant_dob": complainant[1],
               "perpetrator_name": perpetrator[0], "perpetrator_dob": perpetrator[1],
               "actions": "; ".join(f"{(opened + timedelta(days=7 * k)).date()} {a}"
                                    for k, a in enumerate(steps)),
               "vulnerable": "Y" if rng.random() < 0.2 else "N",
               **_housing_sensitive(random.Random(f"{seed}:{i}:sensitive"))}


def _housing_sensitive(rng: random.Random) -> dict[str, str]:
    children = [_person(rng, minor=True) for _ in range(rng.choice((0, 0, 1, 2)))]
    return {"complainant_health": rng.choice(HEALTH_NEEDS) if rng.random() < 0.3 else "",
            "household_children": "|".join(f"{name} {dob}" for name, dob in children)}


MASH_COLUMNS = ["referral_ref", "version", "received_at", "concern_date", "service",
                "referrer_agency", "concern", "rag", "subject_name", "subject_dob",
                "alleged_name", "alleged_dob", "address", "postcode", "ward"]
MASH_CONCERNS = ["Child Criminal Exploitation", "Cuckooing", "Domestic Abuse", "County Lines",
                 "Modern Slavery", "Financial Abuse", "Hate Crime", "Gang Association"]


def mash_rows(n: int, seed: int = 17) -> Iterable[dict[str, Any]]:
    rng = random.Random(seed)
    for i in range(n):
        children = rng.random() < 0.5
        subject = _person(rng, minor=children)
        alleged = _person(rng) if rng.random() < 0.5 else ("", "")
        received = _when(rng, START)
        yield {"referral_ref": f"MASH-{i + 1:05d}", "version": 1,
               "received_at": received.isoformat().replace("+00:00", "Z"),
               "concern_date": (received - timedelta(days=rng.randint(0, 5))).date().isoformat()
               + "T00:00:00Z",
               "service": "Children" if children else "Adults",
               "referrer_agency": rng.choice(["School", "GP", "Police", "Housing", "Health"]),
               "concern": rng.choice(MASH_CONCERNS), "rag": rng.choice(["RED", "AMBER", "GREEN"]),
               "subject_name": subject[0], "subject_dob": subject[1],
               "alleged_name": alleged[0], "alleged_dob": alleged[1],
               **{k: v for k, v in _address(rng).items() if k != "uprn"}}


COUNCIL_TYPES = ["Noise", "Harassment", "Drugs", "Street drinking", "Communal areas",
                 "Graffiti", "Fly-tipping", "Hate", "Vehicles"]


def council_cases(n: int, seed: int = 19) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    cases = []
    for i in range(n):
        victim, perpetrator = _person(rng), _person(rng)
        people = [{"role": "Victim", "fullName": victim[0], "dob": victim[1],
                   "anonymous": rng.random() < 0.2},
                  {"role": "Perpetrator", "fullName": perpetrator[0], "dob": perpetrator[1]}]
        if rng.random() < 0.3:
            witness = _person(rng)
            people.append({"role": "Witness", "fullName": witness[0], "dob": witness[1],
                           "witnessType": "hearsay"})
        place = _address(rng)
        cases.append({
            "caseId": f"WCC-ASB-{i + 1:05d}", "revision": 1,
            "openedAt": _when(rng, START, 120).isoformat().replace("+00:00", "Z"),
            "type": rng.choice(COUNCIL_TYPES),
            "description": "Repeated reports from residents",
            "officer": {"name": f"ASB Officer {rng.randint(1, 6)}"},
            "priority": rng.choice(["P1", "P2"]),
            "location": place, "people": people,
            "linkedIncidents": [{"agency": "met-police", "ref": f"CAD-2026{i + 1:06d}"}],
            "flags": ["safeguarding"] if rng.random() < 0.2 else [],
        })
    return cases


def council_consents(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consent records for the victims of the first council cases: consent to MARAC and an
    ADVANCE referral (seeds/002 L2022, L2026), a refusal, and a consent later withdrawn."""
    found: list[dict[str, Any]] = []
    for i, case in enumerate(cases[:4]):
        victim = next(p for p in case["people"] if p["role"] == "Victim")
        record: dict[str, Any] = {
            "consentId": f"WCC-CON-{i + 1:05d}", "decision": "Given",
            "person": {"fullName": victim["fullName"], "dob": victim["dob"]},
            "givenBy": "Self", "officer": case["officer"], "method": "Signed form",
            "recordedAt": case["openedAt"], "purposes": ["MARAC", "Safeguarding"],
            "shareWith": ["advance-idva"], "shareWithTypes": ["Children's services"],
            "information": ["Identity", "Contact details", "Case", "Domestic abuse"]}
        if i == 1:
            record.update(decision="Refused", purposes=[], shareWith=[], shareWithTypes=[],
                          information=[], reason="Does not want other agencies told")
        found.append(record)
    found.append({"consentId": "WCC-CON-00004", "decision": "Withdrawn",
                  "person": found[3]["person"], "givenBy": "Self",
                  "officer": found[3]["officer"], "recordedAt": "2026-09-01T10:00:00Z",
                  "reason": "Asked by phone to stop sharing"})
    return found


RELATIONSHIP_COLUMNS = ["relationship_ref", "version", "recorded_at", "subject_name",
                        "subject_dob", "related_name", "related_dob", "relationship", "since",
                        "until", "lives_together"]


def relationship_rows(police: list[dict[str, Any]], seed: int = 23
                      ) -> Iterable[dict[str, Any]]:
    """The families of the police sample's suspects, as a gangs unit records them (GMAP shares
    siblings and family members, seeds/002 L890): a parent, a younger brother (often under
    18), an older sister, and sometimes a former partner whose tie has ended."""
    rng = random.Random(seed)
    suspects = list(dict.fromkeys((r["suspect_name"], r["suspect_dob"]) for r in police
                                  if r["suspect_name"]))[:8]
    n = 0
    for name, dob in suspects:
        surname, born = name.split()[-1], datetime.fromisoformat(dob)
        years = [("Mother", -rng.randint(20, 35)), ("Brother", rng.randint(2, 14)),
                 ("Sister", -rng.randint(1, 5))]
        if rng.random() < 0.5:
            years.append(("Ex-partner", rng.randint(-3, 3)))
        for word, offset in years:
            n += 1
            related = (f"{rng.choice(FIRST)} {surname}" if word != "Ex-partner"
                       else _person(rng)[0])
            related_dob = (born + timedelta(days=365 * offset + rng.randint(0, 300))).date()
            yield {"relationship_ref": f"GANG-REL-{n:05d}", "version": 1,
                   "recorded_at": _when(rng, START).isoformat().replace("+00:00", "Z"),
                   "subject_name": name, "subject_dob": dob, "related_name": related,
                   "related_dob": related_dob.isoformat(), "relationship": word,
                   "since": rng.choice(["", "2019-05-01", "2022-09-12"]),
                   "until": "2025-12-31" if word == "Ex-partner" else "",
                   "lives_together": "N" if word == "Ex-partner" else "Y"}


def write_all(out: Path, noise_count: int = 200) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    written = {
        "police-incidents.csv": _write_csv(out / "police-incidents.csv", POLICE_COLUMNS,
                                           police_rows(40)),
        "noise-complaints.csv": _write_csv(out / "noise-complaints.csv", NOISE_COLUMNS,
                                           noise_rows(noise_count)),
        "housing-cases.csv": _write_csv(out / "housing-cases.csv", HOUSING_COLUMNS,
                                        housing_rows(25)),
        "mash-referrals.csv": _write_csv(out / "mash-referrals.csv", MASH_COLUMNS,
                                         mash_rows(20)),
        "relationships.csv": _write_csv(out / "relationships.csv", RELATIONSHIP_COLUMNS,
                                        relationship_rows(list(police_rows(40)))),
    }
    cases = council_cases(12)
    (out / "council-cases.json").write_text(json.dumps(cases, indent=1) + "\n")
    written["council-cases.json"] = len(cases)
    consents = council_consents(cases)
    (out / "council-consents.json").write_text(json.dumps(consents, indent=1) + "\n")
    written["council-consents.json"] = len(consents)
    return written


def write_noise(path: Path, n: int, *, seed: int = 11, with_complainant: float = 0.6,
                bad_rows: Iterable[int] = ()) -> int:
    return _write_csv(path, NOISE_COLUMNS, noise_rows(n, seed, with_complainant=with_complainant,
                                                      bad_rows=bad_rows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--noise-rows", type=int, default=200)
    args = parser.parse_args(argv)
    for name, count in write_all(args.out, args.noise_rows).items():
        print(f"{args.out / name}: {count} records")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
