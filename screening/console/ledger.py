"""Where the open alerts sit on the alerts topic, kept in Redis, so that a console
started now reads back every open alert, however old, and not only its look-back.

A console keeps every open alert in memory while it runs (feed.py); a restarted one
reads back `console_lookback` alerts a partition, and an alert left open longer ago than
that would be missing from every page. Each console therefore notes in one hash,
`{console:<prefix>}:open-alerts`, alert_id -> "partition:offset:raised_ms", the alerts it
holds open, and drops them as they are decided. At start the feed reads back from the
oldest open alert's offset (alerts) and time (decisions) where that is further back than
the look-back, keeping from that older stretch only the alerts of the ledger and their
steps: memory stays bounded by the open alerts. Replicas write the same entries (the
writes are idempotent); an entry whose alert is gone from the topic is dropped once the
read-back is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The hash outlives every console by this long (each write renews it).
TTL_S = 30 * 24 * 3600


@dataclass(frozen=True)
class Place:
    partition: int
    offset: int
    raised_ms: int

    def encode(self) -> str:
        return f"{self.partition}:{self.offset}:{self.raised_ms}"

    @classmethod
    def decode(cls, raw: bytes | str) -> Place | None:
        text = raw.decode() if isinstance(raw, bytes) else raw
        try:
            partition, offset, raised_ms = (int(x) for x in text.split(":"))
        except ValueError:
            return None
        return cls(partition, offset, raised_ms)


class OpenLedger:
    def __init__(self, redis: Any, prefix: str) -> None:
        self.redis = redis
        self.key = f"{{console:{prefix}}}:open-alerts"

    async def load(self) -> dict[str, Place]:
        raw = await self.redis.hgetall(self.key)
        out = {}
        for k, v in raw.items():
            place = Place.decode(v)
            if place is not None:
                out[k.decode() if isinstance(k, bytes) else str(k)] = place
        return out

    async def apply(self, opened: dict[str, Place], closed: set[str]) -> None:
        async with self.redis.pipeline(transaction=True) as pipe:
            if opened:
                pipe.hset(self.key, mapping={k: p.encode() for k, p in opened.items()})
                pipe.expire(self.key, TTL_S)
            if closed:
                pipe.hdel(self.key, *closed)
            await pipe.execute()
