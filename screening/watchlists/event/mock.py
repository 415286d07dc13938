"""The event lists' part of the mock generator: what a host country adds for an event.

Mostly persons (revoked accreditations, stadium bans, national lookouts), some vehicles
(lookouts on cars seen near a venue); most valid until the event ends, a few already
lapsed (so that `valid_until` is exercised), a few with no end.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from random import Random

from screening.mockdata.codes import LISTED, NOTICE, CodeSource
from screening.mockdata.common import AS_OF, MockList, Record, short_id
from screening.mockdata.documents import DocumentChooser
from screening.mockdata.people import PersonFactory, Weighted
from screening.mockdata.vehicles import LISTED_COUNTRIES, VehicleMaker

# (list name, subject, action, owner, weight)
_KINDS = Weighted([
    ("revoked_accreditation|person|refuse_entry|ACCREDITATION", 45.0),
    ("stadium_ban|person|refuse_entry|HOST-POLICE", 25.0),
    ("national_lookout|person|specific_check|HOST-NCB", 12.0),
    ("national_lookout|person|arrest|HOST-NCB", 3.0),
    ("missing_person|person|protect|HOST-POLICE", 3.0),
    ("vehicle_lookout|vehicle|discreet_check|HOST-POLICE", 9.0),
    ("vehicle_lookout|vehicle|seize|HOST-POLICE", 3.0),
])


def iter_events(count: int, seed: int = 1, *, as_of: date = AS_OF) -> Iterator[Record]:
    rng = Random(f"events:{seed}")
    source, chooser = CodeSource(rng), DocumentChooser()
    people, maker = PersonFactory("notices"), VehicleMaker()
    # The event's last day: years after `as_of`, which is fixed (the same seed gives the
    # same file) and so in the past when a demo runs.
    ends = as_of + timedelta(days=5 * 365)
    for i in range(count):
        list_name, subject, action, owner = _KINDS.pick(rng).split("|")
        record: Record = {"list": "event", "id": short_id("EVT-", i), "list_name": list_name,
                          "subject": subject, "action": action, "owner": owner}
        if subject == "person":
            person = people.person(rng, aliases=rng.choice((0, 0, 1)))
            record["names"] = [{"surname": person.name.surname,
                                "given_names": person.name.given_names, "script": "Latn"}]
            born = as_of - timedelta(days=rng.randrange(16 * 365, 70 * 365))
            record["date_of_birth"] = born.isoformat()
            record["nationalities"] = [person.nationality]
            record["sex"] = person.sex
            if rng.random() < 0.6:
                kind = chooser.pick(person.nationality, rng)
                record["documents"] = [{"number": source.take(kind.shape, NOTICE),
                                        "issuing_state": person.nationality}]
        else:
            car = maker.car(rng, LISTED)
            country = LISTED_COUNTRIES.pick(rng)
            record["plate"] = maker.plate(country, rng, source, LISTED, unique=True)
            record["plate_country"] = country
            if rng.random() < 0.5:
                record["vin"] = car.vin
            record.update(make=car.make, model=car.model, colour=car.colour)
        r = rng.random()
        if r < 0.9:
            record["valid_until"] = f"{ends.isoformat()}T23:59:59Z"
        elif r < 0.95:  # lapsed: listed, but no longer hits
            record["valid_until"] = f"{(as_of - timedelta(days=1)).isoformat()}T00:00:00Z"
        record["issued_at"] = (as_of - timedelta(days=rng.randrange(90))).isoformat()
        yield record


MOCK = MockList("events.ndjson", iter_events, 2_000)
