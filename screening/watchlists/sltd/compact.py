"""Upserting and deleting SLTD records in the compact layout (layout.py).

The id table says under which document digests an id is indexed; a digest is only
trusted once the document table shows an entry with that very id there (id digests
may collide). Puts come before removals, so a record being replaced never disappears
in between, and every op is idempotent, so re-applying an update mends a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from screening.watchlists.base import Changes, Found, Lookup, OnError
from screening.watchlists.generic import Entry, Indexed
from screening.watchlists.sltd import layout
from screening.watchlists.sltd.record import SltdRecord

if TYPE_CHECKING:
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version, WatchlistStore

# The logical table scans look up: ("sltd", "NUMBER|STATE").
TABLE = "sltd"


def doc_slot(version: Version, keys: Keys, digest: bytes) -> tuple[str, bytes]:
    """(key, field) of a document digest in the document table."""
    b, fld = layout.doc_slot(digest, version.buckets[layout.DOC_TABLE])
    return f"{keys.prefix}:{version.id}:{layout.DOC_TABLE}:{b}", fld


def id_slot(version: Version, keys: Keys, record_id: str) -> tuple[str, bytes]:
    """(key, field) of a record id in the id table."""
    b, fld = layout.id_slot(layout.id_digest(record_id), version.buckets[layout.ID_TABLE])
    return f"{keys.prefix}:{version.id}:{layout.ID_TABLE}:{b}", fld


class SltdLayout:
    """The compact layout as the shared machinery sees it (base.Layout)."""

    tables = (layout.DOC_TABLE, layout.ID_TABLE)
    logical_tables = (TABLE,)

    def buckets(self, records: int, max_entries: int, max_value: int = 64) -> dict[str, int]:
        n = layout.buckets_for(records, max_entries)
        return {layout.DOC_TABLE: n, layout.ID_TABLE: n}

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, bytes]:
        return doc_slot(version, keys, layout.doc_digest(lookup[1]))

    def slots(self, version: Version, keys: Keys, table: str, fields: Sequence[str]
              ) -> tuple[list[str], list[str | bytes]]:
        out = [self.slot(version, keys, (table, f)) for f in fields]
        return [k for k, _ in out], [n for _, n in out]

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        return [Found(rid, payload) for rid, payload in layout.entries_of(raw)]

    def index(self, record: SltdRecord) -> Indexed:
        """The logical entry a look-up answers (stored as digests, see layout.py)."""
        value = layout.entry_value(record.id, record.status, record.document_type,
                                   layout.extras_of(record.action, record.owner,
                                                    record.valid_until))
        payload = layout.entries_of(value)[0][1]
        fld = layout.document_field(record.document_number, record.issuing_state)
        return Indexed(entries=(Entry(TABLE, fld, record.id, payload),))

    def record(self, table: str, raw: bytes) -> dict[str, Any]:
        raise KeyError(f"SLTD keeps no record bodies (asked for table {table!r})")

    async def changes(self, store: WatchlistStore, version: Version,
                      upserts: Sequence[SltdRecord], deletes: Sequence[str], *,
                      known_new: bool = False, on_error: OnError = None) -> Changes:
        ops, found = await changes(store, version, upserts, deletes, known_new=known_new)
        return Changes(ops, found)


def put_ops(store: WatchlistStore, version: Version, record: SltdRecord) -> list[WriteOp]:
    """The two writes that index one record."""
    digest = layout.doc_digest(layout.document_field(record.document_number,
                                                     record.issuing_state))
    dkey, dfield = doc_slot(version, store.data_keys, digest)
    ikey, ifield = id_slot(version, store.data_keys, record.id)
    value = layout.entry_value(record.id, record.status, record.document_type,
                               layout.extras_of(record.action, record.owner, record.valid_until))
    return [("q", dkey, dfield, record.id, value), ("a", ikey, ifield, "", digest)]


IdSlot = tuple[str, bytes]  # (key, field) of an id in the id table


async def _indexed(store: WatchlistStore, version: Version,
                   slots: Sequence[IdSlot]) -> dict[IdSlot, dict[str, list[bytes]]]:
    """Per id table field: the ids really indexed under the document digests it lists,
    with those digests in the field's order. Two reads, whatever the count."""
    slots = list(dict.fromkeys(slots))
    raw = await store.batch.read([k for k, _ in slots], [f for _, f in slots])
    candidates = [(slot, d) for slot, value in zip(slots, raw, strict=True)
                  for d in layout.digests_of(value)]
    found: dict[IdSlot, dict[str, list[bytes]]] = {slot: {} for slot in slots}
    if not candidates:
        return found
    doc_slots = [doc_slot(version, store.data_keys, d) for _, d in candidates]
    values = await store.batch.read([k for k, _ in doc_slots], [f for _, f in doc_slots])
    for (slot, digest), value in zip(candidates, values, strict=True):
        for eid, _ in layout.entries_of(value):
            if id_slot(version, store.data_keys, eid) == slot:
                found[slot].setdefault(eid, []).append(digest)
    return found


async def _located(store: WatchlistStore, version: Version,
                   ids: Sequence[str]) -> dict[str, list[bytes]]:
    """The document digests each id is really indexed under now."""
    slot_of = {rid: id_slot(version, store.data_keys, rid) for rid in ids}
    indexed = await _indexed(store, version, list(slot_of.values()))
    return {rid: digests for rid, slot in slot_of.items()
            if (digests := indexed[slot].get(rid))}


def _remove_ops(store: WatchlistStore, version: Version, rid: str,
                digests: Sequence[bytes]) -> list[WriteOp]:
    ikey, ifield = id_slot(version, store.data_keys, rid)
    ops: list[WriteOp] = []
    for d in digests:
        dkey, dfield = doc_slot(version, store.data_keys, d)
        ops += [("e", dkey, dfield, rid, b""), ("r", ikey, ifield, "", d)]
    return ops


async def changes(store: WatchlistStore, version: Version, upserts: Sequence[SltdRecord],
                  deletes: Sequence[str], *, known_new: bool = False) -> tuple[list[WriteOp], int]:
    """The writes that upsert and delete records (an id in both: the upsert wins), and
    how many of the deleted ids were indexed. Two reads at most, whatever the count."""
    latest = {r.id: r for r in upserts}
    gone = [rid for rid in dict.fromkeys(deletes) if rid not in latest]
    old = {} if known_new and not gone else await _located(store, version, [*latest, *gone])
    puts: list[WriteOp] = []
    removals: list[WriteOp] = []
    for rid, record in latest.items():
        ops = put_ops(store, version, record)
        puts += ops
        new_digest = ops[1][4]
        removals += _remove_ops(store, version, rid,
                                [d for d in old.get(rid, ()) if d != new_digest])
    for rid in gone:
        removals += _remove_ops(store, version, rid, old.get(rid, ()))
    return puts + removals, sum(1 for rid in gone if rid in old)


async def settle_repeats(store: WatchlistStore, version: Version,
                         repeats: Sequence[tuple[bytes, bytes]]) -> int:
    """After a bulk load: an id listed more than once keeps its last record only.

    ``repeats`` are the id table fields the load met again (BatchOps.write_bulk), whose
    document digests stand in the file's order (the last one the later record's). Each
    document entry of such an id but the last is removed. Distinct ids whose digests
    share a field (a collision) are left as they are. Returns how many records the
    load counted that were repeats."""
    if not repeats:
        return 0
    times: dict[IdSlot, int] = {}
    for key, fld in repeats:
        slot = (key.decode(), fld)
        times[slot] = times.get(slot, 0) + 1
    where = await _indexed(store, version, list(times))
    ops: list[WriteOp] = []
    extra = 0
    for slot, ids in where.items():
        for rid, digests in ids.items():
            ops += _remove_ops(store, version, rid, digests[:-1])
        extra += max(0, times[slot] + 1 - len(ids))
    await store.batch.write(ops)
    return extra
