"""A borough-year of synthetic agency envelopes, deterministic by seed, scalable for tests.

Proportions from the documents (scale=1.0): police ASB incidents 14,242 a year (000:L153);
about 18,000 noise complaints, half from repeat addresses of 3+ complaints (000:L239-241);
466 housing ASB cases (001:L57); about half of cases with repeat victims (000:L189); the
repeat perpetrators' families, as the police gangs unit records them (seeds/002 L890).
Names are invented combinations of invented surnames: no real person's data.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from domain.contract import matchkeys
from domain.contract.envelope import Envelope, new_envelope
from domain.rules import matching

POLICE, NOISE, HOUSING = "met-police", "wcc-noise", "wcc-housing"
AGENCY_KINDS = {POLICE: "police", NOISE: "council", "wcc-asb": "council", HOUSING: "housing"}
YEAR_START = datetime(2025, 4, 1, tzinfo=UTC)  # a financial year, as the reports use

FIRST = ("Ada", "Bram", "Cleo", "Dov", "Esme", "Fintan", "Greer", "Hal", "Ines", "Jory", "Kit",
         "Lorna", "Milo", "Nell", "Orrin", "Pia", "Quill", "Rowan", "Sable", "Tamsin", "Ulric",
         "Vesna", "Wren", "Xavi", "Yara", "Zeb")
SURNAMES = ("Ashcombe", "Brindlewood", "Corrowby", "Dunmarsh", "Elderwick", "Fenhallow",
            "Gorsedge", "Hollowmere", "Ivelthorne", "Juniperly", "Kestrelby", "Larkspurr",
            "Mossgrove", "Nettlefold", "Oakhurste", "Pennywhistle", "Quarrendon", "Rookhaven",
            "Sallowfield", "Thistlecombe", "Umberlee", "Vellacott", "Willowmarsh", "Yarrowby")
STREETS = ("Lantern Row", "Copper Street", "Heron Walk", "Mallow Court", "Quayside Lane",
           "Pickle Mews", "Saffron Terrace", "Tinker Road", "Owlet Place", "Velvet Gardens")
WARDS = ("Church Street", "Westbourne", "Harrow Road", "Queen's Park", "Pimlico North",
         "Vincent Square", "West End", "Little Venice", "Bayswater", "Lancaster Gate")
ESTATES = ("Lantern Estate", "Heron Estate", "Copperfield Estate", None, None, None)
POLICE_CATEGORIES = (("misuse_of_communal_areas", 30), ("verbal_abuse_harassment", 15),
                     ("drugs", 12), ("noise", 8), ("vehicle_nuisance", 8), ("alcohol", 7),
                     ("physical_violence", 6), ("criminal_behaviour", 5), ("vandalism", 3),
                     ("domestic_abuse", 3), ("hate_related", 2), ("prostitution_kerb_crawling", 1))
CLOSURES = (("asb_stopped", 40), ("no_reports_four_weeks", 25), ("insufficient_evidence", 15),
            ("not_asb", 8), ("perpetrator_moved", 7), ("complainant_moved", 5))
# Sensitive facts (docs/domain.md, "Sensitive facts"), in rough proportion: hate crime
# motivations as the Home Office counts them (race most, then sexual orientation, religion,
# disability, gender identity).
MOTIVATIONS = (("race", 70), ("sexual_orientation", 12), ("religion", 8), ("disability", 6),
               ("gender_identity", 3), ("age", 1))
ETHNICITIES = ("White British", "White Other", "Black British", "Asian British", "Mixed",
               "Arab", "Other ethnic group")
RELIGIONS = ("Christian", "Muslim", "Jewish", "Hindu", "Sikh", "Buddhist", "No religion")
ORIENTATIONS = ("gay or lesbian", "bisexual", "heterosexual")
HEALTH = (("mental_health", "anxiety and low mood"), ("mental_health", "depression"),
          ("disability", "uses a wheelchair"), ("disability", "learning disability"),
          ("physical", "long-term illness"))
OFFENCES = ("common assault", "criminal damage", "possession of a controlled drug",
            "public order offence", "harassment", "breach of a civil injunction")
OUTCOMES = ("convicted", "convicted", "cautioned", "charged", "no_further_action")
LADDER = ("interview", "warning_letter", "mediation", "acceptable_behaviour_contract",
          "community_protection_warning", "community_protection_notice", "civil_injunction",
          "notice_of_seeking_possession", "closure_order")


@dataclass(frozen=True)
class Resident:
    name: str
    dob: date


@dataclass
class BoroughYear:
    seed: int = 1
    scale: float = 1.0
    partnership_key: bytes = b""
    envelopes: list[Envelope] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for e in self.envelopes:
            found[e.type] = found.get(e.type, 0) + 1
        return found


class _Builder:
    def __init__(self, seed: int, scale: float) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.scale = scale
        self.key = uuid5(NAMESPACE_URL, f"csp-hub-synthetic:{seed}").bytes * 2
        self.out: list[tuple[datetime, int, Envelope]] = []
        self.people = [self._resident() for _ in range(max(60, int(20000 * scale)))]
        self.repeat_victims = self.people[: max(10, len(self.people) // 25)]
        self.repeat_perps = self.people[-max(8, len(self.people) // 40):]
        self.places = [self._place(i) for i in range(max(40, int(15000 * scale)))]
        self.repeat_addresses = self.places[: max(6, int(1800 * scale))]

    # -- identities --------------------------------------------------------------------------

    def _resident(self) -> Resident:
        rng = self.rng
        return Resident(f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}-{rng.choice(SURNAMES)}",
                        date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 68)))

    def _place(self, n: int) -> dict[str, Any]:
        street = STREETS[n % len(STREETS)]
        address, postcode = f"{n // len(STREETS) + 1} {street}", f"ZZ{n % 9 + 1} {n % 7 + 1}XX"
        return {"match_key": matchkeys.location_key(self.key, address=address,
                                                    postcode=postcode),
                "ward": WARDS[n % len(WARDS)], "estate": ESTATES[n % len(ESTATES)] or "none"}

    def party(self, who: Resident, role: str, *, with_name_key: bool = False) -> dict[str, Any]:
        found = {"role": role, "match_key": matchkeys.person_key(self.key, who.name, who.dob)}
        if role == "witness":
            found["witness_type"] = self.rng.choice(("direct", "officer_presented", "hearsay"))
        if with_name_key:
            found["name_key"] = matching.name_key(self.key, who.name)
            found["dob_key"] = matching.dob_key(self.key, who.dob)
        return found

    def facts(self, who: Resident, *kinds: str) -> dict[str, Any]:
        """The person's sensitive facts of these kinds, the same in every record about them
        (their own random stream, so the rest of the year does not change with them)."""
        rng = random.Random(f"{self.seed}:{who.name}:{who.dob}")
        known: dict[str, Any] = {}
        if rng.random() < 0.6:
            known["ethnicity"] = rng.choice(ETHNICITIES)
        if rng.random() < 0.15:
            known["religion"] = rng.choice(RELIGIONS)
        if rng.random() < 0.05:
            known["sexual_orientation"] = rng.choice(ORIENTATIONS)
        if rng.random() < 0.25:
            kind, note = rng.choice(HEALTH)
            known["health"] = [{"kind": kind, "note": note}]
        if rng.random() < 0.3:
            known["previous_offences"] = [
                {"offence": rng.choice(OFFENCES), "outcome": rng.choice(OUTCOMES),
                 "on": (date(2015, 1, 1) + timedelta(days=rng.randrange(0, 3650))).isoformat()}
                for _ in range(rng.randrange(1, 4))]
        return {k: v for k, v in known.items() if k in kinds}

    def household_child(self, ref: str, role: str) -> dict[str, Any] | None:
        """About a third of housing cases have a child living at the address (their own
        stream again): a date of birth only, so the hub knows a child is there."""
        rng = random.Random(f"{self.seed}:child:{ref}")
        if rng.random() >= 0.3:
            return None
        dob = date(2010, 1, 1) + timedelta(days=rng.randrange(0, 365 * 10))
        child = Resident(f"{rng.choice(FIRST)} {rng.choice(SURNAMES)}", dob)
        return {"role": role, "date_of_birth": dob.isoformat(), "lives_at_location": True,
                "match_key": matchkeys.person_key(self.key, child.name, child.dob)}

    # -- output ------------------------------------------------------------------------------

    def emit(self, agency: str, event_type: str, ref: str, version: int, at: datetime,
             data: dict[str, Any]) -> None:
        event_id = str(uuid5(NAMESPACE_URL, f"{agency}:{event_type}:{ref}:{version}"))
        envelope = new_envelope(event_id=event_id, source=f"urn:agency:{agency}",
                                event_type=event_type, subject=f"{agency}/{ref}",
                                agency=agency, data=data, time=at)
        self.out.append((at, len(self.out), envelope))

    def moment(self, earliest: datetime | None = None) -> datetime:
        start = earliest or YEAR_START
        span = (YEAR_START + timedelta(days=365) - start).total_seconds()
        return start + timedelta(seconds=self.rng.randrange(0, max(1, int(span))))

    def incident(self, agency: str, ref: str, category: str, at: datetime,
                 parties: list[dict[str, Any]], place: dict[str, Any], channel: str) -> None:
        occurred = at - timedelta(minutes=self.rng.randrange(5, 60 * 24 * 3))
        flags = {"domestic_abuse": category == "domestic_abuse",
                 "hate": category == "hate_related"}
        data = {
            "record": {"ref": ref, "version": 1}, "occurred_at": _iso(occurred),
            "reported_at": _iso(at), "category": category, "channel": channel,
            "summary": f"Synthetic {category.replace('_', ' ')} report", "location": place,
            "parties": parties, "flags": flags}
        if category == "hate_related":
            data["hate_motivation"] = self.motivations(ref)
        self.emit(agency, "incident.reported", ref, 1, at, data)

    def motivations(self, ref: str) -> list[str]:
        rng = random.Random(f"{self.seed}:hate:{ref}")
        kinds, weights = zip(*MOTIVATIONS, strict=True)
        return sorted(set(rng.choices(kinds, weights, k=rng.choice((1, 1, 1, 2)))))

    def victim(self) -> Resident:
        """About half of victims are repeat victims (000:L189)."""
        if self.rng.random() < 0.5:
            return self.rng.choice(self.repeat_victims)
        return self.rng.choice(self.people)

    # -- the three streams ---------------------------------------------------------------------

    def police(self, n: int) -> None:
        categories, weights = zip(*POLICE_CATEGORIES, strict=True)
        for i in range(n):
            category = self.rng.choices(categories, weights)[0]
            victim = self.victim()
            parties = [{**self.party(victim, "victim"),  # the police record self-defined
                        **self.facts(victim, "ethnicity", "religion", "sexual_orientation")}]
            if self.rng.random() < 0.3:
                perp = self.rng.choice(self.repeat_perps)
                parties.append({**self.party(perp, "alleged_perpetrator"),
                                **self.facts(perp, "previous_offences")})
            self.incident(POLICE, f"CAD-{i:06d}", category, self.moment(), parties,
                          self.rng.choice(self.places), "phone")

    def noise(self, n: int) -> None:
        """Half from repeat addresses (000:L241)."""
        for i in range(n):
            repeat = self.rng.random() < 0.5
            place = self.rng.choice(self.repeat_addresses if repeat else self.places)
            complainant = self.party(self.rng.choice(self.people), "complainant")
            self.incident(NOISE, f"NS-{i:06d}", "noise", self.moment(), [complainant], place,
                          "noise_service")

    def housing(self, n: int) -> None:
        categories = [c for c, _ in POLICE_CATEGORIES]
        reasons, weights = zip(*CLOSURES, strict=True)
        witnesses: list[tuple[datetime, Resident]] = []
        for i in range(n):
            ref, version = f"HASB-{i:05d}", 1
            victim, perp = self.victim(), self.rng.choice(self.repeat_perps + self.people[:50])
            place = self.rng.choice(self.places)
            category = self.rng.choice(categories)
            first = self.moment()
            refs = []
            for j in range(self.rng.randrange(1, 4)):  # reports to police before the case
                inc = f"CADH-{i:05d}-{j}"
                self.incident(POLICE, inc, category, first + timedelta(days=9 * j),
                              [self.party(victim, "victim")], place, "phone")
                refs.append(inc)
            at = first + timedelta(days=9 * len(refs), hours=2)
            self.emit(HOUSING, "case.opened", ref, version, at, {
                "record": {"ref": ref, "version": 1}, "opened_at": _iso(at),
                "category": category, "summary": "Synthetic housing ASB case",
                "lead_officer": f"Officer {i % 8 + 1}",  # 8 case officers (001:L166)
                "location": place, "triage_tier": self.rng.choice(
                    ("tier1_immediate", "tier2_priority", "tier2_priority")),
                "parties": [
                    {**self.party(victim, "victim"), **self.facts(victim, "health"),
                     "lives_at_location": True},  # a tenant's case: the victim's home
                    self.party(perp, "alleged_perpetrator"),
                    *self.children(ref, category)],
                "incident_refs": [{"agency": POLICE, "ref": refs[0]}],
                "flags": {"domestic_abuse": category == "domestic_abuse"}})

            def step(event_type: str, data: dict[str, Any], days: float, ref: str = ref) -> None:
                nonlocal version, at
                version += 1
                at = at + timedelta(days=days)
                self.emit(HOUSING, event_type, ref, version, at,
                          {"record": {"ref": ref, "version": version}, "at": _iso(at), **data})

            step("case.updated", {"changes": {
                "category_after_investigation": self.rng.choice(categories),
                "report": {"channel": self.rng.choice(("phone", "online", "on_behalf")),
                           "anonymous": False}}}, 1)
            for inc in refs[1:]:
                step("case.incident.linked", {"incident": {"agency": POLICE, "ref": inc}}, 0.1)
            witness = self.rng.choice(self.people)
            if witnesses and self.rng.random() < 0.05:  # a near-duplicate: same name, other DOB
                twin = self.rng.choice(witnesses)[1]
                witness = Resident(twin.name, twin.dob + timedelta(days=31))
            step("case.party.added", {"party": self.party(witness, "witness",
                                                          with_name_key=True)}, 2)
            witnesses.append((at, witness))
            if category == "domestic_abuse":
                score = self.rng.randrange(4, 22)
                step("case.risk.assessed", {"dash_score": score, **self.dash(ref, score)}, 0.5)
            step("case.action.assigned", {"action": {
                "id": f"{ref}-A1", "agency": self.rng.choice((POLICE, NOISE, HOUSING)),
                "description": "Visit and gather evidence", "due": _iso(at + timedelta(days=14))}
            }, 1)
            rungs = LADDER[: self.rng.choice((1, 1, 2, 3, 4, 7))]
            for rung in rungs:
                step("case.intervention.recorded", {"intervention": rung}, 7)
            if len(rungs) == 7:  # the top of the ladder: a possession order, eviction booked
                eviction = (at + timedelta(days=56)).date().isoformat()  # seeds/002 L1728
                step("case.intervention.recorded",
                     {"intervention": "possession", "scheduled_for": eviction}, 14)
            for _ in range(self.rng.randrange(0, 4)):
                step("case.updated", {"changes": {"victim_contacted": True}}, 7)
            if self.rng.random() < 0.7 and at < YEAR_START + timedelta(days=360):
                step("case.closed", {"reason": self.rng.choices(reasons, weights)[0]}, 28)
        self._decide_twins(witnesses)

    def children(self, ref: str, category: str) -> list[dict[str, Any]]:
        """A child in a domestic abuse household is a victim of it (Domestic Abuse Act 2021
        s3); elsewhere a witness."""
        child = self.household_child(ref, "victim" if category == "domestic_abuse" else "witness")
        return [child] if child else []

    def dash(self, ref: str, score: int) -> dict[str, Any]:
        """Which questions were answered yes, as many as the score (domain/rules/dash.py)."""
        rng = random.Random(f"{self.seed}:dash:{ref}")
        answers = sorted(rng.sample(range(1, 25), score))
        return {"dash_answers": [f"q{n}" for n in answers],
                "risk_summary": "Synthetic risk summary: safety plan agreed with the victim"}

    def _decide_twins(self, witnesses: list[tuple[datetime, Resident]]) -> None:
        """Someone reviews the proposed matches: confirms most, rejects some, undoes one.
        Witnesses are taken in the order the hub saw them, so each pair was proposed; the
        decision comes a day after the second of the pair was added."""
        seen: dict[str, Resident] = {}
        decided: set[str] = set()
        n = 0
        for added, who in sorted(witnesses, key=lambda pair: pair[0]):
            if who.name in seen and seen[who.name].dob != who.dob:
                a = matchkeys.person_key(self.key, who.name, who.dob)
                b = matchkeys.person_key(self.key, seen[who.name].name, seen[who.name].dob)
                if a in decided or b in decided:
                    continue
                decided.update((a, b))
                at = added + timedelta(days=1)
                decision = "confirm" if n % 3 else "reject"
                data = {"proposal": {"a": a, "b": b}, "decided_by": "analyst-1"}
                self.emit(HOUSING, "match.decided", f"M{n}", 1, at,
                          {**data, "decision": decision, "at": _iso(at)})
                if decision == "confirm" and n % 6 == 1:
                    undone = at + timedelta(days=2)
                    self.emit(HOUSING, "match.decided", f"M{n}", 2, undone,
                              {**data, "decision": "unmerge", "at": _iso(undone)})
                n += 1
            seen.setdefault(who.name, who)


    def families(self) -> None:
        """The police gangs unit's record of the repeat perpetrators' families (GMAP shares
        siblings and family members, seeds/002 L890): a parent, a younger sibling (often under
        18), sometimes a former partner whose tie has ended. Match keys and relationships
        only: like every party here, no name leaves the agency."""
        n = 0
        for perp in self.repeat_perps:
            surname = perp.name.split(" ", 1)[1]
            ties = [("parent", perp.dob - timedelta(days=365 * self.rng.randint(18, 40))),
                    ("sibling", min(perp.dob + timedelta(days=365 * self.rng.randint(1, 15)),
                                    date(2015, 1, 1)))]
            if self.rng.random() < 0.3:
                ties.append(("former_partner", perp.dob + timedelta(days=self.rng.randint(
                    -900, 900))))
            for kind, dob in ties:
                n += 1
                first = self.rng.choice(FIRST)
                relative = Resident(f"{first} {surname}" if kind != "former_partner"
                                    else f"{first} {self.rng.choice(SURNAMES)}", dob)
                ref, at = f"REL-{n:05d}", self.moment()
                data: dict[str, Any] = {
                    "record": {"ref": ref, "version": 1}, "recorded_at": _iso(at),
                    "person": {"match_key": self.party(relative, kind)["match_key"]},
                    "relationship": kind,
                    "relative": {"match_key": self.party(perp, kind)["match_key"]},
                    "lives_together": kind != "former_partner"}
                if kind == "former_partner":
                    data["until"] = (at - timedelta(days=self.rng.randint(30, 400))).date(
                        ).isoformat()
                self.emit(POLICE, "person.relationship.recorded", ref, 1, at, data)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def generate(seed: int = 1, scale: float = 1.0) -> BoroughYear:
    """Envelopes in time order. scale=1.0 is a full borough-year; 0.01 suits unit tests."""
    builder = _Builder(seed, scale)
    builder.police(round(14242 * scale))
    builder.noise(round(18000 * scale))
    builder.housing(max(3, round(466 * scale)))
    builder.families()
    ordered = [e for _, _, e in sorted(builder.out, key=lambda t: (t[0], t[1]))]
    return BoroughYear(seed, scale, builder.key, ordered)


def iter_envelopes(seed: int = 1, scale: float = 1.0) -> Iterator[Envelope]:
    yield from generate(seed, scale).envelopes
