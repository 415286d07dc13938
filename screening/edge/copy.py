"""The edge's copy of a list version as Redis holds it: refreshed by version, compact.

When the lists' `current` version in Redis moves on (a bulk load switched it), the edge
reads that version's bucket hashes (each table's, as the list's layout wrote them: for
SLTD the 6-byte document digests and their few-byte entries, for SMV and the rest
their own) and swaps its reader for the copy in one assignment: scans being screened
finish on the reader they started with, the next ones use the copy. The look-ups go
through the store's own `locate` and the layouts' `decode`, so the copy answers exactly
as Redis would, and the engine screens with the same code.

Memory: a bucket whose fields all have one width (SLTD's and SMV's digests) is held
packed: the fields in one bytes object, the values in another, offsets in an array:
about the bytes Redis itself holds per record, instead of a Python object per entry
(bench/results/edge.md). Other buckets (notices, event lists: small) stay dicts.

Live updates published after the copy began are applied on top (an overlay: the
snapshot's own index, snapshot.py): a record an update touched is answered from the
overlay only. The feed replays the updates from where it was when the copy began, so
none that Redis had not yet applied is missed (applying one twice changes nothing).

The copy is trusted as Redis is (TLS, the edge's read-only ACL user): what Redis holds
was verified against the feed's signatures when it was loaded.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from screening.edge.snapshot import Snapshot
from screening.exceptions import NoWatchlistLoaded
from screening.logs import kv
from screening.models import WatchlistUpdate
from screening.watchlists.base import Found, Lookup, RecordRef
from screening.watchlists.lists import LISTS
from screening.watchlists.store import Version, WatchlistStore

log = logging.getLogger("screening.edge.copy")
# Bucket hashes read per pipeline round trip.
READ_BATCH = 256

# Which list a table (physical or logical) belongs to: an update's record is the list's.
TABLE_LIST: dict[str, str] = {
    table: name for name, lst in LISTS.items()
    for table in (*lst.layout.tables, *getattr(lst.layout, "logical_tables", ()))}


class Packed:
    """A bucket hash whose fields have one width, in three compact objects."""

    __slots__ = ("fields", "offsets", "values", "width")

    def __init__(self, items: Sequence[tuple[bytes, bytes]], width: int) -> None:
        self.width = width
        self.fields = b"".join(f for f, _ in items)
        self.values = b"".join(v for _, v in items)
        self.offsets = array("I", [0])
        end = 0
        for _, v in items:
            end += len(v)
            self.offsets.append(end)

    @classmethod
    def of(cls, width: int, fields: bytes, values: bytes, offsets: array[int]) -> Packed:
        """A bucket from its three parts as kept (saved.py)."""
        packed = cls.__new__(cls)
        packed.width, packed.fields, packed.values, packed.offsets = (
            width, fields, values, offsets)
        return packed

    def get(self, name: bytes) -> bytes | None:
        if len(name) != self.width:
            return None
        i = self.fields.find(name)
        while i != -1 and i % self.width:  # found across two fields: look further
            i = self.fields.find(name, i + 1)
        if i == -1:
            return None
        k = i // self.width
        return self.values[self.offsets[k]:self.offsets[k + 1]]


def pack(raw: dict[bytes, bytes]) -> Packed | dict[bytes, bytes]:
    widths = {len(f) for f in raw}
    return Packed(list(raw.items()), widths.pop()) if len(widths) == 1 else raw


class RedisCopy:
    """A ListReader over one version's buckets, copied, and the updates since."""

    def __init__(self, store: WatchlistStore, version: Version,
                 buckets: dict[str, Packed | dict[bytes, bytes]], records: int) -> None:
        self.store = store
        self.source = version
        self.base = version.id
        self.buckets = buckets
        self.records = records
        # Updates since the copy began: the snapshot's in-memory index, for few records.
        self.overlay = Snapshot(version.id)
        self.version = Version(id=version.id, buckets=version.buckets)

    @property
    def updates(self) -> int:
        return self.overlay.updates

    @classmethod
    async def build(cls, store: WatchlistStore, version: Version) -> RedisCopy:
        keys = [f"{store.data_prefix}:{version.id}:{table}:{b}"
                for table, n in version.buckets.items() for b in range(n)]
        buckets: dict[str, Packed | dict[bytes, bytes]] = {}
        records = 0
        for start in range(0, len(keys), READ_BATCH):
            chunk = keys[start:start + READ_BATCH]
            async with store.redis.pipeline(transaction=False) as pipe:
                for key in chunk:
                    pipe.hgetall(key)
                found: list[Any] = await pipe.execute()
            for key, raw in zip(chunk, found, strict=True):
                if raw:
                    buckets[key] = pack(raw)
                    records += len(raw)
        # A version retired while being read (its keys going): not a whole copy.
        if not await store.redis.exists(store.data_keys.meta(version.id)):
            raise NoWatchlistLoaded(f"version {version.id} was removed while being copied")
        log.info("lists copied from Redis", extra=kv(version=version.id, buckets=len(buckets),
                                                       entries=records))
        return cls(store, version, buckets, records)

    def apply(self, update: WatchlistUpdate) -> bool:
        applied = self.overlay.apply(update)
        if applied:
            self.version = Version(id=f"{self.base}+{self.overlay.updates}",
                                   buckets=self.source.buckets)
        return applied

    def _get(self, keys: Iterable[str], names: Iterable[str | bytes]) -> list[bytes | None]:
        out: list[bytes | None] = []
        for key, name in zip(keys, names, strict=True):
            bucket = self.buckets.get(key)
            out.append(None if bucket is None else
                       bucket.get(name.encode() if isinstance(name, str) else name))
        return out

    async def fetch(self, fields: Sequence[Lookup]) -> tuple[Version, list[list[Found]]]:
        keys, names = self.store.locate(self.source, fields)
        touched = self.overlay.touched
        out = []
        for lookup, raw in zip(fields, self._get(keys, names), strict=True):
            found = self.store.decode(lookup, raw) if raw else []
            if touched:
                name = TABLE_LIST.get(lookup[0], "")
                found = [f for f in found if (name, f.record_id) not in touched]
                found += self.overlay.entries.get(lookup, ())
            out.append(found)
        return self.version, out

    async def fetch_blobs(self, version: Version,
                          refs: Sequence[RecordRef]) -> list[bytes | None]:
        keys, names = self.store.locate(self.source, refs)
        copied = self._get(keys, names)
        touched = self.overlay.touched
        return [self.overlay.blobs.get(ref) if (TABLE_LIST.get(ref[0], ""), ref[1]) in touched
                else raw for ref, raw in zip(refs, copied, strict=True)]


def memory_of(copy: RedisCopy) -> int:
    """Bytes the copy's buckets take (objects and their contents), for the benchmark."""
    import sys

    total = sys.getsizeof(copy.buckets)
    for key, bucket in copy.buckets.items():
        total += sys.getsizeof(key)
        if isinstance(bucket, Packed):
            total += (sys.getsizeof(bucket) + sys.getsizeof(bucket.fields)
                      + sys.getsizeof(bucket.values) + sys.getsizeof(bucket.offsets))
        else:
            total += sys.getsizeof(bucket) + sum(
                sys.getsizeof(f) + sys.getsizeof(v) for f, v in bucket.items())
    return total


__all__ = ["Packed", "RedisCopy", "memory_of", "pack"]
