"""Event lists keep persons in the notices' layout and vehicles in the SMV's, under tables
of their own (so their counts, memory and buckets are the event lists', and a scan's
look-ups name the list they ask). A record an update turns from a person into a vehicle
loses its person entries: its reverse entry lists them, whatever the tables."""

from __future__ import annotations

from typing import Any

from screening.watchlists.event.record import EventRecord
from screening.watchlists.generic import EntriesLayout, Indexed
from screening.watchlists.notices.layout import PROFILE_DICT, PersonTables, person_index
from screening.watchlists.smv.layout import VehicleTables, vehicle_index

PERSON_TABLES = PersonTables("ekey", "edoc", "erec")
VEHICLE_TABLES = VehicleTables("evin", "eplate", "evrec")


def event_index(record: Any) -> Indexed:
    if record.subject == "person":
        return person_index(record, PERSON_TABLES)
    return vehicle_index(record, VEHICLE_TABLES)


def restore(table: str, body: dict[str, Any]) -> EventRecord:
    """A stored body back into its record: a person's profile keeps it as `summary`."""
    data = body["summary"] if table == PERSON_TABLES.profiles else body
    return EventRecord.model_validate({"list": "event", **data})


LAYOUT = EntriesLayout("event", {PERSON_TABLES.names: 8.0, PERSON_TABLES.documents: 1.0,
                                 PERSON_TABLES.profiles: 1.0, VEHICLE_TABLES.vins: 1.0,
                                 VEHICLE_TABLES.plates: 1.0, VEHICLE_TABLES.records: 1.0},
                       event_index,
                       body_tables=(PERSON_TABLES.profiles, VEHICLE_TABLES.records),
                       restore=restore, zdict=PROFILE_DICT)
