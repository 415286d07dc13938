"""The scan agent: read a batch of travellers and vehicles, screen it, write the answers.

Thin on purpose: decoding, look-ups and decisions live in screening.core, which the
offline `screening screen` command runs too.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import faust
from faust.types import EventT
from redis.exceptions import RedisError

from screening.agents.publish import Outputs
from screening.context import Context
from screening.core.codec import OFFLINE_HEADER, OFFLINE_HITS_HEADER
from screening.core.engine import RawScan, Screened
from screening.correlation.cases import with_cases
from screening.logs import kv
from screening.metrics import MAX_TERMINALS
from screening.models import ScanKind
from screening.modes.profiles import apply_profile, dormant
from screening.runtime.streams import batches
from screening.runtime.topics import add_topic_names
from screening.security.roles import DEFAULT_SITE, site_topics
from screening.sites import Sites

log = logging.getLogger("screening.agents")


def offline_hits(headers: Any) -> frozenset[str] | None:
    """The hits an edge's snapshot found for a scan it answered offline and forwarded
    (edge/central.py's headers); None for a scan that no edge answered first."""
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    found = dict(pairs)
    if OFFLINE_HEADER not in found:
        return None
    raw = found.get(OFFLINE_HITS_HEADER) or b""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return frozenset(h for h in text.split(",") if h)


# How often a worker reads the site registry, in seconds: a site added while it runs is
# answered within this plus a rebalance (the contract allows 30 s).
SITES_EVERY_S = 5.0


def _raw(kind: ScanKind, site: str | None, event: EventT, read_at: float) -> RawScan:
    msg = event.message
    value = event.value if isinstance(event.value, bytes | type(None)) else bytes(event.value)
    return RawScan(kind=kind, value=value, topic=msg.topic, partition=msg.partition,
                   offset=msg.offset, read_at=read_at, site=site,
                   offline_hits=offline_hits(msg.headers) if msg.headers else None)


def _observe(ctx: Context, items: Sequence[Screened], read_at: float) -> None:
    """Counts per batch, then one call per label set (a labels() lookup is not free)."""
    m = ctx.metrics
    now_wall = datetime.now(UTC)
    kinds: Counter[ScanKind] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    warnings: Counter[str] = Counter()
    hits: Counter[tuple[str, str]] = Counter()
    seen: set[tuple[str, str, str]] = set()
    at_checkpoints: Counter[tuple[str, str, str]] = Counter()
    decision = {k: m.decision_latency.labels(k) for k in ("traveller", "vehicle")}
    for item in items:
        kind = item.raw.kind
        kinds[kind] += 1
        r = item.result
        if r is None:
            outcomes[(kind, "unreadable")] += 1
            continue
        if r.exercise:  # a drill: counted apart, kept out of the real statistics
            m.exercise_scans.labels(kind, r.outcome).inc()
            continue
        outcomes[(kind, r.outcome)] += 1
        where = (item.raw.site or DEFAULT_SITE, r.checkpoint_id, r.terminal_id)
        seen.add(where)
        if r.outcome == "hit":
            at_checkpoints[where] += 1
        if r.warnings:  # (most scans have neither: Counter.update is not free)
            warnings.update(r.warnings)
        if r.hits:
            hits.update((h.list, h.category) for h in r.hits)
        if item.scanned_at is not None and item.deadletter is None:
            decision[kind].observe(max(0.0, (now_wall - item.scanned_at).total_seconds()))
    for (label, outcome), n in outcomes.items():
        m.scans.labels(label, outcome).inc(n)
    for code, n in warnings.items():
        m.warnings.labels(code).inc(n)
    for (lst, category), n in hits.items():
        m.hits.labels(lst, category).inc(n)
    _terminals_seen(ctx, seen, at_checkpoints)
    # Every scan of the batch was read at the same moment and answered now.
    elapsed = time.monotonic() - read_at
    for kind, n in kinds.items():
        m.batch_size.labels(kind).observe(n)
        processing = m.processing_latency.labels(kind)
        for _ in range(n):
            processing.observe(elapsed)


def _terminals_seen(ctx: Context, seen: set[tuple[str, str, str]],
                    hits: Counter[tuple[str, str, str]]) -> None:
    """Each terminal's last answered scan (the rule on terminals gone silent) and the
    hits at its checkpoint (the wall); new terminals beyond MAX_TERMINALS are not
    followed (ids come from scans: the series must stay bounded)."""
    now = time.time()
    followed = ctx.terminals
    for key in seen:
        if key not in followed:
            if len(followed) >= MAX_TERMINALS or not all(key):
                continue
            followed.add(key)
        ctx.metrics.terminal_last_scan.labels(*key).set(now)
    for (site, checkpoint, terminal), n in hits.items():
        if (site, checkpoint, terminal) in followed:
            ctx.metrics.checkpoint_hits.labels(site, checkpoint).inc(n)


async def _without_copies(ctx: Context, batch: list[RawScan]) -> list[RawScan]:
    """The batch less the second copies of scans an edge forwarded (forwarded.py)."""
    repeats = await (await ctx.forwarded()).repeats(batch)
    if not repeats:
        return batch
    ctx.metrics.forwarded_repeats.inc(len(repeats))
    for i in sorted(repeats):
        log.info("forwarded scan already answered: not again",
                 extra=kv(partition=batch[i].partition, offset=batch[i].offset))
    return [r for i, r in enumerate(batch) if i not in repeats]


async def watch_escalations(ctx: Context, items: Sequence[Screened]) -> None:
    """Critical alerts' escalation timers start before the alerts are published, so that
    no step on an alert can come before its timer (and be missed by it)."""
    alerts = [a for i in items for a in i.alerts if a.priority == "critical"]
    if not alerts:
        return
    try:
        await (await ctx.escalations()).watch(alerts)
    except (RedisError, OSError) as exc:  # the alerts go out all the same
        log.error("escalation timers not started", extra=kv(alerts=len(alerts),
                                                            error=type(exc).__name__))


def register_scan_agents(app: faust.App, ctx: Context) -> None:
    """One agent reads both scan topics: a batch mixes travellers and vehicles, so at a
    given rate batches are twice as large and their fixed costs (Redis round trips,
    produce requests, Faust's batching wake-ups) are paid half as often."""
    s = ctx.settings
    outputs = Outputs(app, s)
    # Scan topic -> (kind, site), for every site the worker reads.
    routes: dict[str, tuple[ScanKind, str]] = {}

    def scan_topics(sites: Sites) -> list[str]:
        names = []
        for site in sites.ids():
            st = site_topics(s, site)
            routes[st.traveller] = ("traveller", site)
            routes[st.vehicle] = ("vehicle", site)
            names += [st.traveller, st.vehicle]
        return names

    def route(name: str) -> tuple[ScanKind, str | None]:
        return routes.get(name) or ("traveller", None)

    @app.task
    async def declare_outputs() -> None:
        await outputs.declare()

    topic = app.topic(*scan_topics(ctx.sites), key_type=bytes, value_type=bytes,
                      partitions=s.topic_partitions)

    @app.timer(SITES_EVERY_S)
    async def follow_sites() -> None:
        """A site added while the worker runs: its scan topics join the subscription
        (a rebalance of the group), its checkpoints the SITE_MISMATCH check."""
        try:
            sites = await ctx.refresh_sites()
        except Exception as exc:  # Redis away: keep the sites known so far
            log.warning("site registry unreadable", extra=kv(error=type(exc).__name__))
            return
        new = [name for name in scan_topics(sites) if name not in topic.topics]
        if new:
            log.info("following new site topics", extra=kv(topics=",".join(new)))
            add_topic_names(app, topic, new)

    async def screen_stream(stream: AsyncIterable[bytes]) -> None:
        assert isinstance(stream, faust.Stream)
        async for events in batches(stream, s.batch_size):
            read_at = time.monotonic()
            # (Faust's test_context() delivers on a topic of its own: travellers there.)
            batch = [_raw(*route(e.message.topic), e, read_at) for e in events]
            if any(r.offline_hits is not None for r in batch):
                batch = await _without_copies(ctx, batch)  # an edge's forwarded scans
                if not batch:
                    continue  # (acked with the next batch, as any)
            screener = await ctx.screener()
            profile = ctx.mode.profile  # incident mode: lists it wakes, its priorities
            screener.dormant = dormant(profile)
            items = await screener.screen(batch)
            correlator = await ctx.correlator()
            if correlator is not None:  # its alerts ride with the scans that made them
                await correlator.correlate(items)
            for item in items:
                if item.alerts:  # each alert in its record's case, under the mode's priority
                    item.alerts = apply_profile(profile, with_cases(item.alerts))
            await watch_escalations(ctx, items)
            await outputs.publish(ctx, items)
            # Nothing awaited from here to the loop's end: under exactly_once the batch
            # must be acked before a commit can run (see Outputs._publish_in_transactions).
            _observe(ctx, items, read_at)
            if any(i.deadletter for i in items):
                for i in items:
                    if i.deadletter is not None:
                        log.info("scan rejected", extra=kv(
                            kind=i.raw.kind, code=i.deadletter.reason.code,
                            partition=i.raw.partition, offset=i.raw.offset))
            del events, batch, items  # freed before the heap's survivors are frozen
            ctx.heap.between_batches()

    app.agent(topic, name="screening.scans")(screen_stream)
