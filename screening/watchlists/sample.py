"""A random sample of the loaded records, for the simulator and the benchmark to aim at."""

from __future__ import annotations

import random
from typing import Any

import orjson

from screening.mockdata.scans import ListSample
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.notices.layout import NOTICE_TABLES
from screening.watchlists.smv import body as smv_body
from screening.watchlists.smv.compact import RECORDS as SMV_RECORDS
from screening.watchlists.store import Version, WatchlistStore


async def _random_fields(store: WatchlistStore, version: Version, table: str, n: int,
                         rng: random.Random) -> list[tuple[bytes, bytes]]:
    buckets = version.buckets[table]
    out: list[tuple[bytes, bytes]] = []
    for _ in range(min(4 * n, 4 * buckets + n)):
        if len(out) >= n:
            break
        key = f"{store.data_prefix}:{version.id}:{table}:{rng.randrange(buckets)}"
        got: Any = await store.redis.hrandfield(key, 4, withvalues=True)
        out += list(zip(got[::2], got[1::2], strict=True))
    return out[:n]


async def sample_records(store: WatchlistStore, per_list: int, seed: int) -> ListSample:
    rng = random.Random(seed)
    version = await store.current_version(refresh=True)
    notices: list[dict[str, Any]] = []
    for _, raw in await _random_fields(store, version, NOTICE_TABLES.profiles, per_list, rng):
        notices.append({"list": "notice", **orjson.loads(raw)["summary"]})
    smv = [{"list": "smv", **smv_body.unpack(item)}
           for _, raw in await _random_fields(store, version, SMV_RECORDS, per_list, rng)
           for item in raw.split(b"\x1e") if item]
    # SLTD keeps digests, which cannot be read back into numbers: the load kept a sample.
    kept = await store.sample(version)
    sltd = rng.sample(kept, min(per_list, len(kept)))
    return ListSample.of([*sltd, *notices, *smv])


async def sample_from_redis(settings: Settings, per_list: int, seed: int) -> ListSample:
    redis = make_redis(settings)
    try:
        return await sample_records(WatchlistStore(redis, settings.redis_prefix), per_list, seed)
    finally:
        await redis.aclose()
