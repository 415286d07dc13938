"""The entries layout, shared by the lists that have no compact one of their own.

A record turns into *entries*: (table, field, value) triples stored in bucketed Redis
hashes. Several records may share a field (two notices with the same name key), so a
field holds a list of entries separated by RS (0x1E), each starting with the record id
and, where the look-up needs more, a payload after US (0x1F). A record may also keep a
*blob* (a JSON body) for scoring and for the analysts' alert, and keeps a reverse entry
("rev": the fields it occupies), so that an upsert writes the new entries first, then
removes those the new record no longer has, and a delete removes all of them.
Re-applying either is harmless, so a crash between two steps is mended by applying the
same update again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from screening.watchlists.base import RS, US, Changes, Found, Lookup, OnError
from screening.watchlists.keys import next_pow2

if TYPE_CHECKING:
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version, WatchlistStore

# Fields per hash bucket: under Redis's default hash-max-listpack-entries (128).
PER_BUCKET = 64
REV_TABLE = "rev"


@dataclass(frozen=True, slots=True)
class Entry:
    table: str
    field: str
    record_id: str
    payload: str = ""

    @property
    def value(self) -> str:
        return f"{self.record_id}{US}{self.payload}" if self.payload else self.record_id


@dataclass(frozen=True, slots=True)
class Blob:
    table: str
    record_id: str
    value: bytes


@dataclass(frozen=True, slots=True)
class Indexed:
    """Everything one record writes: entries for look-ups, blobs for scoring and alerts."""

    entries: tuple[Entry, ...]
    blobs: tuple[Blob, ...] = ()


def parse_entries(raw: bytes | str | None) -> list[Found]:
    """A stored field back into its entries."""
    if not raw:
        return []
    text = raw.decode() if isinstance(raw, bytes) else raw
    out = []
    for item in text.split(RS):
        rid, _, payload = item.partition(US)
        out.append(Found(rid, payload))
    return out


def ref_of(list_name: str, record_id: str) -> str:
    return f"{list_name}:{record_id}"


def _rev_value(indexed: Indexed) -> bytes:
    return orjson.dumps({"e": [[e.table, e.field] for e in indexed.entries],
                         "b": sorted({b.table for b in indexed.blobs})})


def _old_entries(raw: bytes | None, record_id: str) -> tuple[list[Entry], list[str]]:
    if not raw:
        return [], []
    data = orjson.loads(raw)
    return [Entry(t, f, record_id) for t, f in data["e"]], list(data["b"])


class EntriesLayout:
    """The entries layout of one list: `index` turns its record into entries and blobs;
    `per_record` says how many fields of each table a record takes (sizes buckets)."""

    uses_rev = True

    def __init__(self, list_name: str, per_record: dict[str, float],
                 index: Callable[[Any], Indexed]) -> None:
        self.list_name = list_name
        self.per_record = per_record
        self.tables = tuple(per_record)
        self.index = index

    def buckets(self, records: int, max_entries: int) -> dict[str, int]:
        return {t: next_pow2(records * n / PER_BUCKET) for t, n in self.per_record.items()}

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, str]:
        return version.key(keys, *lookup), lookup[1]

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        return parse_entries(raw)

    def record(self, table: str, raw: bytes) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(raw)
        return data

    async def changes(self, store: WatchlistStore, version: Version, upserts: Sequence[Any],
                      deletes: Sequence[str], *, known_new: bool = False,
                      on_error: OnError = None) -> Changes:
        latest = {r.id: r for r in upserts}
        gone = [rid for rid in dict.fromkeys(deletes) if rid not in latest]
        indexed: list[tuple[str, Indexed]] = []
        for rid, record in latest.items():
            try:
                indexed.append((rid, self.index(record)))
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(record, exc)
        ids = [rid for rid, _ in indexed] + gone
        olds = ([None] * len(ids) if known_new and not gone
                else await store.read_rev(version, [ref_of(self.list_name, r) for r in ids]))
        old_of = dict(zip(ids, olds, strict=True))
        dk = store.data_keys
        puts: list[WriteOp] = []
        removals: list[WriteOp] = []
        found = 0
        for rid, new in indexed:
            puts += [("p", version.key(dk, e.table, e.field), e.field, e.record_id, e.value)
                     for e in new.entries]
            puts += [("s", version.key(dk, b.table, b.record_id), b.record_id, "", b.value)
                     for b in new.blobs]
            old_entries, old_blobs = _old_entries(old_of[rid], rid)
            kept = {(e.table, e.field) for e in new.entries}
            removals += _removals(version, dk, [e for e in old_entries
                                                if (e.table, e.field) not in kept],
                                  [t for t in old_blobs if t not in {b.table for b in new.blobs}],
                                  rid)
            ref = ref_of(self.list_name, rid)
            puts.append(("s", version.key(dk, REV_TABLE, ref), ref, "", _rev_value(new)))
        for rid in gone:
            old_entries, old_blobs = _old_entries(old_of[rid], rid)
            found += old_of[rid] is not None
            removals += _removals(version, dk, old_entries, old_blobs, rid)
            ref = ref_of(self.list_name, rid)
            removals.append(("x", version.key(dk, REV_TABLE, ref), ref, "", ""))
        # Puts before removals: a record being replaced is never absent in between.
        return Changes(puts + removals, found)


def _removals(version: Version, keys: Keys, entries: Sequence[Entry], blob_tables: Sequence[str],
              record_id: str) -> list[WriteOp]:
    ops: list[WriteOp] = [("d", version.key(keys, e.table, e.field), e.field, e.record_id, "")
                          for e in entries]
    ops += [("x", version.key(keys, t, record_id), record_id, "", "") for t in blob_tables]
    return ops
