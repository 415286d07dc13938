"""The stolen vehicles' part of the mock generator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from random import Random

from screening.mockdata.codes import LISTED, CodeSource
from screening.mockdata.common import AS_OF, MockList, Record, days_back, short_id, timestamp
from screening.mockdata.vehicles import (
    CYRILLIC_PLATES,
    LISTED_COUNTRIES,
    VehicleMaker,
    to_cyrillic,
)


def iter_smv(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"smv:{seed}")
    arng = Random(f"smv-actions:{seed}")  # its own stream: other fields as they were
    source, maker = CodeSource(rng), VehicleMaker()
    days = days_back(as_of, 8 * 365)
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
        record["reported_at"] = timestamp(day, rng) if rng.random() < 0.3 else day
        record["action"] = "seize" if arng.random() < 0.9 else "inform"
        owner = record.get("plate_country") or LISTED_COUNTRIES.pick(arng)
        record["owner"] = f"NCB-{owner}"
        if arng.random() < 0.02:  # a few with an end, half of them lapsed
            end = as_of + timedelta(days=arng.choice((-1, 1)) * arng.randrange(30, 4000))
            record["valid_until"] = f"{end.isoformat()}T00:00:00Z"
        yield record




MOCK = MockList("smv.ndjson", iter_smv, 50_000)
