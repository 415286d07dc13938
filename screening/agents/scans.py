"""The traveller and vehicle agents: read a batch, screen it, write the answers.

Thin on purpose: decoding, look-ups and decisions live in screening.core, which the
offline `screening screen` command runs too.
"""

from __future__ import annotations

import logging
from collections import Counter
import time
from collections.abc import AsyncIterable, Sequence
from datetime import UTC, datetime

import faust
from faust.types import EventT

from screening.agents.publish import Outputs
from screening.context import Context
from screening.core.engine import RawScan, Screened
from screening.logs import kv
from screening.models import ScanKind

log = logging.getLogger("screening.agents")


def _raw(kind: ScanKind, event: EventT, read_at: float) -> RawScan:
    msg = event.message
    value = event.value if isinstance(event.value, bytes | type(None)) else bytes(event.value)
    return RawScan(kind=kind, value=value, topic=msg.topic, partition=msg.partition,
                   offset=msg.offset, read_at=read_at)


def _observe(ctx: Context, kind: ScanKind, items: Sequence[Screened], read_at: float) -> None:
    """Counts per batch, then one call per label set (a labels() lookup costs ~1 µs)."""
    m = ctx.metrics
    now_wall = datetime.now(UTC)
    m.batch_size.labels(kind).observe(len(items))
    outcomes: Counter[str] = Counter()
    warnings: Counter[str] = Counter()
    hits: Counter[tuple[str, str]] = Counter()
    decision = m.decision_latency.labels(kind)
    for item in items:
        r = item.result
        if r is None:
            outcomes["unreadable"] += 1
            continue
        outcomes[r.outcome] += 1
        warnings.update(r.warnings)
        hits.update((h.list, h.category) for h in r.hits)
        if item.scanned_at is not None and item.deadletter is None:
            decision.observe(max(0.0, (now_wall - item.scanned_at).total_seconds()))
    for outcome, n in outcomes.items():
        m.scans.labels(kind, outcome).inc(n)
    for code, n in warnings.items():
        m.warnings.labels(code).inc(n)
    for (lst, category), n in hits.items():
        m.hits.labels(lst, category).inc(n)
    # Every scan of the batch was read at the same moment and answered now.
    processing = m.processing_latency.labels(kind)
    elapsed = time.monotonic() - read_at
    for _ in range(len(items)):
        processing.observe(elapsed)


def register_scan_agents(app: faust.App, ctx: Context) -> None:
    s = ctx.settings
    outputs = Outputs(app, s)

    @app.task
    async def declare_outputs() -> None:
        await outputs.declare()

    def make_agent(kind: ScanKind, topic_name: str) -> None:
        topic = app.topic(s.topic(topic_name), key_type=bytes, value_type=bytes,
                          partitions=s.topic_partitions)

        async def screen_stream(stream: AsyncIterable[bytes]) -> None:
            assert isinstance(stream, faust.Stream)
            async for events in stream.take_events(s.batch_size, within=s.batch_within_s):
                read_at = time.monotonic()
                batch = [_raw(kind, e, read_at) for e in events]
                screener = await ctx.screener()
                items = await screener.screen(batch)
                await outputs.publish(ctx, items)
                _observe(ctx, kind, items, read_at)
                if any(i.deadletter for i in items):
                    for i in items:
                        if i.deadletter is not None:
                            log.info("scan rejected", extra=kv(
                                kind=kind, code=i.deadletter.reason.code,
                                partition=i.raw.partition, offset=i.raw.offset))

        app.agent(topic, name=f"screening.{kind}")(screen_stream)

    make_agent("traveller", s.topic_traveller)
    make_agent("vehicle", s.topic_vehicle)
