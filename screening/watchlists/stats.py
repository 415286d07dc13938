"""Per-list figures for `screening watchlists stats`: records, memory, freshness.

Memory is measured with Redis's own MEMORY USAGE on a sample of each table's
buckets, scaled to the bucket count (buckets are uniform by construction).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from redis.exceptions import ResponseError

from screening.exceptions import NoWatchlistLoaded
from screening.watchlists.generic import REV_TABLE
from screening.watchlists.lists import LISTS
from screening.watchlists.store import WatchlistStore

SAMPLE_BUCKETS = 64


async def table_bytes(store: WatchlistStore, version_id: str, table: str, buckets: int) -> float:
    """Estimated bytes of one table: a sample of buckets, scaled."""
    rng = random.Random(0)
    chosen = rng.sample(range(buckets), min(buckets, SAMPLE_BUCKETS))
    pipe = store.redis.pipeline(transaction=False)
    for b in chosen:
        pipe.memory_usage(f"{store.data_prefix}:{version_id}:{table}:{b}", samples=0)
    try:
        sizes = [s or 0 for s in await pipe.execute()]
    except ResponseError:
        return 0.0
    return sum(sizes) * buckets / len(chosen) if chosen else 0.0


async def collect_stats(store: WatchlistStore) -> dict[str, Any]:
    try:
        version = await store.current_version(refresh=True)
    except NoWatchlistLoaded:
        return {"version": None, "lists": {}}
    last = await store.redis.hgetall(store.keys.last_update)
    # The shared reverse index serves the lists whose layouts use it, pro rata.
    generic = [n for n, lst in LISTS.items() if lst.layout.uses_rev]
    generic_records = sum(version.counts.get(n, 0) for n in generic) or 1
    rev_bytes = await table_bytes(store, version.id, REV_TABLE, version.buckets[REV_TABLE])
    lists: dict[str, Any] = {}
    for name, lst in LISTS.items():
        records = version.counts.get(name, 0)
        size = 0.0
        for table in lst.layout.tables:
            if table in version.buckets:  # a version loaded before the list was added
                size += await table_bytes(store, version.id, table, version.buckets[table])
        if name in generic:
            size += rev_bytes * records / generic_records
        raw: Any = last.get(name.encode())
        lists[name] = {
            "records": records,
            "bytes": round(size),
            "bytes_per_record": round(size / records, 1) if records else None,
            "last_update": raw.decode() if raw else None,
        }
    loaded_at = datetime.fromtimestamp(version.created_at, UTC).isoformat()
    return {"version": version.id, "loaded_at": loaded_at, "lists": lists,
            "method": "MEMORY USAGE of up to 64 buckets per table, scaled to the bucket count"}
