"""Correlation state in Redis: each key's recent sightings, one hash per key.

Why Redis and not Faust tables: scans arrive keyed by terminal, so a table per
correlation key (document, person, plate) would need a repartition topic and a
changelog topic each (eight internal topics, each with ACLs on the secured broker and
a hop of latency), and a rebalance would stall the gate while a table recovers from its
changelog. A hash per key in the Redis the worker already reads is shared by every
worker (a rebalance or a restart moves nothing), expires with its window (memory stays
bounded with no sweeper), and a script files a sighting and reads the key's others in
one atomic step. Keys are `<prefix>:corr:{<digest>}`: hash-tagged by the digest, so a
Redis Cluster spreads them over its slots.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, ResponseError

from screening.correlation.sightings import Filed, Sighting
from screening.redis_client import AnyRedis

_LUA = files("screening.correlation") / "lua"
_PRELUDE = (files("screening.watchlists") / "lua" / "split.lua").read_text(encoding="utf-8")
_flags, _, _body = (_LUA / "observe.lua").read_text(encoding="utf-8").partition("\n")
OBSERVE = f"{_flags}\n{_PRELUDE}\n{_body}"


def state_key(prefix: str, digest: str) -> str:
    return f"{prefix}:corr:{{{digest}}}"


class CorrelationState:
    def __init__(self, redis: AnyRedis, prefix: str, cap: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.cap = cap
        self._sha: str | None = None

    async def observe(self, filed: Sequence[Filed], ttl_s: Sequence[float],
                      window_s: Sequence[float]) -> list[list[Sighting]]:
        """File each sighting under its key and return the key's other sightings.
        `ttl_s[i]`: how long filed[i]'s key lives; `window_s[i]`: how far back from
        filed[i] a sighting can still make a pattern with it."""
        if not filed:
            return []
        parts = [self._part(f, ttl, back) for f, ttl, back in zip(filed, ttl_s, window_s,
                                                                  strict=True)]
        if not isinstance(self.redis, RedisCluster):
            replies = await self._call(parts, None)
        else:
            by_node: dict[Any, list[int]] = defaultdict(list)
            for i, f in enumerate(filed):
                node = self.redis.get_node_from_key(state_key(self.prefix, f.key))
                assert node is not None
                by_node[node.name].append(i)
            replies = [None] * len(parts)

            async def one(name: Any, idx: list[int]) -> None:
                assert isinstance(self.redis, RedisCluster)
                got = await self._call([parts[i] for i in idx],
                                       self.redis.get_node(node_name=name))
                for i, r in zip(idx, got, strict=True):
                    replies[i] = r

            await asyncio.gather(*(one(n, idx) for n, idx in by_node.items()))
        return [[Sighting.decode(v) for v in reply or ()] for reply in replies]

    async def sightings(self, digests: Sequence[str]) -> dict[str, list[Sighting]]:
        """Each key's sightings, read only (retroactive screening)."""
        if not digests:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for d in digests:
            pipe.hvals(state_key(self.prefix, d))
        values = await pipe.execute()
        return {d: [Sighting.decode(v) for v in vals or ()]
                for d, vals in zip(digests, values, strict=True)}

    def _part(self, f: Filed, ttl_s: float, window_s: float) -> bytes:
        after = int((f.sighting.at - window_s) * 1000)
        return b"\0".join((state_key(self.prefix, f.key).encode(),
                           f.sighting.event_id.encode(), f.sighting.encode(),
                           b"%d" % int(ttl_s * 1000), b"%d" % max(0, after)))

    async def _call(self, parts: list[bytes], node: Any) -> list[Any]:
        packed = b"\0".join([b"%d" % self.cap, *parts])
        extra = {} if node is None else {"target_nodes": node}
        for attempt in range(2):
            if self._sha is None:
                self._sha = await self.redis.script_load(OBSERVE)
            try:
                return list(await self.redis.execute_command("EVALSHA", self._sha, 0, packed,
                                                             **extra))
            except (NoScriptError, ResponseError) as exc:
                if not isinstance(exc, NoScriptError) and "NOSCRIPT" not in str(exc):
                    raise
                self._sha = None  # Redis restarted or failed over
                if attempt:
                    raise
        raise AssertionError("unreachable")
