"""Who is working on which alert (claims) and which critical confirmations wait for a
second analyst (four eyes): kept in Redis, so that every console replica and a restarted
console see the same, and mirrored in memory for the pages.

Keys (the console's own key space, `{console:<prefix>}`, one hash slot; the console's
Redis user may touch it and nothing of the worker's but what redis_users.py says):
- `{console:prefix}:claim:<alert_id>`: JSON {analyst, at}; its TTL is the claim's life
  (console_claim_ttl_s), renewed by the holder's activity. SET NX: of two analysts
  claiming at once, exactly one gets it.
- `{console:prefix}:claims`: hash alert_id -> the same JSON with `until`, the index by
  which replicas list the claims (an entry past its `until` is a lapsed claim); the
  hash itself expires a claim's TTL after its last write.
- `{console:prefix}:pending`: hash alert_id -> JSON {analyst, role, at, note}: the
  first confirmation of a critical alert, until a second analyst confirms it, a step
  moves the alert on, or it is withdrawn. HSETNX: one first confirmation per alert.

Each replica reads the two hashes every POLL_S and tells its pages what changed
(`claim` and `pending` events); the replica that made a change tells its own pages at
once. A claim taken over by a supervisor, or one lapsed, is told the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from redis.exceptions import RedisError, WatchError

from screening.console.feed import Event, Feed

log = logging.getLogger("screening.console.room")

# How often a replica reads the claims and pending confirmations others made.
POLL_S = 1.0
# How long a pending first confirmation is kept: as long as a step could still follow.
PENDING_TTL_S = 30 * 24 * 3600

Clock = Callable[[], float]


@dataclass(frozen=True)
class Claim:
    alert_id: str
    analyst: str
    at: float  # epoch seconds
    until: float

    def json(self) -> dict[str, Any]:
        return {"alert_id": self.alert_id, "claimed_by": self.analyst,
                "claimed_at": _iso(self.at)}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def _who(claim: Claim | None) -> tuple[str, float] | None:
    return (claim.analyst, claim.at) if claim is not None else None


def _decode_claim(alert_id: str, raw: bytes | None) -> Claim | None:
    if raw is None:
        return None
    try:
        data = orjson.loads(raw)
        return Claim(alert_id, str(data["analyst"]), float(data["at"]),
                     float(data.get("until", 0.0)))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None


class Room:
    """Claims and pending confirmations: Redis is the truth, `claims` and `pending` its
    copy as last read or written here."""

    def __init__(self, redis: Any, prefix: str, feed: Feed, *, claim_ttl_s: int,
                 clock: Clock = time.time) -> None:
        self.redis = redis
        self.feed = feed
        self.claim_ttl_s = claim_ttl_s
        self.clock = clock
        self._base = f"{{console:{prefix}}}"
        self.claims: dict[str, Claim] = {}
        self.pending: dict[str, dict[str, Any]] = {}
        self._task: asyncio.Task[None] | None = None

    # -- keys --

    def claim_key(self, alert_id: str) -> str:
        return f"{self._base}:claim:{alert_id}"

    @property
    def index_key(self) -> str:
        return f"{self._base}:claims"

    @property
    def pending_key(self) -> str:
        return f"{self._base}:pending"

    # -- claims --

    async def holder(self, alert_id: str) -> Claim | None:
        """The alert's live claim, read from Redis (not the copy: a decision waits on it)."""
        return _decode_claim(alert_id, await self.redis.get(self.claim_key(alert_id)))

    def _value(self, alert_id: str, analyst: str, at: float) -> tuple[Claim, bytes]:
        claim = Claim(alert_id, analyst, at, self.clock() + self.claim_ttl_s)
        return claim, orjson.dumps({"analyst": analyst, "at": at, "until": claim.until})

    def _index(self, pipe: Any, claim: Claim, value: bytes) -> None:
        pipe.hset(self.index_key, claim.alert_id, value)
        # Every entry lapses within a TTL of its last write: so does the index.
        pipe.expire(self.index_key, self.claim_ttl_s)

    async def _create(self, alert_id: str, analyst: str) -> bool:
        """SET NX: of two analysts claiming an unclaimed alert at once, one gets it."""
        claim, value = self._value(alert_id, analyst, self.clock())
        if not await self.redis.set(self.claim_key(alert_id), value, nx=True,
                                    ex=self.claim_ttl_s):
            return False
        async with self.redis.pipeline(transaction=True) as pipe:
            self._index(pipe, claim, value)
            await pipe.execute()
        self._changed(alert_id, claim)
        return True

    async def _replace(self, held: Claim, analyst: str, at: float) -> bool:
        """`held` renewed or taken over, if it is still the claim (WATCH); False when it
        changed in the meantime."""
        key = self.claim_key(held.alert_id)
        claim, value = self._value(held.alert_id, analyst, at)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.watch(key)
                if _who(_decode_claim(held.alert_id, await pipe.get(key))) != _who(held):
                    return False
                pipe.multi()
                pipe.set(key, value, ex=self.claim_ttl_s)
                self._index(pipe, claim, value)
                await pipe.execute()
        except WatchError:
            return False
        self._changed(held.alert_id, claim)
        return True

    async def claim(self, alert_id: str, analyst: str, *, take_over: bool = False,
                    ) -> tuple[Claim | None, Claim | None]:
        """(the claim now held by `analyst`, or None; the claim that stood in the way or
        was taken over, or None). The holder claiming again renews their claim."""
        for _ in range(3):  # a claim may change between two reads: look again
            if await self._create(alert_id, analyst):
                return self.claims[alert_id], None
            held = await self.holder(alert_id)
            if held is None:
                continue
            mine = held.analyst == analyst
            if not mine and not take_over:
                return None, held
            if await self._replace(held, analyst, held.at if mine else self.clock()):
                return self.claims[alert_id], None if mine else held
        return None, None

    async def hand_back(self, held: Claim) -> bool:
        """Ends `held` if it is still the alert's claim; False when the claim changed in
        the meantime (taken over, lapsed and claimed again): WATCH, so that handing back
        one claim never ends another made since."""
        key = self.claim_key(held.alert_id)
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                await pipe.watch(key)
                if _who(_decode_claim(held.alert_id, await pipe.get(key))) != _who(held):
                    return False
                pipe.multi()
                pipe.delete(key)
                pipe.hdel(self.index_key, held.alert_id)
                await pipe.execute()
        except WatchError:
            return False
        self._changed(held.alert_id, None)
        return True

    async def release(self, alert_id: str) -> bool:
        """The alert's claim ended, whoever held it (the alert decided); False: there
        was none."""
        removed = await self.redis.delete(self.claim_key(alert_id))
        await self.redis.hdel(self.index_key, alert_id)
        self._changed(alert_id, None)
        return bool(removed)

    # -- four eyes --

    async def propose(self, alert_id: str, entry: dict[str, Any]) -> dict[str, Any] | None:
        """Records a first confirmation; returns the one already waiting instead, if any."""
        value = orjson.dumps(entry)
        if await self.redis.hsetnx(self.pending_key, alert_id, value):
            await self.redis.expire(self.pending_key, PENDING_TTL_S)
            self._pending_changed(alert_id, entry)
            return None
        return await self.proposal(alert_id)

    async def proposal(self, alert_id: str) -> dict[str, Any] | None:
        raw = await self.redis.hget(self.pending_key, alert_id)
        try:
            return dict(orjson.loads(raw)) if raw is not None else None
        except (orjson.JSONDecodeError, TypeError, ValueError):
            return None

    async def withdraw(self, alert_id: str) -> bool:
        """The first confirmation no longer waits (confirmed by a second analyst, the
        alert moved on, or withdrawn by its analyst)."""
        removed = await self.redis.hdel(self.pending_key, alert_id)
        if removed or alert_id in self.pending:
            self._pending_changed(alert_id, None)
        return bool(removed)

    # -- the copy, and the pages --

    def _changed(self, alert_id: str, claim: Claim | None) -> None:
        before = self.claims.get(alert_id)
        if claim is None:
            self.claims.pop(alert_id, None)
        else:
            self.claims[alert_id] = claim
        if _who(before) != _who(claim):
            self._tell("claim", {"alert_id": alert_id,
                                 "claimed_by": claim.analyst if claim else None,
                                 "claimed_at": _iso(claim.at) if claim else None})

    def _pending_changed(self, alert_id: str, entry: dict[str, Any] | None) -> None:
        if entry is None:
            self.pending.pop(alert_id, None)
        else:
            self.pending[alert_id] = entry
        self._tell("pending", self.pending_json(alert_id))

    def pending_json(self, alert_id: str) -> dict[str, Any]:
        entry = self.pending.get(alert_id)
        return {"alert_id": alert_id, "pending": entry is not None,
                "confirmations": [entry["analyst"]] if entry else [],
                "at": entry.get("at") if entry else None}

    def _tell(self, name: str, data: dict[str, Any]) -> None:
        shown = self.feed.alert(data["alert_id"])
        self.feed.hub.publish(Event(name, orjson.dumps(data),
                                    shown["checkpoint_id"] if shown else None))

    def snapshot(self, visible: Callable[[str], bool]) -> dict[str, Any]:
        """The claims and pending confirmations of the alerts `visible` lets through."""
        now = self.clock()
        return {"claims": [c.json() for c in self.claims.values()
                           if c.until > now and visible(c.alert_id)],
                "pending": [self.pending_json(a) for a in self.pending if visible(a)]}

    async def refresh(self) -> None:
        """Reads both hashes; tells the pages what other replicas changed or what lapsed."""
        claims_raw, pending_raw = await asyncio.gather(
            self.redis.hgetall(self.index_key), self.redis.hgetall(self.pending_key))
        now = self.clock()
        seen: dict[str, Claim] = {}
        lapsed = []
        for key, raw in claims_raw.items():
            alert_id = key.decode() if isinstance(key, bytes) else str(key)
            claim = _decode_claim(alert_id, raw)
            if claim is None or claim.until <= now:
                lapsed.append(alert_id)
            else:
                seen[alert_id] = claim
        if lapsed:  # (the claim key itself lapsed with its TTL)
            await self.redis.hdel(self.index_key, *lapsed)
        for alert_id in set(self.claims) | set(seen):
            now_claim = seen.get(alert_id)
            if now_claim != self.claims.get(alert_id):
                self._changed(alert_id, now_claim)
        pending: dict[str, dict[str, Any]] = {}
        for key, raw in pending_raw.items():
            with contextlib.suppress(orjson.JSONDecodeError, TypeError, ValueError):
                pending[key.decode() if isinstance(key, bytes) else str(key)] = dict(
                    orjson.loads(raw))
        for alert_id in set(self.pending) | set(pending):
            if pending.get(alert_id) != self.pending.get(alert_id):
                self._pending_changed(alert_id, pending.get(alert_id))

    async def run(self) -> None:
        while True:
            try:
                await self.refresh()
            except RedisError as exc:  # the copy stays as last read; said, and retried
                log.warning("claims not read", extra={"kv": {"error": type(exc).__name__}})
            await asyncio.sleep(POLL_S)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="console-room")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
