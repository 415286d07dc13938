"""Upserting and deleting SLTD records in the compact layout (layout.py).

The id table says under which document digests an id is indexed; a digest is only
trusted once the document table shows an entry with that very id there (id digests
may collide). Puts come before removals, so a record being replaced never disappears
in between, and every op is idempotent, so re-applying an update mends a crash.
"""

from __future__ import annotations

from collections.abc import Sequence

from screening.models import SltdRecord
from screening.watchlists.batch import WriteOp
from screening.watchlists.sltd import layout
from screening.watchlists.store import Version, WatchlistStore


def put_ops(store: WatchlistStore, version: Version, record: SltdRecord) -> list[WriteOp]:
    """The two writes that index one record."""
    digest = layout.doc_digest(layout.document_field(record.document_number,
                                                     record.issuing_state))
    dkey, dfield = version.sltd_doc(store.data_keys, digest)
    ikey, ifield = version.sltd_id(store.data_keys, record.id)
    value = layout.entry_value(record.id, record.status, record.document_type)
    return [("q", dkey, dfield, record.id, value), ("a", ikey, ifield, "", digest)]


async def _located(store: WatchlistStore, version: Version,
                   ids: Sequence[str]) -> dict[str, list[bytes]]:
    """The document digests each id is really indexed under now."""
    id_slots = [version.sltd_id(store.data_keys, rid) for rid in ids]
    raw = await store.batch.read([k for k, _ in id_slots], [f for _, f in id_slots])
    candidates = [(rid, d) for rid, value in zip(ids, raw, strict=True)
                  for d in layout.digests_of(value)]
    if not candidates:
        return {}
    doc_slots = [version.sltd_doc(store.data_keys, d) for _, d in candidates]
    values = await store.batch.read([k for k, _ in doc_slots], [f for _, f in doc_slots])
    found: dict[str, list[bytes]] = {}
    for (rid, digest), value in zip(candidates, values, strict=True):
        if any(eid == rid for eid, _ in layout.entries_of(value)):
            found.setdefault(rid, []).append(digest)
    return found


def _remove_ops(store: WatchlistStore, version: Version, rid: str,
                digests: Sequence[bytes]) -> list[WriteOp]:
    ikey, ifield = version.sltd_id(store.data_keys, rid)
    ops: list[WriteOp] = []
    for d in digests:
        dkey, dfield = version.sltd_doc(store.data_keys, d)
        ops += [("e", dkey, dfield, rid, b""), ("r", ikey, ifield, "", d)]
    return ops


async def upsert(store: WatchlistStore, version: Version, records: Sequence[SltdRecord],
                 *, known_new: bool = False) -> None:
    latest = {r.id: r for r in records}
    old = {} if known_new else await _located(store, version, list(latest))
    puts: list[WriteOp] = []
    removals: list[WriteOp] = []
    for rid, record in latest.items():
        ops = put_ops(store, version, record)
        puts += ops
        new_digest = ops[1][4]
        removals += _remove_ops(store, version, rid,
                                [d for d in old.get(rid, ()) if d != new_digest])
    await store.batch.write(puts + removals)


async def delete(store: WatchlistStore, version: Version, ids: Sequence[str]) -> int:
    """Remove records by id; returns how many were indexed."""
    if not ids:
        return 0
    found = await _located(store, version, list(dict.fromkeys(ids)))
    ops: list[WriteOp] = []
    for rid, digests in found.items():
        ops += _remove_ops(store, version, rid, digests)
    await store.batch.write(ops)
    return len(found)
