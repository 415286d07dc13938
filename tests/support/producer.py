"""A stand-in for the aiokafka producer Outputs writes through (agents/publish.py), with
the real partitioner: for the tests of publishing and of the search audit."""

from __future__ import annotations

from typing import Any

from aiokafka.partitioner import DefaultPartitioner


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
