"""Stolen motor vehicles: indexed by VIN and by plate (per country, OCR-tolerant keys)."""

from __future__ import annotations

from typing import ClassVar

import orjson

from screening.matching.plates import plate_index_keys
from screening.matching.vin import normalize_vin
from screening.models import SmvRecord
from screening.watchlists.base import Blob, Entry, Indexed

VIN_TABLE = "vin"
PLATE_TABLE = "plate"
RECORD_TABLE = "vrec"


class SmvList:
    name: ClassVar[str] = "smv"
    model: ClassVar[type[SmvRecord]] = SmvRecord
    tables: ClassVar[dict[str, float]] = {VIN_TABLE: 1.0, PLATE_TABLE: 8.0, RECORD_TABLE: 1.0}

    def index(self, record: SmvRecord) -> Indexed:
        entries: list[Entry] = []
        if record.vin:
            entries.append(Entry(VIN_TABLE, normalize_vin(record.vin), record.id))
        if record.plate:
            entries += [Entry(PLATE_TABLE, key, record.id)
                        for key in plate_index_keys(record.plate, record.plate_country)]
        summary = record.model_dump(mode="json", exclude={"list"}, exclude_none=True)
        blob = Blob(RECORD_TABLE, record.id, orjson.dumps(summary))
        return Indexed(entries=tuple(dict.fromkeys(entries)), blobs=(blob,))
