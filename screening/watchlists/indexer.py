"""Upserting and deleting whole records of any list, so that no record is half-indexed.

Each list's layout says which writes a change comes to (base.Layout.changes); they go to
Redis in one batch, with whatever the caller adds (the stamps of live updates), puts
before removals, every op idempotent: a crash between two steps is mended by applying
the same change again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from screening.watchlists.base import OnError
from screening.watchlists.batch import WriteOp
from screening.watchlists.lists import LISTS
from screening.watchlists.store import Version, WatchlistStore


async def change_ops(store: WatchlistStore, version: Version, upserts: Sequence[Any],
                     deletes: Sequence[tuple[str, str]], *, known_new: bool = False,
                     on_error: OnError = None) -> tuple[list[WriteOp], int]:
    """The writes that upsert `upserts` and delete `deletes` ((list, id) pairs), and how
    many of the deleted records were indexed."""
    ops: list[WriteOp] = []
    found = 0
    for name, lst in LISTS.items():
        ups = [r for r in upserts if r.list == name]
        dels = [rid for lst_name, rid in deletes if lst_name == name]
        if not ups and not dels:
            continue
        changes = await lst.layout.changes(store, version, ups, dels, known_new=known_new,
                                           on_error=on_error)
        ops += changes.ops
        found += changes.found
    return ops, found


async def upsert_records(store: WatchlistStore, version: Version, records: Sequence[Any],
                         *, known_new: bool = False, on_error: OnError = None) -> int:
    """Index records; `known_new` skips reading old entries (a fresh bulk load). A record
    its list's code cannot index is reported to `on_error` and skipped whole."""
    ops, _ = await change_ops(store, version, records, (), known_new=known_new,
                              on_error=on_error)
    await store.batch.write(ops)
    return len(records)


async def delete_records(store: WatchlistStore, version: Version,
                         refs: Sequence[tuple[str, str]]) -> int:
    """Remove records by (list, id); returns how many were present."""
    ops, found = await change_ops(store, version, (), refs)
    await store.batch.write(ops)
    return found
