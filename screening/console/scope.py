"""Which site an alert belongs to, so that each user sees only their sites' alerts.

Alerts carry their `checkpoint_id`; the site registry (screening/sites.py, in Redis)
says which site holds which checkpoint. A checkpoint held by exactly one declared site
is that site's; one held by none is the `default` site's (the v1 topics, which hold
every checkpoint: the worker refuses a scan on a site's own topics from a checkpoint
that is not the site's, so such an alert came through them). A checkpoint that two
declared sites claim, or any checkpoint while the registry has never been read, has no
site that can be told: only supervisors see its alerts (fail closed).

The console reads the registry with its own Redis user, which may read that one key
and nothing else of the worker's (security/redis_users.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from redis.exceptions import RedisError

from screening.security.roles import DEFAULT_SITE
from screening.settings import Settings
from screening.sites import Sites, load_registry

log = logging.getLogger("screening.console.scope")


def site_of_checkpoint(sites: Sites, checkpoint_id: str) -> str | None:
    """The site holding `checkpoint_id`, or None when two declared sites claim it."""
    holders = [s.id for s in sites if s.id != DEFAULT_SITE and s.holds(checkpoint_id)]
    if len(holders) > 1:
        return None
    return holders[0] if holders else DEFAULT_SITE


class SiteMap:
    """The registry as last read; `site_of` answers from memory (every event of every
    open stream asks), `run` re-reads it every `refresh_s`."""

    def __init__(self, settings: Settings, redis: Any, refresh_s: float) -> None:
        self.settings = settings
        self.redis = redis
        self.refresh_s = refresh_s
        self.sites: Sites | None = None
        self._cache: dict[str, str | None] = {}
        self._task: asyncio.Task[None] | None = None

    def use(self, sites: Sites | None) -> None:
        self.sites = sites
        self._cache = {}

    def site_of(self, checkpoint_id: str | None) -> str | None:
        if self.sites is None or not checkpoint_id:
            return None
        if checkpoint_id not in self._cache:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[checkpoint_id] = site_of_checkpoint(self.sites, checkpoint_id)
        return self._cache[checkpoint_id]

    def site_of_alert(self, alert: Mapping[str, Any] | None) -> str | None:
        return self.site_of(alert.get("checkpoint_id")) if alert is not None else None

    async def load(self) -> None:
        try:
            sites = await load_registry(self.redis, self.settings)
        except (RedisError, ValueError, OSError) as exc:
            # The last map read stays; never read: no alert has a site (supervisors only).
            log.warning("site registry not read", extra={"kv": {
                "error": type(exc).__name__, "known": self.sites is not None}})
            return
        if self.sites is None or sites.by_id != self.sites.by_id:
            log.info("site registry read", extra={"kv": {"sites": len(sites.by_id)}})
            self.use(sites)

    async def run(self) -> None:
        while True:
            await self.load()
            await asyncio.sleep(self.refresh_s)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="console-sites")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
