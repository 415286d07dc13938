"""Driving scans through Kafka and timing their results, as a terminal would see them."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import GroupCoordinatorNotAvailableError

from screening.runtime.clients import refresh_metadata
from screening.security.clients import aiokafka_options
from screening.security.provision import provision_worker
from screening.settings import Settings

Scan = tuple[str, bytes, bytes, str]  # (topic, key, value, event_id)


async def create_topics(settings: Settings, partitions: int) -> None:
    if settings.kafka_security == "sasl_ssl":  # topics with their ACLs, as admin
        await asyncio.to_thread(provision_worker, settings.model_copy(
            update={"topic_partitions": partitions}))
        return
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        names = [settings.topic(t) for t in (
            settings.topic_traveller, settings.topic_vehicle, settings.topic_results,
            settings.topic_alerts, settings.topic_deadletter, settings.topic_updates)]
        existing = set(await admin.list_topics())
        new = [NewTopic(n, partitions, 1) for n in names if n not in existing]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


async def delete_topics(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        prefix = settings.topic_prefix
        mine = [t for t in existing if prefix and t.startswith(prefix)]
        if mine:
            await admin.delete_topics(mine)
    finally:
        await admin.close()


async def wait_group_stable(settings: Settings, members: int, limit_s: float = 120.0) -> None:
    """Until the workers' consumer group is Stable with `members` members.

    Drains start only then: a worker that joins mid-drain triggers a rebalance that
    stops every worker for seconds, which would be timed as slowness."""
    admin = AIOKafkaAdminClient(**aiokafka_options(settings))
    await admin.start()
    try:
        deadline = time.monotonic() + limit_s
        state, count = "", 0
        while time.monotonic() < deadline:
            try:
                responses = await admin.describe_consumer_groups([settings.app_id])
            except GroupCoordinatorNotAvailableError:  # a new broker makes its offsets topic
                responses = []
            for response in responses:
                # (error, group id, state, protocol type, protocol, members)
                for group in response.groups:
                    state, count = group[2], len(group[5])
            if state == "Stable" and count == members:
                return
            await asyncio.sleep(0.2)
        raise RuntimeError(f"group {settings.app_id} not stable with {members} members "
                           f"in {limit_s}s (state {state}, {count} members)")
    finally:
        await admin.close()


def _producer(settings: Settings, linger_ms: int) -> AIOKafkaProducer:
    return AIOKafkaProducer(**aiokafka_options(settings), linger_ms=linger_ms,
                            max_batch_size=1 << 20, acks=1)


async def preload(settings: Settings, scans: Sequence[Scan]) -> float:
    """Publish every scan as fast as the client can; returns the seconds it took."""
    producer = _producer(settings, linger_ms=20)
    await producer.start()
    started = time.perf_counter()
    try:
        pending = []
        for topic, key, value, _ in scans:
            pending.append(await producer.send(topic, value, key=key))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return time.perf_counter() - started


@dataclass
class Arrivals:
    """When each awaited result arrived (time.monotonic())."""

    expected: set[str]
    at: dict[str, float] = field(default_factory=dict)
    # Arrival minus the result's decided_at, both by the wall clock: the time after the
    # worker decided (its produce, the broker, this consumer's fetch).
    after_decision: dict[str, float] = field(default_factory=dict)
    duplicates: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return len(self.at) >= len(self.expected)


class ResultWatcher:
    """Reads the results topic from its current end and records arrivals."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.consumer = AIOKafkaConsumer(
            **aiokafka_options(settings), enable_auto_commit=False,
            group_id=None, fetch_max_wait_ms=5, max_poll_records=5000)
        self.task: asyncio.Task[None] | None = None
        self.arrivals: Arrivals | None = None

    async def start(self) -> None:
        await self.consumer.start()
        topic = self.settings.topic(self.settings.topic_results)
        parts = self.consumer.partitions_for_topic(topic)
        for _ in range(50):
            if parts:
                break
            await asyncio.sleep(0.1)
            await refresh_metadata(self.consumer)
            parts = self.consumer.partitions_for_topic(topic)
        tps = [TopicPartition(topic, p) for p in sorted(parts or [])]
        self.consumer.assign(tps)
        await self.consumer.seek_to_end(*tps)
        for tp in tps:  # resolve the end offsets now, before anything is produced
            await self.consumer.position(tp)
        self.task = asyncio.create_task(self._run())

    def expect(self, event_ids: Sequence[str]) -> Arrivals:
        self.arrivals = Arrivals(expected=set(event_ids))
        return self.arrivals

    async def _run(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=50, max_records=5000)
            now = time.monotonic()
            wall = time.time()
            arr = self.arrivals
            for msgs in batch.values():
                for msg in msgs:
                    if arr is None:
                        continue
                    data = orjson.loads(msg.value)
                    eid = data.get("event_id")
                    if eid in arr.expected:
                        if eid in arr.at:
                            arr.duplicates += 1
                        else:
                            arr.at[eid] = now
                            decided = data.get("decided_at")
                            if isinstance(decided, str):
                                arr.after_decision[eid] = (
                                    wall - datetime.fromisoformat(decided).timestamp())
                            arr.outcomes[data["outcome"]] = arr.outcomes.get(data["outcome"], 0) + 1

    async def wait(self, seconds: float) -> Arrivals:
        """Until every expected result arrived, or `seconds` passed."""
        deadline = time.monotonic() + seconds
        assert self.arrivals is not None
        while not self.arrivals.complete and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        return self.arrivals

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.consumer.stop()


async def paced(settings: Settings, scans: Sequence[Scan], rate: float) -> dict[str, float]:
    """Publish at `rate` scans/s; returns each scan's send time (time.monotonic())."""
    producer = _producer(settings, linger_ms=0)
    await producer.start()
    sent: dict[str, float] = {}
    try:
        started = time.monotonic()
        for i, (topic, key, value, eid) in enumerate(scans):
            due = started + i / rate
            delay = due - time.monotonic()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            sent[eid] = time.monotonic()
            await producer.send(topic, value, key=key)
        await producer.flush()
    finally:
        await producer.stop()
    return sent


def run_id() -> str:
    return uuid.uuid4().hex[:8]
