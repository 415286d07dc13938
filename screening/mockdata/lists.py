"""Mock watchlists (SLTD, notices, stolen vehicles) as NDJSON, streamed.

Records are plain dicts in the contract's record shapes, dumped with orjson in chunks:
memory stays flat whatever the count (ten million SLTD records is a matter of time,
not of RAM), and pydantic stays off the hot path; tests validate samples against the
models instead. The same seed gives the same files, byte for byte: dates count back
from a fixed `as_of` day rather than from today.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from itertools import accumulate, islice
from pathlib import Path
from random import Random
from typing import Any

import orjson

from screening.mockdata.codes import LISTED, NOTICE, CodeSource
from screening.mockdata.documents import STATE_CODES, STATE_WEIGHTS, DocumentChooser
from screening.mockdata.people import PersonFactory, Weighted
from screening.mockdata.vehicles import (
    CYRILLIC_PLATES,
    LISTED_COUNTRIES,
    VehicleMaker,
    to_cyrillic,
)

AS_OF = date(2026, 1, 1)
FILE_NAMES = {"sltd": "sltd.ndjson", "notice": "notices.ndjson", "smv": "smv.ndjson"}
CHUNK = 20_000

Record = dict[str, Any]
Progress = Callable[[str, int], None]

_DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_B36_3: list[str] = []  # all three-character base-36 strings, built on first use


def short_id(prefix: str, n: int) -> str:
    """prefix + six base-36 characters ("SLTD-00002S"): short, since every byte of an id
    is paid for in Redis for every record."""
    if not _B36_3:
        _B36_3.extend(a + b + c for a in _DIGITS36 for b in _DIGITS36 for c in _DIGITS36)
    hi, lo = divmod(n, 46656)
    return prefix + _B36_3[hi] + _B36_3[lo]


def _days_back(as_of: date, days: int) -> list[str]:
    return [(as_of - timedelta(days=d)).isoformat() for d in range(days)]


def _timestamp(day: str, rng: Random) -> str:
    return f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"


# ------------------------------------------------------------------------ SLTD
# lost >> stolen > revoked > invalidated > stolen_blank (the SLTD is mostly lost passports)
SLTD_STATUSES = (
    ("lost", 61.0),
    ("stolen", 26.0),
    ("revoked", 7.0),
    ("invalidated", 4.5),
    ("stolen_blank", 1.5),
)


def iter_sltd(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"sltd:{seed}")
    source, chooser = CodeSource(rng), DocumentChooser()
    days = _days_back(as_of, 3650)
    n_days = len(days)
    state_cum = list(accumulate(STATE_WEIGHTS))
    statuses = [s for s, _ in SLTD_STATUSES]
    status_cum = list(accumulate(w for _, w in SLTD_STATUSES))
    rand = rng.random
    for base in range(0, count, CHUNK):
        m = min(CHUNK, count - base)
        states = rng.choices(STATE_CODES, cum_weights=state_cum, k=m)
        stats = rng.choices(statuses, cum_weights=status_cum, k=m)
        for j in range(m):
            state = states[j]
            kind = chooser.pick(state, rng)
            day = days[int(rand() * n_days)]
            yield {
                "list": "sltd",
                "id": short_id("SLTD-", base + j),
                "document_number": source.take(kind.shape, LISTED),
                "issuing_state": state,
                "document_type": kind.code,
                "status": stats[j],
                "reported_at": _timestamp(day, rng) if rand() < 0.1 else day,
            }


# --------------------------------------------------------------------- notices
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


def iter_notices(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"notices:{seed}")
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
        record["issued_at"] = _timestamp(issued.isoformat(), rng)
        yield record


# ------------------------------------------------------------------------- SMV


def iter_smv(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"smv:{seed}")
    source, maker = CodeSource(rng), VehicleMaker()
    days = _days_back(as_of, 8 * 365)
    for i in range(count):
        car = maker.car(rng, LISTED)
        record: Record = {"list": "smv", "id": short_id("SMV-", i)}
        r = rng.random()
        if r < 0.75:  # a VIN for most; a quarter of records know only the plate
            record["vin"] = car.vin
        if r >= 0.15:  # and some only the VIN (plates were swapped or never registered)
            country = LISTED_COUNTRIES.pick(rng)
            plate = maker.plate(country, rng, source, LISTED, unique=True)
            if country in CYRILLIC_PLATES and rng.random() < 0.5:
                plate = to_cyrillic(plate)
            record["plate"] = plate
            record["plate_country"] = country
        record["make"] = car.make
        record["model"] = car.model
        record["colour"] = car.colour
        day = days[rng.randrange(len(days))]
        record["reported_at"] = _timestamp(day, rng) if rng.random() < 0.3 else day
        yield record


# ----------------------------------------------------------------------- files

_ITERATORS: dict[str, Callable[..., Iterator[Record]]] = {
    "sltd": iter_sltd,
    "notice": iter_notices,
    "smv": iter_smv,
}


def write_ndjson(
    path: Path, records: Iterator[Record], *, label: str = "", progress: Progress | None = None
) -> int:
    """Write records one a line, atomically (a half-written file never has the final name)."""
    tmp = path.with_name(f".{path.name}.tmp")
    option = orjson.OPT_APPEND_NEWLINE
    written = 0
    try:
        with open(tmp, "wb", buffering=1 << 20) as out:
            while chunk := list(islice(records, CHUNK)):
                out.write(b"".join([orjson.dumps(r, option=option) for r in chunk]))
                written += len(chunk)
                if progress:
                    progress(label, written)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return written


def generate_lists(
    out_dir: Path,
    *,
    sltd: int,
    notices: int,
    smv: int,
    seed: int = 1,
    progress: Progress | None = None,
    as_of: date = AS_OF,
) -> dict[str, Path]:
    """Write sltd.ndjson, notices.ndjson and smv.ndjson into out_dir.

    Returns the paths by list name ("sltd", "notice", "smv", as records' "list" field).
    `progress(list_name, records_written)` is called after every chunk.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, count in (("sltd", sltd), ("notice", notices), ("smv", smv)):
        path = out_dir / FILE_NAMES[name]
        write_ndjson(
            path, _ITERATORS[name](count, seed, as_of=as_of), label=name, progress=progress
        )
        paths[name] = path
    return paths
