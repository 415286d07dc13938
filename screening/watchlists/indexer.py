"""Upserting and deleting whole records, so that no record is ever half-indexed.

Each record keeps a reverse entry ("rev") listing the fields it occupies; an upsert
writes the new entries first, then removes the ones the new record no longer has,
and a delete removes all of them. Re-applying either is harmless, so a crash
between two steps is mended by applying the same update again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import orjson

from screening.watchlists.base import Blob, Entry, Indexed
from screening.watchlists.registry import LISTS
from screening.watchlists.sltd import compact as sltd_compact
from screening.watchlists.store import Version, WatchlistStore


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


def index_record(record: Any) -> Indexed:
    return LISTS[record.list].index(record)


async def upsert_records(store: WatchlistStore, version: Version, records: Sequence[Any],
                         *, known_new: bool = False,
                         on_error: Callable[[Any, Exception], None] | None = None) -> int:
    """Index records; `known_new` skips reading old entries (a fresh bulk load).

    A record the index code cannot handle is reported to `on_error` and skipped
    whole (never half-indexed); without `on_error` the error propagates. SLTD records
    go to their compact layout (sltd/compact.py)."""
    indexed_all: list[tuple[Any, Indexed]] = []
    compact: list[Any] = []
    for record in records:
        if record.list == "sltd" and version.compact_sltd:
            compact.append(record)
            continue
        try:
            indexed_all.append((record, index_record(record)))
        except Exception as exc:
            if on_error is None:
                raise
            on_error(record, exc)
    if compact:
        await sltd_compact.upsert(store, version, compact, known_new=known_new)
    if not indexed_all:
        return len(compact)
    records = [r for r, _ in indexed_all]
    refs = [ref_of(r.list, r.id) for r in records]
    olds = [None] * len(records) if known_new else await store.read_rev(version, refs)
    put: list[Entry] = []
    delete: list[Entry] = []
    blobs: list[Blob] = []
    drop_blobs: list[tuple[str, str]] = []
    rev: dict[str, bytes | None] = {}
    for (record, indexed), ref, old_raw in zip(indexed_all, refs, olds, strict=True):
        put.extend(indexed.entries)
        blobs.extend(indexed.blobs)
        old_entries, old_blob_tables = _old_entries(old_raw, record.id)
        new_keys = {(e.table, e.field) for e in indexed.entries}
        delete += [e for e in old_entries if (e.table, e.field) not in new_keys]
        new_blob_tables = {b.table for b in indexed.blobs}
        drop_blobs += [(t, record.id) for t in old_blob_tables if t not in new_blob_tables]
        rev[ref] = _rev_value(indexed)
    await store.write(version, put=put, delete=delete, blobs=blobs, drop_blobs=drop_blobs,
                      rev=rev)
    return len(records) + len(compact)


async def delete_records(store: WatchlistStore, version: Version,
                         refs: Sequence[tuple[str, str]]) -> int:
    """Remove records by (list, id); returns how many were present."""
    found = 0
    if version.compact_sltd:
        found = await sltd_compact.delete(store, version, [rid for lst, rid in refs
                                                           if lst == "sltd"])
        refs = [r for r in refs if r[0] != "sltd"]
    if not refs:
        return found
    keys = [ref_of(lst, rid) for lst, rid in refs]
    olds = await store.read_rev(version, keys)
    delete: list[Entry] = []
    drop_blobs: list[tuple[str, str]] = []
    for (_, rid), old_raw in zip(refs, olds, strict=True):
        entries, blob_tables = _old_entries(old_raw, rid)
        found += old_raw is not None
        delete += entries
        drop_blobs += [(t, rid) for t in blob_tables]
    await store.write(version, delete=delete, drop_blobs=drop_blobs, rev=dict.fromkeys(keys))
    return found
