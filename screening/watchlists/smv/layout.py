"""Vehicles in the entries layout (generic.py), as event lists keep theirs (the SMV, at
millions of records, has a compact layout of its own: compact.py):

    <vins>     normalised VIN -> id
    <plates>   the plate's skeleton (matching/plates.py) -> id
    <records>  id -> the record (what plate scoring and analysts need)
"""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.matching.plates import plate_index_keys
from screening.matching.vin import normalize_vin
from screening.watchlists.generic import Blob, Entry, Indexed, body_bytes


class VehicleTables(NamedTuple):
    vins: str
    plates: str
    records: str



def vehicle_index(record: Any, tables: VehicleTables) -> Indexed:
    entries: list[Entry] = []
    if record.vin:
        entries.append(Entry(tables.vins, normalize_vin(record.vin), record.id))
    if record.plate:
        entries += [Entry(tables.plates, key, record.id)
                    for key in plate_index_keys(record.plate, record.plate_country)]
    body = record.model_dump(mode="json", exclude={"list"}, exclude_none=True)
    blob = Blob(tables.records, record.id, body_bytes(body))
    return Indexed(entries=tuple(dict.fromkeys(entries)), blobs=(blob,))
