"""Scans an edge forwarded are answered once (contract: exactly one result a scan).

An edge forwards a scan it answered offline when its link returns (edge/central.py),
and marks the scan forwarded once the broker acknowledged it. Two ways leave the same
scan on the scan topic twice: the edge killed between the acknowledgement and the mark,
and an acknowledgement later than the edge waited for (the first copy was delivered,
the edge sends it again). Both copies carry the edge's offline header.

The worker remembers each forwarded scan it screens, by terminal and event id, in Redis
(`SET NX GET`, one pipelined round trip a batch, only for batches with forwarded scans),
with where it read it (topic, partition, offset). The same key met again at another
place is the second copy: it is not screened, no result, alert or audit record is made
for it, and it is counted (`screening_forwarded_repeats_total`). Met again at the same
place, it is the first copy read again after a worker crash, and screened as any replay.

If Redis cannot be asked, every scan is screened (answered twice rather than not at all:
the lists are in the same Redis, so such a batch is answered `unverified` anyway).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import orjson
from redis.exceptions import RedisError

from screening.core.engine import RawScan
from screening.logs import kv

log = logging.getLogger("screening.forwarded")


def _identity(raw: RawScan) -> tuple[str, str] | None:
    """The scan's terminal and event id, or None for a value that is not a scan (the
    screener rejects it as any other)."""
    try:
        body = orjson.loads(raw.value or b"")
    except orjson.JSONDecodeError:
        return None
    if not isinstance(body, dict):
        return None
    terminal, event = body.get("terminal_id"), body.get("event_id")
    if not isinstance(terminal, str) or not isinstance(event, str):
        return None
    return terminal, event


class ForwardedScans:
    def __init__(self, redis: Any, prefix: str, remember_s: float) -> None:
        self.redis = redis
        self.prefix = prefix
        self.remember_s = max(1, int(remember_s))

    def key(self, terminal: str, event: str) -> str:
        # Ids are at most 64 characters (the contract); a NUL cannot be in either.
        return f"{self.prefix}:forwarded:{terminal}\x00{event}"

    async def repeats(self, batch: Sequence[RawScan]) -> set[int]:
        """Positions in `batch` of forwarded scans already screened from another place on
        the topic: the copies not to answer again."""
        asked: list[tuple[int, bytes]] = []
        pipe = None
        for i, raw in enumerate(batch):
            if raw.offline_hits is None:
                continue
            who = _identity(raw)
            if who is None:
                continue
            if pipe is None:
                pipe = self.redis.pipeline(transaction=False)
            place = f"{raw.topic}:{raw.partition}:{raw.offset}".encode()
            pipe.set(self.key(*who), place, nx=True, get=True, ex=self.remember_s)
            asked.append((i, place))
        if pipe is None:
            return set()
        try:
            found = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("forwarded scans not checked for copies",
                        extra=kv(scans=len(asked), error=type(exc).__name__))
            return set()
        return {i for (i, place), before in zip(asked, found, strict=True)
                if before is not None and bytes(before) != place}


__all__ = ["ForwardedScans"]
