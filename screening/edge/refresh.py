"""Refresh by version: the edge looks at the lists' `current` version in Redis every
`edge_refresh_s` (as the read-only `edge` user) and, when it moved on (a bulk load),
copies it (copy.py) and swaps its reader without stopping answers; the live updates
since the copy began are applied on top (feed.py `rebase`), and the copy is saved to
disk, signed, for a start without Redis (saved.py). Redis out of reach (the site's link
down) is no error: the edge goes on with what it has and looks again."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from redis.exceptions import RedisError

from screening.edge.copy import RedisCopy
from screening.edge.feed import SnapshotFeed
from screening.edge.saved import ensure_key, save, saved_path
from screening.edge.service import Edge
from screening.exceptions import NoWatchlistLoaded
from screening.logs import kv
from screening.metrics import EdgeMetrics
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.store import WatchlistStore

log = logging.getLogger("screening.edge.refresh")
# A failure to reach Redis is logged at most this often (seconds).
QUIET_S = 300.0


class Refresher:
    def __init__(self, settings: Settings, edge: Edge, feed: SnapshotFeed | None,
                 metrics: EdgeMetrics | None = None, copied: str | None = None) -> None:
        self.settings = settings
        self.edge = edge
        self.feed = feed
        self.metrics = metrics
        # The version copied last (one restored from disk at start: not copied again).
        self.copied = copied
        self._said_at = -QUIET_S

    async def run(self, stop: asyncio.Event) -> None:
        redis = make_redis(self.settings)
        store = WatchlistStore(redis, self.settings.redis_prefix)
        try:
            while not stop.is_set():
                await self.once(store)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.settings.edge_refresh_s)
        finally:
            await redis.aclose()

    async def once(self, store: WatchlistStore) -> bool:
        """Copies and swaps in the current version if it is not the one copied last;
        True when it did."""
        try:
            raw = await store.redis.get(store.keys.current)
            vid = None if raw is None else (raw.decode() if isinstance(raw, bytes) else raw)
            if vid is None or vid == self.copied:
                return False
            version = await store.load_version(vid)
            mark = self.feed.position() if self.feed is not None else None
            began = time.monotonic()
            copy = await RedisCopy.build(store, version)
        except (RedisError, OSError, NoWatchlistLoaded) as exc:
            if time.monotonic() - self._said_at >= QUIET_S:
                self._said_at = time.monotonic()
                log.warning("lists not copied from Redis (the edge goes on with what it has)",
                            extra=kv(error=type(exc).__name__, reason=str(exc)[:200]))
            self._count("failed")
            return False
        if self.feed is not None:
            await self.feed.rebase(copy, mark)
        self.edge.swap(copy)
        self.copied = vid
        self._count("copied")
        log.warning("snapshot swapped for the lists' current version", extra=kv(
            version=vid, entries=copy.records, s=round(time.monotonic() - began, 1)))
        await self.save(copy)
        return True

    async def save(self, copy: RedisCopy) -> None:
        """Keeps the copy on disk, signed (saved.py), for a start without Redis; a failure
        costs only that (logged), the edge answers from the copy in memory."""
        try:
            size = await asyncio.to_thread(save, copy, saved_path(self.settings),
                                           ensure_key(self.settings), self.settings.edge_site)
        except (OSError, ValueError) as exc:
            log.error("copy of the lists not saved", extra=kv(error=type(exc).__name__,
                                                              reason=str(exc)[:200]))
            self._count("save_failed")
            return
        self._count("saved")
        log.info("copy of the lists saved", extra=kv(version=copy.base, bytes=size))

    def _count(self, result: str) -> None:
        if self.metrics is not None:
            self.metrics.updates.labels(f"refresh_{result}").inc()
