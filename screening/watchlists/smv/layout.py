"""Stolen vehicles in the entries layout (generic.py):

    vin     normalised VIN -> id
    plate   OCR-tolerant keys of the plate, per country (matching/plates.py) -> id
    vrec    id -> the record (what plate scoring and analysts need)

Event lists' vehicles use the same layout under their own table names.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import orjson

from screening.matching.plates import plate_index_keys
from screening.matching.vin import normalize_vin
from screening.watchlists.generic import Blob, EntriesLayout, Entry, Indexed


class VehicleTables(NamedTuple):
    vins: str
    plates: str
    records: str


SMV_TABLES = VehicleTables("vin", "plate", "vrec")


def vehicle_index(record: Any, tables: VehicleTables) -> Indexed:
    entries: list[Entry] = []
    if record.vin:
        entries.append(Entry(tables.vins, normalize_vin(record.vin), record.id))
    if record.plate:
        entries += [Entry(tables.plates, key, record.id)
                    for key in plate_index_keys(record.plate, record.plate_country)]
    body = record.model_dump(mode="json", exclude={"list"}, exclude_none=True)
    blob = Blob(tables.records, record.id, orjson.dumps(body))
    return Indexed(entries=tuple(dict.fromkeys(entries)), blobs=(blob,))


def vehicle_layout(list_name: str, tables: VehicleTables) -> EntriesLayout:
    return EntriesLayout(list_name, {tables.vins: 1.0, tables.plates: 8.0, tables.records: 1.0},
                         lambda record: vehicle_index(record, tables))


LAYOUT = vehicle_layout("smv", SMV_TABLES)
