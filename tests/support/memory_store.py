"""An in-memory stand-in for the Redis store, built through the lists' real index code."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from screening.watchlists.base import Found
from screening.watchlists.lists import LISTS
from screening.watchlists.records import RECORD
from screening.watchlists.store import Version


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
