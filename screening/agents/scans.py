"""The scan agent: read a batch of travellers and vehicles, screen it, write the answers.

Thin on purpose: decoding, look-ups and decisions live in screening.core, which the
offline `screening screen` command runs too.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import AsyncIterable, Sequence
from datetime import UTC, datetime

import faust
from faust.types import EventT

from screening.agents.batching import batches
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


def _observe(ctx: Context, items: Sequence[Screened], read_at: float) -> None:
    """Counts per batch, then one call per label set (a labels() lookup costs ~1 µs)."""
    m = ctx.metrics
    now_wall = datetime.now(UTC)
    kinds: Counter[ScanKind] = Counter()
    outcomes: Counter[tuple[str, str]] = Counter()
    warnings: Counter[str] = Counter()
    hits: Counter[tuple[str, str]] = Counter()
    decision = {k: m.decision_latency.labels(k) for k in ("traveller", "vehicle")}
    for item in items:
        kind = item.raw.kind
        kinds[kind] += 1
        r = item.result
        if r is None:
            outcomes[(kind, "unreadable")] += 1
            continue
        outcomes[(kind, r.outcome)] += 1
        warnings.update(r.warnings)
        hits.update((h.list, h.category) for h in r.hits)
        if item.scanned_at is not None and item.deadletter is None:
            decision[kind].observe(max(0.0, (now_wall - item.scanned_at).total_seconds()))
    for (label, outcome), n in outcomes.items():
        m.scans.labels(label, outcome).inc(n)
    for code, n in warnings.items():
        m.warnings.labels(code).inc(n)
    for (lst, category), n in hits.items():
        m.hits.labels(lst, category).inc(n)
    # Every scan of the batch was read at the same moment and answered now.
    elapsed = time.monotonic() - read_at
    for kind, n in kinds.items():
        m.batch_size.labels(kind).observe(n)
        processing = m.processing_latency.labels(kind)
        for _ in range(n):
            processing.observe(elapsed)


def register_scan_agents(app: faust.App, ctx: Context) -> None:
    """One agent reads both scan topics: a batch mixes travellers and vehicles, so at a
    given rate batches are twice as large and their fixed costs (Redis round trips,
    produce requests, Faust's batching wake-ups) are paid half as often."""
    s = ctx.settings
    outputs = Outputs(app, s)
    kinds: dict[str, ScanKind] = {s.topic(s.topic_traveller): "traveller",
                                  s.topic(s.topic_vehicle): "vehicle"}

    @app.task
    async def declare_outputs() -> None:
        await outputs.declare()

    topic = app.topic(*kinds, key_type=bytes, value_type=bytes, partitions=s.topic_partitions)

    async def screen_stream(stream: AsyncIterable[bytes]) -> None:
        assert isinstance(stream, faust.Stream)
        async for events in batches(stream, s.batch_size):
            read_at = time.monotonic()
            # (Faust's test_context() delivers on a topic of its own: travellers there.)
            batch = [_raw(kinds.get(e.message.topic, "traveller"), e, read_at) for e in events]
            screener = await ctx.screener()
            items = await screener.screen(batch)
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
