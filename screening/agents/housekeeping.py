"""Timers: watchlist gauges, removal of retired versions, consumer lag."""

from __future__ import annotations

import logging

import faust
from redis.exceptions import RedisError

from screening.context import Context
from screening.exceptions import WatchlistUnavailable

log = logging.getLogger("screening.housekeeping")


def register_housekeeping(app: faust.App, ctx: Context) -> None:
    @app.timer(interval=5.0)
    async def watchlist_gauges() -> None:
        try:
            store = await ctx.store()
            version = await store.current_version(refresh=True)
        except (RedisError, OSError, WatchlistUnavailable):
            return
        m = ctx.metrics
        m.watchlist_version.clear()
        m.watchlist_version.labels(version.id).set(1)
        for name, count in version.counts.items():
            m.watchlist_records.labels(name).set(count)

    @app.timer(interval=15.0)
    async def collect_retired() -> None:
        try:
            store = await ctx.store()
            dropped = await store.collect_retired()
        except (RedisError, OSError):
            return
        for vid in dropped:
            log.info("retired watchlist version removed", extra={"kv": {"version": vid}})

    @app.timer(interval=5.0)
    async def consumer_lag() -> None:
        consumer = app.consumer
        m = ctx.metrics
        try:
            assignment = consumer.assignment()
        except Exception:  # not started or rebalancing
            return
        for tp in assignment:
            highwater = consumer.highwater(tp)
            position = consumer._last_offset.get(tp) if hasattr(consumer, "_last_offset") else None
            if highwater is None:
                continue
            done = (position + 1) if position is not None else 0
            m.consumer_lag.labels(tp.topic, str(tp.partition)).set(max(0, highwater - done))
