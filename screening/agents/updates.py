"""The watchlist-updates agent: live upserts and deletes, in order per key."""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import AsyncIterable
from datetime import UTC, datetime
from typing import Any

import faust

from screening.context import Context
from screening.exceptions import InvalidRecord
from screening.logs import kv
from screening.models import DeadLetter, DeadLetterReason, WatchlistUpdate
from screening.watchlists.updates import apply_updates, parse_update

log = logging.getLogger("screening.agents.updates")


def register_update_agent(app: faust.App, ctx: Context) -> None:
    s = ctx.settings
    topic = app.topic(s.topic(s.topic_updates), key_type=bytes, value_type=bytes,
                      partitions=s.topic_partitions)
    deadletter = app.topic(s.topic(s.topic_deadletter), key_type=bytes, value_type=bytes,
                           partitions=s.topic_partitions)

    async def apply_stream(stream: AsyncIterable[bytes]) -> None:
        assert isinstance(stream, faust.Stream)
        m = ctx.metrics
        unindexable: list[tuple[str, str]] = []

        def on_error(record: Any, exc: Exception) -> None:
            unindexable.append((record.list, record.id))

        async for events in stream.take_events(500, within=0.005):
            good: list[WatchlistUpdate] = []
            unindexable.clear()
            for event in events:
                raw = event.value if isinstance(event.value, bytes) else b""
                try:
                    good.append(parse_update(raw))
                except InvalidRecord as exc:
                    msg = event.message
                    m.deadletters.labels(msg.topic, "INVALID_UPDATE").inc()
                    m.updates.labels("unknown", "unknown", "invalid").inc()
                    log.warning("update rejected", extra=kv(partition=msg.partition,
                                                            offset=msg.offset, reason=exc.reason))
                    dl = DeadLetter(received_at=datetime.now(UTC), topic=msg.topic,
                                    partition=msg.partition, offset=msg.offset,
                                    reason=DeadLetterReason(code="INVALID_UPDATE",
                                                            message=exc.reason),
                                    payload_b64=base64.b64encode(raw).decode())
                    await deadletter.send(key=None, value=dl.model_dump_json().encode())
            if not good:
                continue
            store = await ctx.store()
            applied = await apply_updates(store, good, on_error=on_error)
            for lst, rid in unindexable:
                m.updates.labels(lst, "upsert", "invalid").inc()
                log.error("update cannot be indexed", extra=kv(list=lst, id=rid))
                dl = DeadLetter(received_at=datetime.now(UTC), topic=s.topic(s.topic_updates),
                                partition=None, offset=None,
                                reason=DeadLetterReason(code="INVALID_UPDATE",
                                                        message=f"{lst}:{rid} cannot be indexed"),
                                payload_b64="")
                await deadletter.send(key=None, value=dl.model_dump_json().encode())
            now = time.time()
            for a in applied:
                u = a.update
                m.updates.labels(u.record.list, u.op, "applied" if a.applied else "skipped").inc()
                if a.applied:
                    m.update_latency.observe(max(0.0, now - u.issued_at.timestamp()))

    app.agent(topic, name="screening.watchlist-updates")(apply_stream)
