"""A stand-in for the edge's link to the centre (screening/edge/central.py), for the
edge's unit tests: it answers, stays silent, or leaves a publication under way, as a test
says, and records what was forwarded."""

from __future__ import annotations

import asyncio
from typing import Any

from screening.edge.central import Asked, Busy, Key, Resume
from screening.security.roles import site_topics
from screening.settings import Settings


class FakeCentral:
    def __init__(self) -> None:
        self.up = True
        self.answers: dict[Key, dict[str, Any]] = {}
        # "answer": the centre answers; "late": the broker took it, no answer in time;
        # "unacked": the publication is still under way (delivery below); "down".
        self.mode = "answer"
        self.delivery: asyncio.Future[Any] | None = None
        self.forwarded: list[Key] = []
        self.refuse_forward = False
        self.waiting: set[Key] = set()
        self.topics = site_topics(Settings(), "default")
        self.resume: Resume | None = None  # set by the Edge
        self.caught_up = True
        self.published: list[tuple[str, bytes, bytes]] = []

    async def publish(self, topic: str, key: bytes, value: bytes) -> bool:
        if self.refuse_forward:
            return False
        self.published.append((topic, key, value))
        return True

    async def ask(self, kind: str, key: Key, body: bytes, budget_s: float) -> Asked:
        if key in self.waiting:
            raise Busy(key[1])
        if self.mode == "answer":
            return Asked(self.answers[key], published=True)
        if self.mode == "late":
            return Asked(None, published=True)
        if self.mode == "unacked":
            self.delivery = asyncio.get_running_loop().create_future()
            return Asked(None, delivery=self.delivery)
        return Asked(None)

    async def probe(self) -> bool:
        return self.up

    async def forward(self, kind: str, key: Key, body: bytes, answer: dict[str, Any]) -> bool:
        if self.refuse_forward:
            return False
        self.forwarded.append(key)
        return True
