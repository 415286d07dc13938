"""Outputs: one record batch per topic and partition, keyed as a plain send would be."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka.partitioner import DefaultPartitioner

from screening.agents.publish import Outputs
from screening.core.engine import RawScan, Screened
from screening.metrics import Metrics
from screening.models import CheckResult
from screening.settings import Settings

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


class FakeBatch:
    def __init__(self, room: int) -> None:
        self.room = room
        self.records: list[tuple[bytes | None, bytes]] = []

    def append(self, *, key: bytes | None, value: bytes, timestamp: Any) -> object | None:
        if len(self.records) >= self.room:
            return None
        self.records.append((key, value))
        return object()


class FakeProducer:
    """The few aiokafka producer calls Outputs makes, with the real partitioner."""

    def __init__(self, partitions: int, room: int = 1000) -> None:
        self.parts = set(range(partitions))
        self.room = room
        self.sent: list[tuple[str, int, FakeBatch]] = []
        self.partitioner = DefaultPartitioner()
        outer = self

        class Cluster:
            def partitions_for_topic(self, topic: str) -> set[int]:
                return outer.parts

        class Client:
            cluster = Cluster()

        self.client = Client()

    async def partitions_for(self, topic: str) -> set[int]:
        return self.parts

    def _partition(self, topic: str, partition: Any, key: Any, value: Any,
                   serialized_key: bytes | None, serialized_value: Any) -> int:
        parts = sorted(self.parts)
        return int(self.partitioner(serialized_key, parts, parts))

    def create_batch(self) -> FakeBatch:
        return FakeBatch(self.room)

    async def send_batch(self, batch: FakeBatch, topic: str, *, partition: int) -> None:
        self.sent.append((topic, partition, batch))


class FakeApp:
    def __init__(self, producer: FakeProducer) -> None:
        outer = self
        self.fake = producer

        class Producer:
            def _ensure_producer(self) -> FakeProducer:
                return outer.fake

        self.producer = Producer()

    def topic(self, name: str, **kw: Any) -> Any:
        class Topic:
            def get_topic_name(self) -> str:
                return name

        return Topic()


def _item(i: int, terminal: str) -> Screened:
    result = CheckResult(event_id=f"e{i}", checkpoint_id="cp", terminal_id=terminal,
                         kind="traveller", outcome="clear", decided_at=NOW,
                         watchlist_version="v1")
    return Screened(raw=RawScan(kind="traveller", value=b"{}"), result=result)


class Ctx:
    metrics = Metrics.create()


async def test_results_batched_per_partition_as_the_default_partitioner_would() -> None:
    producer = FakeProducer(partitions=4, room=3)
    outputs = Outputs(FakeApp(producer), Settings())  # type: ignore[arg-type]
    items = [_item(i, f"t{i % 5}") for i in range(20)]
    await outputs.publish(Ctx(), items)  # type: ignore[arg-type]
    sent = [(topic, part, key, value) for topic, part, batch in producer.sent
            for key, value in batch.records]
    assert len(sent) == 20
    assert all(topic == "screening.results" for topic, *_ in sent)
    for _, part, key, _ in sent:
        assert part == producer.partitioner(key, [0, 1, 2, 3], [0, 1, 2, 3])
    assert all(len(batch.records) <= 3 for *_, batch in producer.sent)
    # order within a terminal is kept
    for t in range(5):
        ids = [int(orjson.loads(v)["event_id"][1:]) for _, _, k, v in sent
               if k == f"t{t}".encode()]
        assert ids == sorted(ids)


async def test_a_partition_count_change_is_noticed() -> None:
    producer = FakeProducer(partitions=2)
    outputs = Outputs(FakeApp(producer), Settings())  # type: ignore[arg-type]
    await outputs.publish(Ctx(), [_item(0, "t1")])  # type: ignore[arg-type]
    producer.parts = set(range(8))
    await outputs.publish(Ctx(), [_item(1, "t1")])  # type: ignore[arg-type]
    assert producer.sent[-1][1] == producer.partitioner(b"t1", list(range(8)), list(range(8)))
