"""Stolen vehicles in a compact layout (bytes per record: `make bench-watchlists`).

Three bucketed hash tables per version, each bucket small enough to stay a listpack:

    {prefix}:{ver}:vr:{b}   records
        field: R[:3], where R = the record's id digest (CRC-32s of the id, 5 bytes, NUL
               bytes made 1); bucket b = R[3:5] modulo the bucket count (so up to 65,536
               buckets: 10 million records at the fill the SLTD's buckets have)
        value: the record's body (body.py): "id US vin US plate US country US make US
               model US colour US reported", text; records whose digests meet in one
               field are kept side by side, joined by RS
    {prefix}:{ver}:vv:{b}   VIN index
        field: V[:3], where V = blake2b(normalised VIN, 6 bytes); b = V[3:6] mod count
        value: the R of each record with that VIN, concatenated (5 bytes each)
    {prefix}:{ver}:vp:{b}   plate index
        field and bucket as the VIN's, of each of the plate's keys: its skeleton and its
        one-character deletions (matching/plates.py)
        value: as the VIN index's

What the entries layout paid for, and where it went: the plate was stored under its
skeleton twice (per country and for any country): here once, the country being checked
against the record as it always was; its deletions stay (a read missing a character is
found by them: looking up every insertion instead made a doubted read cost hundreds of
look-ups); the reverse entry of each record ("rev") is gone, since a record's body says
which index fields it occupies. Digests are short because every candidate is verified
against its body (the VIN equal, the plate by match_plate): a digest that collides costs
a look at one more record, never a false hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from hashlib import blake2b
from typing import TYPE_CHECKING, Any
from zlib import crc32

from screening.matching.plates import plate_index_keys
from screening.matching.vin import normalize_vin
from screening.watchlists.base import Changes, Found, Lookup, OnError, RecordRef
from screening.watchlists.generic import Blob, Entry, Indexed
from screening.watchlists.sltd.layout import buckets_for
from screening.watchlists.smv import body

if TYPE_CHECKING:
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version, WatchlistStore

RECORDS, VINS, PLATES = "vr", "vv", "vp"
# What scans look up and the screening asks for (smv/screen.py).
VIN_LOOKUP, PLATE_LOOKUP, RECORD_REF = "vin", "plate", "vrec"
ID_BYTES = 5
PLATE_KEYS = 9  # keys a listed plate takes, about: its skeleton and its deletions
FIELD_BYTES = 3
RS = b"\x1e"


def _no_nul(digest: bytes) -> bytes:
    return digest.replace(b"\0", b"\1") if b"\0" in digest else digest


def id_digest(record_id: str) -> bytes:
    raw = record_id.encode()
    second = crc32(raw, 0x5BD1E995) & 0xFFFF
    return _no_nul((crc32(raw) & 0xFFFFFF).to_bytes(3, "big") + second.to_bytes(2, "big"))


def key_digest(text: str) -> bytes:
    return _no_nul(blake2b(text.encode(), digest_size=6).digest())


def vin_key(vin: str | None) -> str:
    return normalize_vin(vin) if vin else ""


def plate_keys(plate: str | None) -> list[str]:
    """The plate's skeleton and its one-character deletions (matching/plates.py)."""
    return plate_index_keys(plate, None) if plate else []


def _slot(prefix: str, table: str, digest: bytes, buckets: int) -> tuple[str, bytes]:
    bucket = int.from_bytes(digest[FIELD_BYTES:], "big") % buckets
    return f"{prefix}:{table}:{bucket}", digest[:FIELD_BYTES]


class SmvLayout:
    """The compact layout as the shared machinery sees it (base.Layout)."""

    tables = (RECORDS, VINS, PLATES)
    logical_tables = (VIN_LOOKUP, PLATE_LOOKUP, RECORD_REF)

    def buckets(self, records: int, max_entries: int) -> dict[str, int]:
        # Sized for live growth (sltd/layout.GROWTH), as the SLTD's are, each table for
        # its own entries: a plate takes its skeleton and its deletions (about nine).
        # Record buckets are chosen by two digest bytes, index buckets by three.
        return {RECORDS: min(buckets_for(records, max_entries), 1 << 16),
                VINS: min(buckets_for(records, max_entries), 1 << 24),
                PLATES: min(buckets_for(records * PLATE_KEYS, max_entries), 1 << 24)}

    def _record_slot(self, version: Version, keys: Keys, digest: bytes) -> tuple[str, bytes]:
        return _slot(f"{keys.prefix}:{version.id}", RECORDS, digest, version.buckets[RECORDS])

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, bytes]:
        table, value = lookup
        base = f"{keys.prefix}:{version.id}"
        if table == RECORD_REF:
            return self._record_slot(version, keys, bytes.fromhex(value))
        physical = VINS if table == VIN_LOOKUP else PLATES
        return _slot(base, physical, key_digest(value), version.buckets[physical])

    def slots(self, version: Version, keys: Keys, table: str, fields: Sequence[str]
              ) -> tuple[list[str], list[str | bytes]]:
        out = [self.slot(version, keys, (table, f)) for f in fields]
        return [k for k, _ in out], [n for _, n in out]

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        """An index value: the record digests it lists, as hex (what record refs name)."""
        if not raw:
            return []
        return [Found(raw[i:i + ID_BYTES].hex()) for i in range(0, len(raw), ID_BYTES)]

    def record(self, table: str, raw: bytes) -> dict[str, Any]:
        """A record field's bodies: the first, and any that share its digest under
        `also` (the screening verifies each)."""
        bodies = [body.unpack(item) for item in raw.split(RS) if item]
        first = bodies[0]
        return {**first, "also": bodies[1:]} if len(bodies) > 1 else first

    def index(self, record: Any) -> Indexed:
        """The logical entries (for in-memory stand-ins): the record found by its VIN and
        its plate's skeleton, its body by its digest."""
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
            puts.append(("p", key, fld, rid, value))
            new = self._index_ops(version, dk, digest, record.vin, record.plate)
            puts += [("a", k, f, "", digest) for k, f in new]
            if (before := old.get(rid)) is not None:
                stale = set(self._index_ops(version, dk, digest, before.get("vin"),
                                            before.get("plate"))) - set(new)
                removals += [("r", k, f, "", digest) for k, f in sorted(stale)]
        found = 0
        for rid in gone:
            if (before := old.get(rid)) is None:
                continue
            found += 1
            digest = id_digest(rid)
            key, fld = self._record_slot(version, dk, digest)
            removals.append(("d", key, fld, rid, ""))
            removals += [("r", k, f, "", digest) for k, f in
                         self._index_ops(version, dk, digest, before.get("vin"),
                                         before.get("plate"))]
        # Puts before removals: a record being replaced is never absent in between.
        return Changes(puts + removals, found)

    def _index_ops(self, version: Version, keys: Keys, digest: bytes, vin: str | None,
                   plate: str | None) -> list[tuple[str, bytes]]:
        base = f"{keys.prefix}:{version.id}"
        out = []
        if (v := vin_key(vin)):
            out.append(_slot(base, VINS, key_digest(v), version.buckets[VINS]))
        out += [_slot(base, PLATES, key_digest(k), version.buckets[PLATES])
                for k in plate_keys(plate)]
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
