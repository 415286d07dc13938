"""Timers: watchlist gauges, removal of retired versions, consumer lag."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

import faust
from faust.types import TP
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
        if version.created_at:
            m.watchlist_loaded.set(version.created_at)
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

    def log_assignment(sender: Any, *args: Any, signal: Any, **kwargs: Any) -> None:
        """What this worker serves after a rebalance (the signal's one argument is the
        assignment): an operator scaling out sees each worker take its share (and a
        worker left with none)."""
        log.info("partitions assigned", extra={"kv": partitions_by_topic(args[0])})

    # (mode types receivers as a union of callables that mypy matches no function to)
    app.on_partitions_assigned.connect(cast(Any, log_assignment))

    owned: set[tuple[str, str]] = set()

    @app.timer(interval=5.0)
    async def consumer_lag() -> None:
        """Messages behind the end of each assigned partition, as Kafka's tools count it:
        the log end offset (asked of the broker, not the fetcher's cached highwater, which
        is unknown for a partition not fetched yet) less the offset committed after
        processing. Until this worker's first commit on a partition since the last
        rebalance, its fetch position stands in for the committed offset."""
        consumer = app.consumer
        try:
            assigned = sorted(consumer.assignment())
            ends = await consumer.highwaters(*assigned) if assigned else {}
            committed = app.monitor.tp_committed_offsets
            lags: dict[tuple[str, str], int] = {}
            for tp in assigned:
                end = ends.get(tp)
                done = committed.get(tp)
                if done is None:
                    done = await consumer.position(tp)
                if end is not None and done is not None:
                    lags[(tp.topic, str(tp.partition))] = max(0, end - done)
        except Exception as exc:  # not started, rebalancing, broker away: try next tick
            log.debug("consumer lag not measured", extra={"kv": {"error": repr(exc)}})
            return
        gauge = ctx.metrics.consumer_lag
        # Partitions now served by another worker leave the gauge (only the ones this
        # timer set: the watchlist-updates thread exports its own partitions).
        for labels in owned - lags.keys():
            gauge.remove(*labels)
        for (topic, partition), lag in lags.items():
            gauge.labels(topic, partition).set(lag)
        owned.clear()
        owned.update(lags)


def partitions_by_topic(tps: Iterable[TP]) -> dict[str, str]:
    """{topic: "0,2,5"} for a log line; "-" for a worker assigned nothing."""
    by_topic: dict[str, list[int]] = {}
    for tp in tps:
        by_topic.setdefault(tp.topic, []).append(tp.partition)
    if not by_topic:
        return {"assigned": "-"}
    return {topic: ",".join(map(str, sorted(ps))) for topic, ps in sorted(by_topic.items())}
