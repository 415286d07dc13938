"""The notices' part of the mock generator: colours, ages and aliases as notices have them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from random import Random

from screening.mockdata.codes import NOTICE, CodeSource
from screening.mockdata.common import AS_OF, MockList, Record, short_id, timestamp
from screening.mockdata.documents import STATE_CODES, STATE_WEIGHTS, DocumentChooser
from screening.mockdata.people import PersonFactory, Weighted

NOTICE_COLOURS = (("red", 68.0), ("blue", 16.0), ("yellow", 14.0), ("green", 0.8), ("black", 0.4),
                  ("orange", 0.3), ("un", 0.3), ("purple", 0.2))  # fmt: skip
# Age at issue (min, max, mode) per colour; yellow notices are often about children.
_AGES = {"red": (18, 75, 32), "blue": (16, 80, 35), "green": (20, 70, 35), "black": (18, 85, 40),
         "orange": (20, 65, 35), "purple": (20, 70, 40), "un": (25, 75, 45)}  # fmt: skip
_DOCS_COUNT = Weighted([("0", 45), ("1", 35), ("2", 15), ("3", 5)])
_STATES = Weighted(list(zip(STATE_CODES, STATE_WEIGHTS, strict=True)))


def _age(colour: str, rng: Random) -> int:
    if colour == "yellow":
        return rng.randint(1, 17) if rng.random() < 0.45 else int(rng.triangular(18, 85, 25))
    lo, hi, mode = _AGES[colour]
    return int(rng.triangular(lo, hi, mode))


def _dob(issued: date, age: int, colour: str, rng: Random) -> str | None:
    born = issued - timedelta(days=int(age * 365.25) + rng.randrange(365))
    r = rng.random()
    vague = 0.4 if colour in ("black", "un") else 0.0  # estimated ages, partial records
    if r < 0.03 + vague / 4:
        return None
    if r < 0.08 + vague / 2:
        return f"{born.year:04d}"
    if r < 0.11 + vague:
        return f"{born.year:04d}-{born.month:02d}"
    return born.isoformat()


# What each colour's notices mostly ask (contract v2 actions), with their weights.
_ACTIONS = {
    "red": Weighted([("arrest", 80), ("specific_check", 20)]),
    "blue": Weighted([("locate", 70), ("discreet_check", 30)]),
    "yellow": Weighted([("protect", 100)]),
    "green": Weighted([("discreet_check", 50), ("inform", 50)]),
    "black": Weighted([("inform", 100)]), "purple": Weighted([("inform", 100)]),
    "orange": Weighted([("specific_check", 100)]), "un": Weighted([("specific_check", 100)]),
}


def _procedure(record: Record, issued: date, as_of: date, rng: Random) -> None:
    """Action (most notices name one), owner (the issuing NCB) and, for a few, an end."""
    if rng.random() < 0.9:
        record["action"] = _ACTIONS[record["colour"]].pick(rng)
    nationalities = record.get("nationalities") or [_STATES.pick(rng)]
    record["owner"] = f"NCB-{nationalities[0] if rng.random() < 0.7 else _STATES.pick(rng)}"
    if rng.random() < 0.03:  # half of them lapsed before the event, half after it
        end = as_of + timedelta(days=rng.choice((-1, 1)) * rng.randrange(30, 4000))
        record["valid_until"] = f"{end.isoformat()}T00:00:00Z"


def iter_notices(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"notices:{seed}")
    # Actions, owners and validity from a stream of their own, so that adding them left
    # every other field of the generated notices as it was.
    arng = Random(f"notice-actions:{seed}")
    source, chooser, people = CodeSource(rng), DocumentChooser(), PersonFactory("notices")
    colours = Weighted(NOTICE_COLOURS)
    for i in range(count):
        colour = colours.pick(rng)
        latin_aliases = (
            4 if colour == "un" else rng.choice((0, 1, 1, 2, 3) if colour == "red" else (0, 0, 1))
        )
        person = people.person(rng, aliases=latin_aliases)
        issued = as_of - timedelta(days=rng.randrange(12 * 365))
        names = [
            {
                "surname": person.name.surname,
                "given_names": person.name.given_names,
                "script": "Latn",
            }
        ]
        names += [
            {"surname": s, "given_names": g, "script": sc} for s, g, sc in person.name.aliases
        ]
        record: Record = {
            "list": "notice",
            "id": short_id("NTC-", i),
            "colour": colour,
            "names": names,
        }
        dob = _dob(issued, _age(colour, rng), colour, rng)
        if dob:
            record["date_of_birth"] = dob
        r = rng.random()
        nationalities = [person.nationality] if r < 0.98 else []
        if r < 0.10:
            second = _STATES.pick(rng)
            if second != person.nationality:
                nationalities.append(second)
        record["nationalities"] = nationalities
        if rng.random() < 0.97:
            record["sex"] = person.sex
        documents = []
        for _ in range(int(_DOCS_COUNT.pick(rng))):
            state = person.nationality if rng.random() < 0.8 else _STATES.pick(rng)
            kind = chooser.pick(state, rng)
            documents.append({"number": source.take(kind.shape, NOTICE), "issuing_state": state})
        record["documents"] = documents
        record["issued_at"] = timestamp(issued.isoformat(), rng)
        _procedure(record, issued, as_of, arng)
        yield record




MOCK = MockList("notices.ndjson", iter_notices, 20_000)
