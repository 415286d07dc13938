"""Escalation in the worker: timers started as critical alerts are raised (agents/scans.py),
stopped by any step of the hit procedure read off `screening.alert-decisions`, and a
tick that publishes the alerts that fell due, marked `escalated_at` (escalation.py)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterable
from datetime import UTC, datetime

import faust
import orjson
from aiokafka import AIOKafkaProducer
from mode import Service
from redis.exceptions import RedisError

from screening.context import Context
from screening.kafka_io import producer as make_producer
from screening.logs import kv
from screening.procedure import STEPS
from screening.runtime.streams import batches

log = logging.getLogger("screening.agents.escalation")


def observe_step(ctx: Context, decision: dict[str, object]) -> str:
    """A step read off the decisions topic, counted for the room's wall (by step, and the
    time since its alert was raised when the console said when); returns its alert id."""
    alert_id = str(decision["alert_id"])
    step = str(decision["decision"])
    if step not in STEPS:
        raise ValueError(step)
    ctx.metrics.alert_steps.labels(step).inc()
    raised, decided = decision.get("alert_raised_at"), decision.get("decided_at")
    if isinstance(raised, str) and isinstance(decided, str):
        took = (datetime.fromisoformat(decided) - datetime.fromisoformat(raised)).total_seconds()
        if took >= 0:
            ctx.metrics.step_latency.labels(step).observe(took)
    return alert_id


def register_escalation(app: faust.App, ctx: Context) -> None:
    s = ctx.settings
    decisions = app.topic(s.topic(s.topic_decisions), key_type=bytes, value_type=bytes)
    alerts_topic = s.topic(s.topic_alerts)
    state: dict[str, AIOKafkaProducer] = {}

    async def settle_decided(stream: AsyncIterable[bytes]) -> None:
        assert isinstance(stream, faust.Stream)
        async for events in batches(stream, 500):
            ids = set()
            for e in events:
                try:
                    ids.add(observe_step(ctx, orjson.loads(e.value)))
                except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
                    continue  # the console's alone to write; nothing to stop
            try:
                await (await ctx.escalations()).settle(ids)
            except (RedisError, OSError) as exc:
                # The alert may then escalate although someone acted: a false alarm to a
                # supervisor, never a silent miss.
                log.warning("escalation timers not stopped", extra=kv(
                    alerts=len(ids), error=type(exc).__name__))

    app.agent(decisions, name="screening.decisions")(settle_decided)

    @app.service
    class Escalator(Service):
        async def on_stop(self) -> None:
            if "producer" in state:
                await state.pop("producer").stop()

    @app.timer(s.escalation_check_s)
    async def escalate_due() -> None:
        try:
            timers = await ctx.escalations()
            now = datetime.now(UTC)
            due = await timers.claim(now)
            waiting, oldest = await timers.waiting(now)
            ctx.metrics.unacknowledged.set(waiting)
            ctx.metrics.oldest_unacknowledged.set(oldest)
        except (RedisError, OSError) as exc:
            log.warning("escalations not checked", extra=kv(error=type(exc).__name__))
            return
        if not due:
            return
        if "producer" not in state:
            state["producer"] = make_producer(s)
            await state["producer"].start()
        producer = state["producer"]
        for alert in due:
            # Same id: every console shows the alert once, now marked.
            await producer.send_and_wait(alerts_topic,
                                         alert.model_dump_json(exclude_none=True).encode(),
                                         key=alert.alert_id.encode())
            ctx.metrics.escalations.labels(alert.priority).inc()
            log.warning("alert escalated", extra=kv(alert_id=alert.alert_id,
                                                    checkpoint=alert.checkpoint_id))
        # Not settled: claimed for the lease, and sent again then, identical.
        with contextlib.suppress(RedisError, OSError):
            await timers.settle(a.alert_id for a in due)
