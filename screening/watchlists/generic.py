"""The entries layout, shared by the lists that have no compact one of their own.

A record turns into *entries*: (table, field, value) triples stored in bucketed Redis
hashes. Several records may share a field (two notices with the same name key), so a
field holds a list of entries separated by RS (0x1E), each starting with the record id
and, where the look-up needs more, a payload after US (0x1F). A record also keeps a
*body* (its blob: JSON, zlib-compressed when that is shorter) for scoring and for the
analysts' alert, from which the record can be read back: an upsert writes the new
entries first, then removes those the stored record had and the new one has not, and a
delete removes all of them. Re-applying either is harmless, so a crash between two
steps is mended by applying the same update again. (Entries computed by an older index
code than the one removing them would be left behind: harmless, since a candidate whose
body is gone or no longer matches is no hit.)
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson

from screening.watchlists.base import RS, US, Changes, Found, Lookup, OnError
from screening.watchlists.batch import as_bytes, pack_ops
from screening.watchlists.keys import next_pow2

if TYPE_CHECKING:
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version, WatchlistStore

# Fields per hash bucket: under Redis's default hash-max-listpack-entries (128).
PER_BUCKET = 64
# Bodies longer than this are stored compressed (a notice's profile, for one).
COMPRESS_OVER = 200


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


_PRESET = b"~"  # a raw deflate stream with the layout's preset dictionary follows


def body_bytes(data: dict[str, Any], zdict: bytes | None = None) -> bytes:
    """A body as stored: JSON, compressed when long (JSON starts with "{", zlib never).
    With a preset dictionary (the strings a list's bodies all have: their keys, common
    values), a raw deflate stream behind "~" instead: a notice's profile in about 60 %
    of zlib's bytes. Compressed bytes are stuffed so as to hold no NUL, which the batch
    scripts split arguments on: 01 becomes 01 02, 00 becomes 01 01 (under 1 % longer)."""
    raw = orjson.dumps(data)
    if len(raw) <= COMPRESS_OVER:
        return raw
    if zdict is None:
        packed = zlib.compress(raw, 6)
    else:
        z = zlib.compressobj(6, zlib.DEFLATED, -15, 8, zlib.Z_DEFAULT_STRATEGY, zdict)
        packed = _PRESET + z.compress(raw) + z.flush()
    return packed.replace(b"\x01", b"\x01\x02").replace(b"\x00", b"\x01\x01")


def read_body(raw: bytes, zdict: bytes | None = None) -> dict[str, Any]:
    """A stored body back (`zdict`: the dictionary body_bytes was given, if any)."""
    if raw[:1] != b"{":
        # Left to right, a 01 always starts a stuffed pair: 01 01 is 00, then 01 02 is 01.
        raw = raw.replace(b"\x01\x01", b"\x00").replace(b"\x01\x02", b"\x01")
        if raw[:1] == _PRESET:
            if zdict is None:
                raise ValueError("a body compressed with a preset dictionary, read without it")
            z = zlib.decompressobj(-15, zdict)
            raw = z.decompress(raw[1:]) + z.flush()
        else:
            raw = zlib.decompress(raw)
    data: dict[str, Any] = orjson.loads(raw)
    return data


@dataclass(frozen=True, slots=True)
class Checked:
    """A record its layout's lean check passed (EntriesLayout.lean): its id, and what its
    model would dump (mode="json"), made without the model."""

    id: str
    data: dict[str, Any]


# A stored body back into the record it was made from (table, body) -> record.
Restore = Callable[[str, dict[str, Any]], Any]


class EntriesLayout:
    """The entries layout of one list: `index` turns its record into entries and bodies,
    `restore` a stored body back into its record; `per_record` says how many fields of
    each table a record takes (sizes buckets); bodies live in `body_tables`."""


    def __init__(self, list_name: str, per_record: dict[str, float],
                 index: Callable[[Any], Indexed], *, body_tables: tuple[str, ...],
                 restore: Restore, zdict: bytes | None = None) -> None:
        self.list_name = list_name
        self.zdict = zdict  # the preset dictionary its bodies are compressed with
        self.per_record = per_record
        self.tables = tuple(per_record)
        self.index = index
        self.body_tables = body_tables
        self.restore = restore

    def buckets(self, records: int, max_entries: int, max_value: int = 64) -> dict[str, int]:
        return {t: next_pow2(records * n / PER_BUCKET) for t, n in self.per_record.items()}

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, str | bytes]:
        return version.key(keys, *lookup), lookup[1]

    def slots(self, version: Version, keys: Keys, table: str, fields: Sequence[str]
              ) -> tuple[list[str], list[str | bytes]]:
        base = f"{keys.prefix}:{version.id}:{table}:"
        mask = version.buckets[table] - 1  # a power of two (keys.bucket_of)
        return [f"{base}{zlib.crc32(f.encode()) & mask}" for f in fields], list(fields)

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        return parse_entries(raw)

    def stored(self, entry: Entry) -> str | bytes:
        """An entry's value as stored (decode reads it back)."""
        return entry.value

    def stored_id(self, entry: Entry) -> str | bytes:
        """What an entry's stored value starts with (up to US): the write ops replace and
        remove a record's entries by it."""
        return entry.record_id

    def record(self, table: str, raw: bytes) -> dict[str, Any]:
        return read_body(raw, self.zdict)

    async def _stored(self, store: WatchlistStore, version: Version,
                      ids: Sequence[str]) -> dict[str, Indexed]:
        """What each stored record (by id) indexed, read back from its body."""
        refs = [(t, rid) for rid in ids for t in self.body_tables]
        keys = [version.key(store.data_keys, t, rid) for t, rid in refs]
        raw = await store.batch.read(keys, [rid for _, rid in refs])
        out: dict[str, Indexed] = {}
        for (table, rid), value in zip(refs, raw, strict=True):
            if value:
                out[rid] = self.index(self.restore(table, read_body(value, self.zdict)))
        return out

    async def changes(self, store: WatchlistStore, version: Version, upserts: Sequence[Any],
                      deletes: Sequence[str], *, known_new: bool = False,
                      on_error: OnError = None) -> Changes:
        latest = {r.id: r for r in upserts}
        gone = [rid for rid in dict.fromkeys(deletes) if rid not in latest]
        indexed: list[tuple[str, list[WriteOp]]] = []
        for rid, record in latest.items():
            try:
                indexed.append((rid, self.puts(version, store.data_keys, self.index(record))))
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(record, exc)
        return await self.indexed_changes(store, version, indexed, gone, known_new=known_new)

    def puts(self, version: Version, keys: Keys, new: Indexed) -> list[WriteOp]:
        """The writes that put a record's entries and bodies (bulk loads make them in
        their parsing processes, where the record was indexed)."""
        ops: list[WriteOp] = [("p", *self.slot(version, keys, (e.table, e.field)),
                               self.stored_id(e), self.stored(e)) for e in new.entries]
        ops += [("s", version.key(keys, b.table, b.record_id), b.record_id, "", b.value)
                for b in new.blobs]
        return ops

    def packed_puts(self, version: Version, keys: Keys, new: Indexed) -> bytes:
        """puts() packed as the write script takes them (batch.pack_ops): what bulk
        loads' parsing processes hand back."""
        return pack_ops(self.puts(version, keys, new))

    def lean(self, data: dict[str, Any]) -> Checked | None:
        """A bulk load's raw record, checked without its model when it is in the plain
        shape (None: ask the model, whose errors say why); packed_index takes it."""
        return None

    def packed_index(self, version: Version, keys: Keys, record: Any) -> bytes:
        """packed_puts(version, keys, index(record)): a layout may write a record's puts
        without its entries between (NoticeLayout)."""
        return self.packed_puts(version, keys, self.index(record))

    async def indexed_changes(self, store: WatchlistStore, version: Version,
                              indexed: Sequence[tuple[str, list[WriteOp]]], gone: Sequence[str],
                              *, known_new: bool = False) -> Changes:
        """changes() of records already indexed into their puts, by id, and of the ids
        `gone` (none of them among `indexed`). A stored record's entries and bodies that
        its new puts do not write again (by key and field) are removed."""
        ids = [rid for rid, _ in indexed] + list(gone)
        old = {} if known_new and not gone else await self._stored(store, version, ids)
        dk = store.data_keys
        puts: list[WriteOp] = []
        removals: list[WriteOp] = []
        found = 0
        for rid, new in indexed:
            puts += new
            if (before := old.get(rid)) is not None:
                # Fields as bytes: puts handed back packed (batch.unpack_ops) have them so.
                kept = {(op[1], as_bytes(op[2])) for op in new}
                removals += [op for op in self._removals(version, dk, before.entries,
                                                         [b.table for b in before.blobs], rid)
                             if (op[1], as_bytes(op[2])) not in kept]
        for rid in gone:
            if (before := old.get(rid)) is None:
                continue
            found += 1
            removals += self._removals(version, dk, before.entries,
                                       [b.table for b in before.blobs], rid)
        # Puts before removals: a record being replaced is never absent in between.
        return Changes(puts + removals, found)

    def _removals(self, version: Version, keys: Keys, entries: Sequence[Entry],
                  blob_tables: Sequence[str], record_id: str) -> list[WriteOp]:
        ops: list[WriteOp] = [("d", *self.slot(version, keys, (e.table, e.field)),
                               self.stored_id(e), "") for e in entries]
        ops += [("x", version.key(keys, t, record_id), record_id, "", "") for t in blob_tables]
        return ops
