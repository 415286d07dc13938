"""A checkpoint terminal for integration tests: publishes scans (and watchlist updates)
to a run's topics and reads their results back by event id."""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from typing import Any, Self

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from screening.security.clients import aiokafka_options
from screening.settings import Settings


class Terminal:
    def __init__(self, settings: Settings, terminal_id: str = "t-it",
                 results: Sequence[str] | None = None) -> None:
        """`results`: the results topics read (default: the run's v1 results topic)."""
        self.settings = settings
        self.terminal_id = terminal_id
        self.producer = AIOKafkaProducer(**aiokafka_options(settings), linger_ms=2, acks="all")
        self.consumer = AIOKafkaConsumer(
            *(results or [settings.topic(settings.topic_results)]),
            **aiokafka_options(settings),
            group_id=f"admin.it-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest")
        self.results: dict[str, dict[str, Any]] = {}

    async def __aenter__(self) -> Self:
        await self.producer.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.producer.stop()
        await self.consumer.stop()

    async def send(self, raw: bytes, kind: str = "traveller") -> str:
        s = self.settings
        topic = s.topic_traveller if kind == "traveller" else s.topic_vehicle
        await self.producer.send(s.topic(topic), raw, key=self.terminal_id.encode())
        return str(orjson.loads(raw)["event_id"])

    async def send_update(self, raw: bytes, key: str) -> None:
        s = self.settings
        await self.producer.send_and_wait(s.topic(s.topic_updates), raw, key=key.encode())

    async def wait(self, event_ids: set[str], within_s: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + within_s
        while not event_ids <= set(self.results) and time.monotonic() < deadline:
            batch = await self.consumer.getmany(timeout_ms=300)
            for msgs in batch.values():
                for m in msgs:
                    r = orjson.loads(m.value)
                    self.results[r["event_id"]] = r
        missing = event_ids - set(self.results)
        assert not missing, f"{len(missing)} scans without a result"
        return [self.results[e] for e in event_ids]  # (in no particular order)

    async def answer(self, raw: bytes, within_s: float = 30,
                     kind: str = "traveller") -> dict[str, Any]:
        """The result of one scan."""
        return (await self.wait({await self.send(raw, kind)}, within_s=within_s))[0]
