"""Stolen vehicles in a compact layout (bytes per record: `make bench-watchlists`).

Three bucketed hash tables per version, each bucket small enough to stay a listpack:

    {prefix}:{ver}:tr:{b}   records
        field: R[:2], where R = the record's id digest (CRC-32 of the id, 4 bytes, NUL
               bytes made 1); bucket b = R[2:4] modulo the bucket count (so up to 65,536
               buckets: 10 million records at the fill the SLTD's buckets have)
        value: the record's body (body.py), starting with its id; records whose digests
               meet in one field are kept side by side, joined by RS
    {prefix}:{ver}:tv:{b}   VIN index
        field: K[3] mod SLOTS in decimal, where K = blake2b(normalised VIN, 5 bytes);
               b = K[:3] modulo the bucket count
        value: 5-byte entries, one per record with a key in that field: K[4] (the check
               byte, NUL made 1) then the record's R
    {prefix}:{ver}:tp:{b}   plate index
        field, bucket and value as the VIN index's, of each of the plate's keys: its
        skeleton and its one-character deletions (matching/plates.py)

Why packed index fields: a plate takes about eight keys (its deletions find a read
missing a character; looking up every insertion instead made a doubted read cost
hundreds of look-ups), and a hash field of its own cost each about twelve bytes of
listpack (a 3-byte field, a 5-byte value, a header and a back-length each). Packed,
a key costs its 5-byte entry and a share of its field's overhead. Index fields are
decimal numbers because a listpack keeps those as integers: a field under 128 in two
bytes, where a one-byte string takes three. (Record fields stay two digest bytes: 12
bits, which a listpack would keep in three bytes instead of four, made a bucket's
records meet in a field so often that bulk loads merged a third of the buckets in Lua.)
A look-up reads its field and keeps the entries whose check byte is its key's
(SmvLayout.narrow); the bucket, the field and the check select one key in about 2^-40
at ten million records, and every candidate is verified against its body anyway (the
VIN equal, the plate by match_plate): a digest that collides costs a look at one more
record, never a false hit.
Fields are sized (SLOTS per bucket, the bucket count from the server's
hash-max-listpack-value) so that, after GROWTH live upserts, no field outgrows the
listpack's value limit (six sigmas of a Poisson fill).

Versions loaded by earlier layouts (tables vr, vv, vp: 3-byte fields and a field per
key; mr, mv, mp: bodies of US-separated fields) are refused with "reload the list"
rather than misread (SmvLayout._buckets).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from hashlib import blake2b
from typing import TYPE_CHECKING, Any
from zlib import crc32

from screening.exceptions import WatchlistUnavailable
from screening.matching.plates import plate_index_keys
from screening.matching.vin import normalize_vin
from screening.watchlists.base import Changes, Found, Lookup, OnError, RecordRef
from screening.watchlists.generic import Blob, Entry, Indexed
from screening.watchlists.packing import pack_text
from screening.watchlists.sltd.layout import GROWTH, buckets_for
from screening.watchlists.smv import body

if TYPE_CHECKING:
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version, WatchlistStore

RECORDS, VINS, PLATES = "tr", "tv", "tp"
# Earlier layouts' tables (vr, vv, vp: a hash field per key; mr, mv, mp: bodies of
# US-separated fields): refused, never misread.
PREVIOUS_TABLES = ("vr", "vv", "vp", "mr", "mv", "mp")
# What scans look up and the screening asks for (smv/screen.py).
VIN_LOOKUP, PLATE_LOOKUP, RECORD_REF = "vin", "plate", "vrec"
ID_BYTES = 4
ENTRY_BYTES = 1 + ID_BYTES  # an index entry: the check byte, then R
PLATE_KEYS = 8  # keys a listed plate takes, about: its skeleton and its deletions
SLOTS = 128  # fields per index bucket
RS = b"\x1e"


def _no_nul(digest: bytes) -> bytes:
    return digest.replace(b"\0", b"\1") if b"\0" in digest else digest


def id_digest(record_id: str) -> bytes:
    return id_digest_of(record_id.encode())


def id_digest_of(raw: bytes) -> bytes:
    """R of an id's UTF-8 bytes (what bulk loads have in hand)."""
    return _no_nul(crc32(raw).to_bytes(4, "big"))


def key_digest(text: str) -> bytes:
    return key_digest_of(text.encode())


def key_digest_of(raw: bytes) -> bytes:
    return blake2b(raw, digest_size=5).digest()


# Index fields are decimal numbers, which a listpack keeps as integers: 0-127 in one
# byte (a one-byte string takes two).
FIELDS = [str(n).encode() for n in range(256)]


def record_slot(digest: bytes, buckets: int) -> tuple[int, bytes]:
    """(bucket, field) of a record digest R."""
    return int.from_bytes(digest[2:4], "big") % buckets, digest[:2]


def key_slot(digest: bytes, buckets: int) -> tuple[int, int, bytes]:
    """(bucket, field number, check byte) of an index key's digest K (the field is
    FIELDS[number])."""
    check = digest[4:5]
    return (int.from_bytes(digest[:3], "big") % buckets, digest[3] % SLOTS,
            b"\1" if check == b"\0" else check)


def vin_key(vin: str | None) -> str:
    return normalize_vin(vin) if vin else ""


def plate_keys(plate: str | None) -> list[str]:
    """The plate's skeleton and its one-character deletions (matching/plates.py)."""
    return plate_index_keys(plate, None) if plate else []


def entries_per_field(max_value: int) -> float:
    """Mean entries per index field at load: after GROWTH more, a field stays within
    `max_value` bytes (the server's hash-max-listpack-value) with a six-sigma margin."""
    most = max(1, max_value // ENTRY_BYTES)
    root = (-6 + math.sqrt(36 + 4 * most)) / 2
    return max(0.5, root * root / GROWTH)


def index_buckets(keys: float, max_value: int) -> int:
    return max(1, min(1 << 24, math.ceil(keys / (SLOTS * entries_per_field(max_value)))))


class SmvLayout:
    """The compact layout as the shared machinery sees it (base.Layout)."""

    tables = (RECORDS, VINS, PLATES)
    logical_tables = (VIN_LOOKUP, PLATE_LOOKUP, RECORD_REF)

    def buckets(self, records: int, max_entries: int, max_value: int = 64) -> dict[str, int]:
        # Sized for live growth (sltd/layout.GROWTH), as the SLTD's are, each table for
        # its own entries: a plate takes its skeleton and its deletions (about eight).
        # Record buckets are chosen by two digest bytes, index buckets by three.
        return {RECORDS: min(buckets_for(records, max_entries), 1 << 16),
                VINS: index_buckets(records, max_value),
                PLATES: index_buckets(records * PLATE_KEYS, max_value)}

    @staticmethod
    def _buckets(version: Version, table: str) -> int:
        n = version.buckets.get(table)
        if n is None:
            if any(t in version.buckets for t in PREVIOUS_TABLES):
                raise WatchlistUnavailable(
                    f"version {version.id} keeps stolen vehicles in a previous layout that "
                    "this code does not read: reload the list", lists=("smv",))
            raise WatchlistUnavailable(f"version {version.id} has no table {table!r}",
                                       lists=("smv",))
        return n

    def _record_slot(self, version: Version, keys: Keys, digest: bytes) -> tuple[str, bytes]:
        b, fld = record_slot(digest, self._buckets(version, RECORDS))
        return f"{keys.prefix}:{version.id}:{RECORDS}:{b}", fld

    def _key_slot(self, version: Version, keys: Keys, table: str, text: str
                  ) -> tuple[str, bytes, bytes]:
        b, slot, check = key_slot(key_digest(text), self._buckets(version, table))
        return f"{keys.prefix}:{version.id}:{table}:{b}", FIELDS[slot], check

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, bytes]:
        table, value = lookup
        if table == RECORD_REF:
            return self._record_slot(version, keys, bytes.fromhex(value))
        key, fld, _ = self._key_slot(version, keys, VINS if table == VIN_LOOKUP else PLATES,
                                     value)
        return key, fld

    def slots(self, version: Version, keys: Keys, table: str, fields: Sequence[str]
              ) -> tuple[list[str], list[str | bytes]]:
        out = [self.slot(version, keys, (table, f)) for f in fields]
        return [k for k, _ in out], [n for _, n in out]

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        """An index field: every entry in it, as (record digest hex, check byte hex); the
        look-up keeps its own (narrow)."""
        if not raw:
            return []
        return [Found(raw[i + 1:i + ENTRY_BYTES].hex(), raw[i:i + 1].hex())
                for i in range(0, len(raw) - ENTRY_BYTES + 1, ENTRY_BYTES)]

    def narrow(self, lookup: Lookup, found: Sequence[Found]) -> list[Found]:
        """The entries of a look-up's field that are its key's (by the check byte);
        logical entries (in-memory stand-ins: no check) are all the key's."""
        if not found:
            return []
        check = key_slot(key_digest(lookup[1]), 1)[2].hex()
        return [f for f in found if not f.payload or f.payload == check]

    def record(self, table: str, raw: bytes) -> dict[str, Any]:
        """A record field's bodies: the first, and any that share its digest under
        `also` (the screening verifies each)."""
        bodies = [body.unpack(item) for item in raw.split(RS) if item]
        first = bodies[0]
        return {**first, "also": bodies[1:]} if len(bodies) > 1 else first

    def index(self, record: Any) -> Indexed:
        """The logical entries (for in-memory stand-ins): the record found by its VIN and
        its plate's keys, its body by its digest."""
        ref = id_digest(record.id).hex()
        entries = []
        if (vin := vin_key(record.vin)):
            entries.append(Entry(VIN_LOOKUP, vin, ref))
        entries += [Entry(PLATE_LOOKUP, k, ref) for k in plate_keys(record.plate)]
        return Indexed(tuple(entries), (Blob(RECORD_REF, ref, body.pack(record)),))

    async def changes(self, store: WatchlistStore, version: Version, upserts: Sequence[Any],
                      deletes: Sequence[str], *, known_new: bool = False,
                      on_error: OnError = None) -> Changes:
        latest = {r.id: r for r in upserts}
        gone = [rid for rid in dict.fromkeys(deletes) if rid not in latest]
        ids = [*latest, *gone]
        old: dict[str, dict[str, Any]] = {}
        if ids and not (known_new and not gone):
            old = await self._stored(store, version, ids)
        dk = store.data_keys
        puts: list[WriteOp] = []
        removals: list[WriteOp] = []
        for rid, record in latest.items():
            try:
                value = body.pack(record)
            except Exception as exc:
                if on_error is None:
                    raise
                on_error(record, exc)
                continue
            digest = id_digest(rid)
            key, fld = self._record_slot(version, dk, digest)
            puts.append(("p", key, fld, pack_text(rid), value))
            new = self._index_ops(version, dk, digest, record.vin, record.plate)
            puts += [("a", k, f, "", e) for k, f, e in new]
            if (before := old.get(rid)) is not None:
                stale = set(self._index_ops(version, dk, digest, before.get("vin"),
                                            before.get("plate"))) - set(new)
                removals += [("r", k, f, "", e) for k, f, e in sorted(stale)]
        found = 0
        for rid in gone:
            if (before := old.get(rid)) is None:
                continue
            found += 1
            digest = id_digest(rid)
            key, fld = self._record_slot(version, dk, digest)
            removals.append(("d", key, fld, pack_text(rid), ""))
            removals += [("r", k, f, "", e) for k, f, e in
                         self._index_ops(version, dk, digest, before.get("vin"),
                                         before.get("plate"))]
        # Puts before removals: a record being replaced is never absent in between.
        return Changes(puts + removals, found)

    def _index_ops(self, version: Version, keys: Keys, digest: bytes, vin: str | None,
                   plate: str | None) -> list[tuple[str, bytes, bytes]]:
        """(key, field, entry) of each index entry of a record."""
        out = []
        if (v := vin_key(vin)):
            key, fld, check = self._key_slot(version, keys, VINS, v)
            out.append((key, fld, check + digest))
        for k in plate_keys(plate):
            key, fld, check = self._key_slot(version, keys, PLATES, k)
            out.append((key, fld, check + digest))
        return out

    async def _stored(self, store: WatchlistStore, version: Version,
                      ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored body of each id, where there is one."""
        slots = [self._record_slot(version, store.data_keys, id_digest(rid)) for rid in ids]
        raw = await store.batch.read([k for k, _ in slots], [f for _, f in slots])
        out: dict[str, dict[str, Any]] = {}
        for rid, value in zip(ids, raw, strict=True):
            for item in (value or b"").split(RS):
                if item and (got := body.unpack(item)).get("id") == rid:
                    out[rid] = got
        return out


def refs_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """A fetched record and any that shared its field (SmvLayout.record)."""
    return [record, *record.get("also", ())]


__all__ = ["PLATE_LOOKUP", "RECORD_REF", "VIN_LOOKUP", "RecordRef", "SmvLayout", "refs_of"]
