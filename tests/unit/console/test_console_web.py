"""The console's web layer without Kafka or Redis servers: a feed that reads nothing and
the in-memory Redis. Pins what must hold whatever the services do: no session store, no
sign-in (503, never a page without a session); a stream ends once its session has."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from pydantic import SecretStr
from redis.exceptions import ConnectionError as RedisConnectionError

from screening.console import create_app, hash_password
from screening.console.feed import Feed
from screening.console.i18n import strings
from screening.settings import Settings
from tests.support.fake_redis import FakeRedis

PASSWORD = "correct horse"


class QuietFeed(Feed):
    """Reads nothing: the page gets an empty snapshot at once."""

    async def start(self) -> None:
        self.ready.set()

    async def stop(self) -> None:
        return None


class FlakyRedis(FakeRedis):
    broken = False

    async def get(self, key: str) -> bytes | None:
        if self.broken:
            raise RedisConnectionError("down")
        return await super().get(key)

    def pipeline(self, transaction: bool = True) -> Any:
        if self.broken:
            raise RedisConnectionError("down")
        return super().pipeline(transaction)


async def serve(redis: FakeRedis) -> TestServer:
    settings = Settings(topic_prefix="u.")
    console = Settings(console_users=SecretStr(f"ana:{hash_password(PASSWORD, n=2**10)}"),
                       console_session_secret=SecretStr("s" * 32))
    server = TestServer(create_app(settings, console, redis=redis,
                                   feed=QuietFeed(settings, lookback=1, max_alerts=10)))
    await server.start_server()
    return server


@pytest_asyncio.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        yield session


async def token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as resp:
        found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
    assert found
    return found.group(1)


async def sign_in(http: aiohttp.ClientSession, base: str) -> int:
    async with http.post(base + "/login", allow_redirects=False, data={
            "csrf": await token(http, base + "/login"), "username": "ana",
            "password": PASSWORD}) as resp:
        return resp.status


async def test_without_the_session_store_nobody_signs_in_and_nothing_is_shown(
        http: aiohttp.ClientSession) -> None:
    redis = FlakyRedis(time.time)
    server = await serve(redis)
    base = str(server.make_url("")).rstrip("/")
    try:
        assert await sign_in(http, base) == 303
        redis.broken = True
        for path in ("/", "/api/session", "/events"):
            async with http.get(base + path, allow_redirects=False) as resp:
                assert resp.status == 503, path
        async with http.post(base + "/login", allow_redirects=False, data={
                "csrf": await token(http, base + "/login"), "username": "ana",
                "password": PASSWORD}) as resp:
            assert resp.status == 503
            assert strings("en")["signin.unavailable"] in await resp.text()
    finally:
        await server.close()


@pytest.mark.parametrize("end", ["sign-out", "sessions flushed", "store unreachable"])
async def test_an_open_stream_ends_within_a_second_of_its_session(
        http: aiohttp.ClientSession, end: str) -> None:
    redis = FlakyRedis(time.time)
    server = await serve(redis)
    base = str(server.make_url("")).rstrip("/")
    try:
        assert await sign_in(http, base) == 303
        csrf = await token(http, base + "/")
        async with http.get(base + "/events") as stream:
            assert stream.status == 200
            assert (await stream.content.readline()).startswith(b"retry:")
            await asyncio.sleep(0.6)
            assert not stream.content.at_eof()
            if end == "sign-out":
                async with http.post(base + "/logout", allow_redirects=False,
                                     data={"csrf": csrf}) as resp:
                    assert resp.status == 303
            elif end == "sessions flushed":
                redis.data.clear()  # or failed over to an empty replica: sign in again
            else:
                redis.broken = True  # cannot tell: fail closed
            started = time.monotonic()
            await asyncio.wait_for(stream.content.read(), 5)
            assert time.monotonic() - started < 1.0
    finally:
        await server.close()


async def test_the_site_filter_learns_each_checkpoints_site_signed_in_only(
        http: aiohttp.ClientSession) -> None:
    server = await serve(FlakyRedis(time.time))
    base = str(server.make_url("")).rstrip("/")
    query = "/api/sites?checkpoint=gate-A&checkpoint=gate-B&checkpoint=gate-A"
    try:
        async with http.get(base + query) as resp:
            assert resp.status == 401
        assert await sign_in(http, base) == 303
        async with http.get(base + query) as resp:
            assert resp.status == 200
            answer = await resp.json()
        # No site declared: every checkpoint is the default site's (console/scope.py).
        assert answer == {"sites": {"gate-A": "default", "gate-B": "default"}}
    finally:
        await server.close()
