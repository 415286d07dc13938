"""An in-memory stand-in for the Redis store, built through the lists' real index code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from pydantic import TypeAdapter

from screening.models import WatchlistRecord
from screening.watchlists.base import Found
from screening.watchlists.lists import LISTS
from screening.watchlists.store import Version

RECORD = TypeAdapter(WatchlistRecord)


class MemoryStore:
    """Same answers as WatchlistStore.fetch/fetch_blobs, from a dict; can be made to fail."""

    def __init__(self, records: Sequence[dict[str, Any]], version: str = "v-test") -> None:
        self.version = Version(id=version, buckets={})
        self.fields: dict[tuple[str, str], list[Found]] = {}
        self.blobs: dict[tuple[str, str], bytes] = {}
        self.fail: Exception | None = None
        self.calls = 0
        for raw in records:
            record = RECORD.validate_python(raw)
            indexed = LISTS[record.list].layout.index(record)
            for e in indexed.entries:
                self.fields.setdefault((e.table, e.field), []).append(Found(e.record_id,
                                                                             e.payload))
            for b in indexed.blobs:
                self.blobs[(b.table, b.record_id)] = b.value

    async def fetch(self, fields: Sequence[tuple[str, str]]) -> tuple[Version, list[list[Found]]]:
        self.calls += 1
        if self.fail is not None:
            raise self.fail
        return self.version, [list(self.fields.get(f, ())) for f in fields]

    async def fetch_blobs(self, version: Version,
                          refs: Sequence[tuple[str, str]]) -> list[bytes | None]:
        if self.fail is not None:
            raise self.fail
        return [self.blobs.get(r) for r in refs]


SLTD = {"list": "sltd", "id": "S1", "document_number": "L898902C3", "issuing_state": "UTO",
        "document_type": "P", "status": "stolen", "reported_at": "2024-01-02"}
NOTICE = {"list": "notice", "id": "N1", "colour": "red",
          "names": [{"surname": "ERIKSSON", "given_names": "ANNA MARIA", "script": "Latn"}],
          "date_of_birth": "1974-08-12", "nationalities": ["UTO"], "sex": "F",
          "documents": [{"number": "X1234567", "issuing_state": "UTO"}], "issued_at": "2020-01-01"}
NOTICE_BLUE = {"list": "notice", "id": "N2", "colour": "blue",
               "names": [{"surname": "OKAFOR", "given_names": "CHINEDU", "script": "Latn"}],
               "date_of_birth": "1980", "nationalities": ["NGA"], "documents": []}
SMV = {"list": "smv", "id": "V1", "vin": "1M8GDM9AXKP042788", "plate": "B-AB 1234",
       "plate_country": "D", "make": "VW", "model": "Golf", "colour": "blue"}
SMV_PLATE_ONLY = {"list": "smv", "id": "V2", "plate": "AB-123-CD", "plate_country": "F",
                  "make": "Renault", "model": "Clio", "colour": "red"}


@pytest.fixture
def memory_store() -> MemoryStore:
    return MemoryStore([SLTD, NOTICE, NOTICE_BLUE, SMV, SMV_PLATE_ONLY])


@pytest.fixture
def store_of() -> type[MemoryStore]:
    """MemoryStore itself, for a test's own records: store_of([record, ...])."""
    return MemoryStore
