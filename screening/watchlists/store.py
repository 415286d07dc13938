"""Reading and writing the watchlist indexes in Redis, one version at a time.

Scans are answered in batches: one pipeline reads the `current` pointer together
with every field the batch needs, under the version the store last saw. If the
pointer moved, the batch is read again under the new version, so each batch (and so
each scan) is answered wholly by one version. Old versions are kept for a grace
period after a switch, which covers batches already in flight.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from screening.exceptions import NoWatchlistLoaded
from screening.redis_client import AnyRedis
from screening.watchlists.base import Found, Lookup, RecordRef
from screening.watchlists.batch import BatchOps
from screening.watchlists.keys import Keys


@dataclass(frozen=True, slots=True)
class Version:
    id: str
    buckets: dict[str, int]
    counts: dict[str, int] = field(default_factory=dict)
    created_at: float = 0.0

    def to_meta(self) -> dict[str, bytes]:
        return {
            "buckets": orjson.dumps(self.buckets),
            "counts": orjson.dumps(self.counts),
            "created_at": str(self.created_at).encode(),
        }

    @classmethod
    def from_meta(cls, vid: str, meta: dict[bytes, bytes]) -> Version:
        return cls(
            id=vid,
            buckets=orjson.loads(meta[b"buckets"]),
            counts=orjson.loads(meta.get(b"counts", b"{}")),
            created_at=float(meta.get(b"created_at", b"0")),
        )

    def key(self, keys: Keys, table: str, fld: str) -> str:
        return keys.bucket(self.id, table, fld, self.buckets[table])


class ListReader(Protocol):
    """What the screener reads the lists through: the store, or a stand-in (the
    benchmark's per-scan baseline, tests' in-memory store)."""

    async def fetch(self, fields: Sequence[Lookup]) -> tuple[Version, list[list[Found]]]: ...

    async def fetch_blobs(self, version: Version, refs: Sequence[RecordRef]
                          ) -> list[bytes | None]: ...


class WatchlistStore:
    """All Redis access for the lists; owns no connection (the caller closes the client)."""

    def __init__(self, redis: AnyRedis, prefix: str) -> None:
        self.redis = redis
        # Control keys share one hash tag so a version switch is one MULTI, even on a cluster.
        self.keys = Keys(f"{{{prefix}}}")
        self.data_keys = Keys(prefix)
        self.data_prefix = prefix
        self._version: Version | None = None
        self._versions: dict[str, Version] = {}
        self.batch = BatchOps(redis)

    # -- versions -------------------------------------------------------------

    def _meta_key(self, vid: str) -> str:
        return self.data_keys.meta(vid)

    async def load_version(self, vid: str) -> Version:
        meta: Any = await self.redis.hgetall(self._meta_key(vid))
        if not meta:
            raise NoWatchlistLoaded(f"watchlist version {vid} has no metadata")
        return Version.from_meta(vid, meta)

    async def cached_version(self, vid: str) -> Version:
        """A version's metadata, read once: it does not change once the version is
        loading (only counts are set, at the switch, and live updates do not use them)."""
        version = self._versions.get(vid)
        if version is None:
            version = await self.load_version(vid)
            if len(self._versions) > 8:
                self._versions.clear()
            self._versions[vid] = version
        return version

    async def current_version(self, *, refresh: bool = False) -> Version:
        if self._version is None or refresh:
            raw = await self.redis.get(self.keys.current)
            if raw is None:
                raise NoWatchlistLoaded("no watchlist version is loaded")
            self._version = await self.load_version(_text(raw))
        return self._version

    async def versions_for_updates(self) -> list[Version]:
        """The current version and, during a bulk load, the one being loaded."""
        current, loading = await self.redis.mget([self.keys.current, self.keys.loading])
        out = []
        for raw in (current, loading):
            if raw is not None:
                out.append(await self.load_version(_text(raw)))
        return out

    # -- reading ----------------------------------------------------------------

    async def fetch(self, fields: Sequence[Lookup]) -> tuple[Version, list[list[Found]]]:
        """The entries of look-ups, all from the one version that is current, each read
        and decoded by the layout of the list that owns its table.

        On one server the pointer is read in the same script call as the fields, so
        the check is atomic; on a cluster it is read beside them, and the grace
        period of retired versions covers the gap."""
        version = await self.current_version()
        for _ in range(3):
            keys, names = self.locate(version, fields)
            if self.batch.cluster:
                now_current, values = await asyncio.gather(self.redis.get(self.keys.current),
                                                           self.batch.read(keys, names))
            else:
                now_current, *values = await self.batch.read([self.keys.current, *keys],
                                                             ["", *names])
            if now_current is not None and _text(now_current) == version.id:
                # Most look-ups find nothing: those are not handed to a layout at all.
                owners = _owners()
                return version, [owners[lookup[0]].decode(lookup[0], raw) if raw else _NONE
                                 for lookup, raw in zip(fields, values, strict=True)]
            version = await self.current_version(refresh=True)
        raise NoWatchlistLoaded("the watchlist version kept changing during a look-up")

    def decode(self, lookup: Lookup, raw: bytes | None) -> list[Found]:
        """A look-up's stored value as entries, read by the layout that wrote it."""
        return _owners()[lookup[0]].decode(lookup[0], raw)

    def locate(self, version: Version, fields: Sequence[Lookup]
                  ) -> tuple[list[str], list[str | bytes]]:
        """Redis keys and fields of look-ups (or of stored records), as their layouts say."""
        owners = _owners()
        # Each table's positions and fields, in one pass (a batch has ~16 look-ups a scan).
        by_table: dict[str, tuple[list[int], list[str]]] = {}
        for i, (table, fld) in enumerate(fields):
            group = by_table.get(table)
            if group is None:
                group = by_table[table] = ([], [])
            group[0].append(i)
            group[1].append(fld)
        if len(by_table) == 1:  # in order already (records of one list, mostly)
            table, (_, flds) = next(iter(by_table.items()))
            return owners[table].slots(version, self.data_keys, table, flds)
        keys: list[str] = [""] * len(fields)
        names: list[str | bytes] = [""] * len(fields)
        for table, (where, flds) in by_table.items():
            ks, ns = owners[table].slots(version, self.data_keys, table, flds)
            for i, key, name in zip(where, ks, ns, strict=True):
                keys[i] = key
                names[i] = name
        return keys, names

    async def fetch_blobs(self, version: Version, refs: Sequence[RecordRef]) -> list[bytes | None]:
        """Stored record bodies (decoded by core.decide.decode_records)."""
        keys, names = self.locate(version, refs)
        return await self.batch.read(keys, names)

    # -- writing ----------------------------------------------------------------

    async def sample(self, version: Version) -> list[dict[str, Any]]:
        """Records kept aside by the load that made `version`, for simulators to aim at."""
        raw = await self.redis.get(self.sample_key(version.id))
        return orjson.loads(raw) if raw else []

    def sample_key(self, vid: str) -> str:
        return f"{self.data_prefix}:{vid}:sample"

    # -- lifecycle ------------------------------------------------------------------

    async def create_version(self, vid: str, buckets: dict[str, int]) -> Version:
        version = Version(id=vid, buckets=dict(buckets), created_at=time.time())
        meta: Any = version.to_meta()
        await self.redis.hset(self._meta_key(vid), mapping=meta)
        return version

    async def set_counts(self, version: Version, counts: dict[str, int]) -> Version:
        await self.redis.hset(self._meta_key(version.id), "counts", orjson.dumps(counts))
        return Version(version.id, version.buckets, counts, version.created_at)

    async def begin_load(self, version: Version, ttl_s: int = 6 * 3600) -> bytes:
        """Mark a version as loading (live updates go to it too); returns the journal position."""
        last: Any = await self.redis.xrevrange(self.keys.journal, count=1)
        position = last[0][0] if last else b"0-0"
        await self.redis.set(self.keys.loading, version.id, ex=ttl_s)
        return position

    async def switch(self, version: Version, grace_s: float) -> str | None:
        """Make `version` current in one transaction; the previous one is retired."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(self.keys.current)
            pipe.set(self.keys.current, version.id)
            pipe.delete(self.keys.loading)
            previous_raw, *_ = await pipe.execute()
        previous = previous_raw.decode() if previous_raw else None
        if previous and previous != version.id:
            await self.redis.zadd(self.keys.retired, {previous: time.time() + grace_s})
        self._version = version
        return previous

    async def abandon_load(self, version: Version) -> None:
        await self.redis.delete(self.keys.loading)
        await self.drop_version(version.id)

    async def drop_version(self, vid: str) -> int:
        """Remove every key of a version (scanning each node of a cluster)."""
        removed = 0
        batch: list[bytes] = []
        pattern = self.data_keys.version_pattern(vid)
        async for key in self.redis.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 500:
                removed += await self._unlink(batch)
                batch = []
        if batch:
            removed += await self._unlink(batch)
        await self.redis.delete(self._meta_key(vid))
        return removed

    async def _unlink(self, keys: list[bytes]) -> int:
        # One call; on a cluster redis-py splits it by slot.
        return int(await self.redis.unlink(*keys))

    async def collect_retired(self, *, all_retired: bool = False) -> list[str]:
        """Drop retired versions whose grace period is over (with `all_retired`, every
        retired version: `screening purge` after the event)."""
        due: Any = await self.redis.zrangebyscore(self.keys.retired, 0,
                                                  "+inf" if all_retired else time.time())
        dropped = []
        for raw in due:
            vid = _text(raw)
            current = await self.redis.get(self.keys.current)
            if current is not None and _text(current) == vid:
                await self.redis.zrem(self.keys.retired, vid)
                continue
            await self.drop_version(vid)
            await self.redis.zrem(self.keys.retired, vid)
            dropped.append(vid)
        return dropped

    # -- journal of live updates --------------------------------------------------

    async def journal_since(self, position: bytes, count: int = 1000) -> list[tuple[bytes, bytes]]:
        """Journal entries after `position`, oldest first."""
        out: list[tuple[bytes, bytes]] = []
        start = b"(" + position
        while True:
            chunk: Any = await self.redis.xrange(self.keys.journal, min=start, count=count)
            if not chunk:
                return out
            out += [(eid, fields[b"u"]) for eid, fields in chunk]
            start = b"(" + chunk[-1][0]




_NONE: list[Found] = []  # shared, never changed: the answer of a look-up that found nothing


def _owners() -> dict[str, Any]:
    """Which layout owns each table (imported on first use: the lists import the store's
    types)."""
    from screening.watchlists.lists import OWNERS

    return OWNERS


def _text(raw: Any) -> str:
    return raw.decode() if isinstance(raw, bytes) else str(raw)
