"""Correlation state in Redis: each key's recent sightings, in bucket hashes.

Why Redis and not Faust tables: scans arrive keyed by terminal, so a table per
correlation key (document, person, plate) would need a repartition topic and a
changelog topic each (eight internal topics, each with ACLs on the secured broker and
a hop of latency), and a rebalance would stall the gate while a table recovers from its
changelog. A hash per key in the Redis the worker already reads is shared by every
worker (a rebalance or a restart moves nothing), expires with its window (memory stays
bounded with no sweeper), and a script files a sighting and reads the key's others in
one atomic step.

Layout: a digest's sightings are one field of a bucket hash `<prefix>:corr:{<bucket>}:<k>`
(k: the key's kind, each with its window; the bucket from the digest's first letters,
hash-tagged so a Redis Cluster spreads buckets over its slots), its records packed one
after the other. One key per document or person cost ~100 bytes of Redis overhead
each, twice per traveller; a few hundred digests to a small listpack hash cost ~15.
Each filing sweeps two random fields of its bucket of records past their window, and a
bucket no longer filed into expires with its TTL.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from importlib.resources import files
from typing import Any

from redis.asyncio.cluster import RedisCluster
from redis.exceptions import NoScriptError, ResponseError

from screening.correlation.sightings import KIND_OF_DIGEST, Filed, KeyKind, Sighting, address
from screening.redis_client import AnyRedis

OBSERVE = (files("screening.correlation") / "lua" / "observe.lua").read_text(encoding="utf-8")


def state_key(prefix: str, kind: KeyKind, digest: str) -> tuple[str, str]:
    """(bucket key, field) of a digest filed as `kind`."""
    bucket, field = address(digest)
    return f"{prefix}:corr:{{{bucket}}}:{kind[0]}", field


class CorrelationState:
    def __init__(self, redis: AnyRedis, prefix: str, cap: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self._prefix = prefix.encode()
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
            await self.redis.initialize()  # the slots' map (a no-op once it is known)
            by_node: dict[Any, list[int]] = defaultdict(list)
            for i, f in enumerate(filed):
                node = self.redis.get_node_from_key(state_key(self.prefix, f.kind,
                                                              f.key)[0])
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
        return [[s for v in reply or () for s in Sighting.decode_all(v)]
                for reply in replies]

    async def sightings(self, digests: Sequence[str]) -> dict[str, list[Sighting]]:
        """Each key's sightings, read only (retroactive screening); `digests` are the
        audit's (`<kind>:<base64url>`), their kind says which buckets."""
        wanted = [d for d in digests if d.partition(":")[0] in KIND_OF_DIGEST]
        if not wanted:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for d in wanted:
            pipe.hget(*state_key(self.prefix, KIND_OF_DIGEST[d.partition(":")[0]], d))
        values = await pipe.execute()
        return {d: Sighting.decode_all(v) if v else []
                for d, v in zip(wanted, values, strict=True)}

    def _part(self, f: Filed, ttl_s: float, window_s: float) -> bytes:
        """One filing as the script reads it: key, field, event id (as the record
        encodes it) and the record, each after its length (2 bytes), then the TTL, the
        pattern window's start and the sweep's horizon (ms, 6 bytes each). One argument
        for the whole call: redis-py packs each argument apart (~2 µs a filing)."""
        s = f.sighting
        bucket, field = address(f.key)
        record = s.encode()
        key = b"%s:corr:{%s}:%s" % (self._prefix, bucket.encode(), f.kind[0].encode())
        fld, event = field.encode(), record[8:8 + record[7]]
        at_ms, ttl_ms = round(s.at * 1000), int(ttl_s * 1000)
        return b"".join((
            len(key).to_bytes(2, "big"), key, len(fld).to_bytes(2, "big"), fld,
            len(event).to_bytes(2, "big"), event, len(record).to_bytes(2, "big"), record,
            ttl_ms.to_bytes(6, "big"),
            max(0, at_ms - int(window_s * 1000)).to_bytes(6, "big"),
            max(0, at_ms - ttl_ms).to_bytes(6, "big")))

    async def _call(self, parts: list[bytes], node: Any) -> list[Any]:
        args = [b"%d" % self.cap, b"".join(parts)]
        extra = {} if node is None else {"target_nodes": node}
        for attempt in range(2):
            if self._sha is None:
                self._sha = await self.redis.script_load(OBSERVE)
            try:
                return list(await self.redis.execute_command("EVALSHA", self._sha, 0, *args,
                                                             **extra))
            except (NoScriptError, ResponseError) as exc:
                if not isinstance(exc, NoScriptError) and "NOSCRIPT" not in str(exc):
                    raise
                self._sha = None  # Redis restarted or failed over
                if attempt:
                    raise
        raise AssertionError("unreachable")
