"""Server-side sessions in Redis, so that a session can end: at sign-out, when an
administrator revokes an analyst's sessions, or when an analyst is removed or their
password changes.

The cookie holds only a random token (HMAC-signed, so forged cookies are refused
without asking Redis). Redis keeps the session under the SHA-256 of that token, not
the token itself: whoever can read Redis (an operator, a backup) cannot sign in with
what they see there. Each analyst's session ids are also kept in a set, so that
`screening console sessions revoke USER` finds and ends them all.

Keys (the console's Redis user may touch only `{console:<prefix>...`, and the worker's
user no key of the console's):
- `{console:prefix}:session:<id>`: JSON {analyst, pw, created, expires, address}; its
  TTL is the session's lifetime (absolute, not sliding: a shift, then sign in again).
- `{console:prefix}:analyst:<name>`: set of that analyst's session ids (same TTL,
  renewed at each sign-in; ids of expired sessions in it are harmless and dropped when
  listed).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

Clock = Callable[[], float]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def session_id(token: str) -> str:
    """The id a session is stored under: a hash of the cookie's token, never the token."""
    return _b64(hashlib.sha256(token.encode()).digest())


@dataclass(frozen=True)
class Session:
    id: str
    analyst: str
    # Fingerprint of the analyst's password hash at sign-in: a changed password ends it.
    pw: str
    created: float
    expires: float
    address: str


class SessionStore:
    """Sessions in Redis; `redis` is the console's client (any redis.asyncio client)."""

    def __init__(self, redis: Any, prefix: str, ttl_s: int, clock: Clock = time.time) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_s = ttl_s
        self.clock = clock

    def key(self, sid: str) -> str:
        return f"{{console:{self.prefix}}}:session:{sid}"

    def analyst_key(self, analyst: str) -> str:
        return f"{{console:{self.prefix}}}:analyst:{analyst}"

    async def create(self, analyst: str, pw: str, address: str) -> str:
        """A new session; returns the token for the cookie (a new one every sign-in, so a
        token planted in a browser before sign-in is never the one signed in)."""
        token = secrets.token_urlsafe(32)
        sid = session_id(token)
        now = self.clock()
        record = {"analyst": analyst, "pw": pw, "created": now, "expires": now + self.ttl_s,
                  "address": address}
        # Same hash tag: one slot on a Redis Cluster, so MULTI/EXEC applies.
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.set(self.key(sid), orjson.dumps(record), ex=self.ttl_s)
            pipe.sadd(self.analyst_key(analyst), sid)
            pipe.expire(self.analyst_key(analyst), self.ttl_s)
            await pipe.execute()
        return token

    async def get(self, token: str) -> Session | None:
        """The live session of `token`, or None (unknown, ended or expired)."""
        return self._decode(session_id(token), await self.redis.get(self.key(session_id(token))))

    def _decode(self, sid: str, raw: bytes | None) -> Session | None:
        if raw is None:
            return None
        try:
            data = orjson.loads(raw)
            session = Session(id=sid, analyst=str(data["analyst"]), pw=str(data["pw"]),
                              created=float(data["created"]), expires=float(data["expires"]),
                              address=str(data.get("address", "")))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
            return None
        # Redis's TTL ends it too; the clock check covers a key whose TTL was lost.
        return session if session.expires > self.clock() else None

    async def end(self, token: str) -> Session | None:
        """Signs out: the session is gone for every console at once."""
        sid = session_id(token)
        session = self._decode(sid, await self.redis.getdel(self.key(sid)))
        if session is not None:
            await self.redis.srem(self.analyst_key(session.analyst), sid)
        return session

    async def revoke(self, analyst: str) -> int:
        """Ends every session of `analyst`; returns how many were live."""
        ids = [i.decode() for i in await self.redis.smembers(self.analyst_key(analyst))]
        if not ids:
            return 0
        async with self.redis.pipeline(transaction=True) as pipe:
            for sid in ids:
                pipe.delete(self.key(sid))
            pipe.delete(self.analyst_key(analyst))
            ended = await pipe.execute()
        return sum(int(n) for n in ended[:-1])

    async def of(self, analyst: str) -> list[Session]:
        """`analyst`'s live sessions, oldest first; dead ids are dropped from the set."""
        ids = sorted(i.decode() for i in await self.redis.smembers(self.analyst_key(analyst)))
        if not ids:
            return []
        raws = await self.redis.mget([self.key(sid) for sid in ids])
        live = [s for s in (self._decode(sid, raw) for sid, raw in zip(ids, raws, strict=True))
                if s is not None]
        dead = [sid for sid, raw in zip(ids, raws, strict=True) if raw is None]
        if dead:
            await self.redis.srem(self.analyst_key(analyst), *dead)
        return sorted(live, key=lambda s: s.created)
