"""The people and organisations on file: names, phones and ID numbers, each unique, some coming back.

Kept apart from the planner because the station's visit log draws visitors from the same names and phones.
"""

import random
from datetime import date, timedelta

from mediation.demo.stations import StationSpec
from mediation.demo.words import BRANDS, GIVEN, ORG_NAMES, PROFILES, SEX, SURNAMES
from mediation.services.parties import PartyInput

_MOBILE_PREFIXES = ("138", "139", "135", "136", "137", "150", "151", "158", "187", "186")
#: The weights of the first 17 digits of a resident ID number (GB 11643), for its check digit.
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class People:
    """Draws people and organisations from the planner's seeded ``random.Random``, never the same phone or
    ID number twice; now and then a party is someone already on file (一人一档)."""

    def __init__(self, rng: random.Random, today: date):
        self.rng = rng
        self.today = today
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()
        #: People on file per station and profile, for "one file per person": (kwargs, times used).
        self.people: dict[tuple[str, str], list[list]] = {}
        #: Organisations per city and kind (two stations in one city share their property companies).
        self.orgs: dict[tuple[str, str], list[dict]] = {}

    def name(self, sex: str) -> str:
        given = GIVEN[sex]
        length = 1 if self.rng.random() < 0.35 else 2
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(given) for _ in range(length))

    def mobile(self) -> str:
        while True:
            phone = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if phone not in self.phones:
                self.phones.add(phone)
                return phone

    def id_number(self, region: str, born: date, sex: str) -> str:
        while True:
            seq = self.rng.randrange(100) * 10 + self.rng.choice(
                (1, 3, 5, 7, 9) if sex == "M" else (0, 2, 4, 6, 8)
            )
            body = f"{region}{born:%Y%m%d}{seq:03d}"
            check = "10X98765432"[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]
            number = body + check
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def party(self, station: StationSpec, slot: str, role: str, avoid: set[str], village: str) -> PartyInput:
        """A party for a story's ``slot``: a person profile, or ``org:<kind>`` for an organisation."""
        if slot.startswith("org:"):
            return self.organisation(station, slot[4:], role, village)
        return self.person(station, slot, role, avoid)

    def person(self, station: StationSpec, slot: str, role: str, avoid: set[str]) -> PartyInput:
        """A person for ``slot``: now and then someone already on file at the station (一人一档)."""
        profile, _, sex = slot.partition("/")
        pool = self.people.setdefault((station.code, profile), [])
        reusable = [
            p for p in pool if p[1] < 3 and p[0]["name"] not in avoid and (not sex or p[0]["sex"] == SEX[sex])
        ]
        if reusable and self.rng.random() < 0.22:
            entry = self.rng.choice(reusable)
            entry[1] += 1
            return PartyInput(role=role, **_copy(entry[0]))
        sex = sex or self.rng.choice("MF")
        (low, high), jobs = PROFILES[profile]
        age = self.rng.randint(low, high)
        name = self.name(sex)
        while name in avoid:
            name = self.name(sex)
        if profile == "villager":
            village = self.rng.choice(station.villages or station.places)
            address = f"{station.district}{village}{self.rng.randint(1, 160)}号"
        else:
            address = (
                f"{station.district}{self.rng.choice(station.places)}{self.rng.randint(1, 28)}号楼"
                f"{self.rng.randint(1, 4)}单元{self.room()}"
            )
        born = date(self.today.year - age, 1, 1) + timedelta(days=self.rng.randrange(365))
        details = {
            "name": name,
            "phone": self.mobile(),
            "id_number": self.id_number(station.region, born, sex) if self.rng.random() < 0.7 else "",
            "address": address,
            "sex": SEX[sex],
            "birth_date": born,
            "ethnicity": "汉族" if self.rng.random() < 0.93 else self.rng.choice(("回族", "满族", "蒙古族")),
            "occupation": self.rng.choice(jobs),
        }
        pool.append([details, 1])
        return PartyInput(role=role, **_copy(details))

    def organisation(self, station: StationSpec, kind: str, role: str, village: str) -> PartyInput:
        """An organisation; each station has a few of each kind, so the same ones recur across cases."""
        pool = self.orgs.setdefault((station.city, kind), [])
        if len(pool) < 3 and (not pool or self.rng.random() < 0.5):
            name = ORG_NAMES[kind].format(
                city=station.city, short=station.short, brand=self.rng.choice(BRANDS),
                village=village, n="一二三四五"[self.rng.randrange(5)],
            )  # fmt: skip
            details = next((o for o in pool if o["name"] == name), None)
            if details is None:
                details = {
                    "name": name,
                    "phone": f"{station.area_code}-{self.rng.randint(2, 8)}{self.rng.randrange(10**6):06d}",
                    "address": f"{station.district}{village or self.rng.choice(station.places)}",
                }
                pool.append(details)
        else:
            details = self.rng.choice(pool)
        return PartyInput(role=role, kind="organisation", **_copy(details))

    def room(self) -> str:
        """A flat's number within its stairwell, as 302室."""
        return f"{self.rng.randint(1, 7)}0{self.rng.randint(1, 4)}室"


def _copy(details: dict) -> dict:
    """A fresh copy of an entry on file, so that nothing done with one case's party changes the file."""
    return dict(details)
