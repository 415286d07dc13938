"""What a running worker holds: settings, metrics, the Redis client and the screener.

Opened on first use inside the event loop and closed when the app stops, so nothing
connects at import time and tests can build as many as they like.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from screening.clearance import Clearances
from screening.core.engine import Screener
from screening.correlation.correlator import Correlator
from screening.escalation import Escalations
from screening.forwarded import ForwardedScans
from screening.gcpolicy import HeapFreezer
from screening.metrics import Metrics
from screening.modes.control import ModeState
from screening.redis_client import AnyRedis, make_redis
from screening.settings import Settings
from screening.sites import Sites
from screening.watchlists.store import ListReader, WatchlistStore

# What the screener reads the lists through, made from the store once it is open.
Reader = Callable[[WatchlistStore], ListReader]


@dataclass
class Context:
    settings: Settings
    metrics: Metrics
    heap: HeapFreezer = field(default_factory=HeapFreezer)
    # The declared sites: scans are checked against their topic's site (SITE_MISMATCH).
    sites: Sites = field(default_factory=Sites)
    # None: the screener reads the store itself. The benchmark's baseline worker passes
    # a wrapper of its own (screening_bench/baseline.py): no benchmark code in the product.
    reader: Reader | None = None
    # (site, checkpoint, terminal) followed by the terminals' last-scan gauge and the
    # hits per checkpoint (agents/scans.py).
    terminals: set[tuple[str, str, str]] = field(default_factory=set)
    # The mode in force (agents/control.py keeps it current).
    mode: ModeState = field(default_factory=ModeState)
    _redis: AnyRedis | None = None
    _store: WatchlistStore | None = None
    _screener: Screener | None = None
    _correlator: Correlator | None = None
    _escalations: Escalations | None = None
    _forwarded: ForwardedScans | None = None
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def open(self) -> None:
        async with self._lock:
            if self._redis is None:
                self._redis = make_redis(self.settings)
                self._store = WatchlistStore(self._redis, self.settings.redis_prefix)
                reads = self._store if self.reader is None else self.reader(self._store)
                self._screener = Screener(reads, self.settings, metrics=self.metrics)
                self._screener.sites = self.sites
                self._screener.clearances = Clearances(self._redis,
                                                       self.settings.redis_prefix)
                self._escalations = Escalations(self._redis, self.settings.redis_prefix,
                                                self.settings.escalation_after_s)
                self._correlator = self._make_correlator(self._redis)
                self._forwarded = ForwardedScans(self._redis, self.settings.redis_prefix,
                                                 self.settings.forwarded_memory_h * 3600)

    async def close(self) -> None:
        async with self._lock:
            if self._redis is not None:
                await self._redis.aclose()
            self._redis = self._store = self._screener = self._correlator = None
            self._escalations = self._forwarded = None

    async def screener(self) -> Screener:
        if self._screener is None:
            await self.open()
        assert self._screener is not None
        return self._screener

    def _make_correlator(self, redis: AnyRedis) -> Correlator | None:
        """None when correlation is off, or without the audit key its digests need."""
        from screening.audit.digests import Digester, audit_key

        key = audit_key(self.settings) if self.settings.correlation else None
        if key is None:
            return None
        return Correlator(redis, self.settings, Digester(key), lambda: self.sites,
                          metrics=self.metrics)

    async def correlator(self) -> Correlator | None:
        if self._redis is None:
            await self.open()
        return self._correlator

    async def refresh_sites(self) -> Sites:
        """Reads the site registry from Redis; the screener checks against it from now."""
        from screening.sites import load_registry

        if self._redis is None:
            await self.open()
        self.sites = await load_registry(self._redis, self.settings)
        if self._screener is not None:
            self._screener.sites = self.sites
        return self.sites

    async def escalations(self) -> Escalations:
        if self._escalations is None:
            await self.open()
        assert self._escalations is not None
        return self._escalations

    async def forwarded(self) -> ForwardedScans:
        if self._forwarded is None:
            await self.open()
        assert self._forwarded is not None
        return self._forwarded

    async def store(self) -> WatchlistStore:
        if self._store is None:
            await self.open()
        assert self._store is not None
        return self._store
