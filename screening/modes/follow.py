"""Following `screening.control` in a worker: every worker reads every change (no
consumer group: the topic's partitions are assigned by hand, from their start), so each
applies the mode in force at start and each later change within a fetch wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition

from screening.audit.records import encode, service_record
from screening.exceptions import FeedKeyError
from screening.logs import kv
from screening.models import AuditRecord
from screening.models.modes import ModeChange
from screening.modes.control import ModeRefused, ModeState, read_change, trusted_keys
from screening.settings import Settings

log = logging.getLogger("screening.modes")
# The broker answers a fetch after this long when nothing is there: the bound on how late
# a worker applies a change (the contract allows 1 s).
FETCH_WAIT_MS = 100

AuditSink = Callable[[AuditRecord], Awaitable[None]]


def mode_audit(settings: Settings, change: ModeChange, outcome: str,
               reason: str | None = None) -> AuditRecord:
    """One record per change and outcome: every worker writes the same id."""
    identity = (settings.topic_prefix, change.issued_at.isoformat(), change.by, change.mode,
                change.profile, outcome)
    return service_record("mode_changed", identity, at=datetime.now(UTC), actor_id="worker",
                          principal=settings.kafka_username, outcome=outcome, reason=reason,
                          ref=f"mode:{change.mode};profile:{change.profile or '-'};by:{change.by}")


class ModeFollower:
    def __init__(self, settings: Settings, state: ModeState, metrics: Any = None,
                 audit: AuditSink | None = None,
                 on_change: Callable[[ModeChange], None] | None = None) -> None:
        self.settings = settings
        self.state = state
        self.metrics = metrics
        self.audit = audit
        self.on_change = on_change  # the console: its pages' banner
        try:
            self.trusted = trusted_keys(settings)
        except FeedKeyError as exc:
            log.error("control keys unreadable: every mode change is refused",
                      extra=kv(error=str(exc)[:200]))
            self.trusted = trusted_keys(settings.model_copy(update={
                "control_keys_file": None, "control_keys": None}))
        self._show()

    def handle(self, raw: bytes | None, now: datetime) -> ModeChange | None:
        """Apply one message; the change applied, or None (refused, logged, counted)."""
        try:
            change, kid = read_change(raw, self.trusted, now, self.settings.update_max_ahead_s)
            self.state.offer(change, kid)
        except ModeRefused as exc:
            log.warning("mode change refused", extra=kv(code=exc.code, key_id=exc.key_id))
            self._count("refused", exc.code)
            return None
        log.info("mode applied", extra=kv(mode=change.mode, profile=change.profile,
                                          by=change.by, key_id=kid))
        self._count("applied", "ok")
        self._show()
        if self.on_change is not None:
            self.on_change(change)
        return change

    def _count(self, result: str, code: str) -> None:
        if self.metrics is not None:
            self.metrics.mode_changes.labels(result, code).inc()

    def _show(self) -> None:
        if self.metrics is None:
            return
        c = self.state.change
        self.metrics.mode.clear()
        self.metrics.mode.labels(c.mode, c.profile or "").set(1)

    async def run(self, consumer: Any) -> None:
        """Read the control topic from its start, then follow it (until cancelled)."""
        from screening.runtime.clients import refresh_metadata

        topic = self.settings.topic(self.settings.topic_control)
        await refresh_metadata(consumer)
        parts = consumer.partitions_for_topic(topic) or {0}
        tps = [TopicPartition(topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        while True:
            batch = await consumer.getmany(timeout_ms=1000)
            for msgs in batch.values():
                for m in msgs:
                    change = self.handle(m.value, datetime.now(UTC))
                    if change is not None and self.audit is not None:
                        await self._audit(change)

    async def _audit(self, change: ModeChange) -> None:
        assert self.audit is not None
        try:
            await self.audit(mode_audit(self.settings, change, "applied"))
        except Exception as exc:  # the mode is applied; the gap is said, never silent
            log.error("mode change applied but not audited",
                      extra=kv(error=type(exc).__name__))


async def read_only(settings: Settings, follower: ModeFollower) -> None:
    """Following without auditing (the console shows the mode; workers audit it)."""
    from screening.kafka_io import consumer

    c = consumer(settings, group_id=None, fetch_max_wait_ms=FETCH_WAIT_MS,
                 auto_offset_reset="earliest")
    await c.start()
    try:
        await follower.run(c)
    finally:
        await c.stop()


async def follow(settings: Settings, follower: ModeFollower) -> None:
    """The worker's task: a consumer of its own without a group, and a producer for the
    audit records of the changes it applies."""
    from screening.kafka_io import consumer, producer

    c = consumer(settings, group_id=None, fetch_max_wait_ms=FETCH_WAIT_MS,
                 auto_offset_reset="earliest")
    p = producer(settings, linger_ms=0)
    audit_topic = settings.topic(settings.topic_audit)

    async def write(record: AuditRecord) -> None:
        await p.send_and_wait(audit_topic, encode(record), key=b"mode")

    follower.audit = write
    await c.start()
    await p.start()
    try:
        await follower.run(c)
    finally:
        await asyncio.gather(c.stop(), p.stop(), return_exceptions=True)
