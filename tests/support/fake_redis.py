"""A small in-memory stand-in for redis.asyncio, for unit tests of the console's session
store and sign-in limiter: only the commands they use, with expiry on an injected clock.
The same code runs against the real, secured Redis in tests/integration/test_console.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class FakeRedis:
    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.data: dict[str, Any] = {}
        self.expires: dict[str, float] = {}

    def _live(self, key: str) -> Any:
        if key in self.expires and self.expires[key] <= self.clock():
            self.data.pop(key, None)
            self.expires.pop(key, None)
        return self.data.get(key)

    @staticmethod
    def _b(value: Any) -> bytes:
        return value if isinstance(value, bytes) else str(value).encode()

    async def get(self, key: str) -> bytes | None:
        value = self._live(key)
        return None if value is None else self._b(value)

    async def set(self, key: str, value: Any, ex: int | None = None) -> bool:
        self.data[key] = self._b(value)
        self.expires.pop(key, None)
        if ex is not None:
            self.expires[key] = self.clock() + ex
        return True

    async def getdel(self, key: str) -> bytes | None:
        value = await self.get(key)
        await self.delete(key)
        return value

    async def delete(self, *keys: str) -> int:
        n = 0
        for key in keys:
            if self._live(key) is not None:
                n += 1
            self.data.pop(key, None)
            self.expires.pop(key, None)
        return n

    async def expire(self, key: str, seconds: int) -> bool:
        if self._live(key) is None:
            return False
        self.expires[key] = self.clock() + seconds
        return True

    async def incr(self, key: str) -> int:
        value = int(self._live(key) or 0) + 1
        self.data[key] = str(value).encode()
        return value

    async def decr(self, key: str) -> int:
        value = int(self._live(key) or 0) - 1
        self.data[key] = str(value).encode()
        return value

    async def mget(self, keys: list[str]) -> list[bytes | None]:
        return [await self.get(k) for k in keys]

    async def sadd(self, key: str, *members: str) -> int:
        current = self._live(key)
        if current is None:
            current = self.data[key] = set()
        before = len(current)
        current.update(self._b(m) for m in members)
        return len(current) - before

    async def srem(self, key: str, *members: str) -> int:
        current = self._live(key) or set()
        before = len(current)
        current.difference_update(self._b(m) for m in members)
        if not current:
            self.data.pop(key, None)
        return before - len(current)

    async def smembers(self, key: str) -> set[bytes]:
        return set(self._live(key) or set())

    async def hset(self, key: str, field: str, value: Any) -> int:
        table = self._live(key)
        if table is None:
            table = self.data[key] = {}
        new = field not in table
        table[field] = self._b(value)
        return int(new)

    async def hgetall(self, key: str) -> dict[bytes, bytes]:
        return {k.encode(): v for k, v in (self._live(key) or {}).items()}

    def pipeline(self, transaction: bool = True) -> FakePipeline:
        return FakePipeline(self)


class FakePipeline:
    """Queues calls and runs them in order on execute(), as a MULTI would."""

    def __init__(self, redis: FakeRedis) -> None:
        self.redis = redis
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    async def __aenter__(self) -> FakePipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.calls = []

    def __getattr__(self, name: str) -> Callable[..., FakePipeline]:
        def queue(*args: Any, **kwargs: Any) -> FakePipeline:
            self.calls.append((name, args, kwargs))
            return self
        return queue

    async def execute(self) -> list[Any]:
        calls, self.calls = self.calls, []
        return [await getattr(self.redis, name)(*args, **kwargs) for name, args, kwargs in calls]
