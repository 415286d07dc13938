"""The console served in the test's own process, and a client with one browser's
cookies: shared by the console's integration tests (test_console*.py), which import
the fixtures `console` and `pages` from here."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import orjson
import pytest_asyncio
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from screening.console import create_app
from screening.console.web import CONSOLE
from screening.settings import Settings
from tests.support.console import ANALYST, PASSWORD, SESSION_SECRET, console_settings, users_spec
from tests.support.services import create_topics

WAIT_S = 30.0


class Page:
    """One browser's worth of cookies against the console, for plain HTTP tests."""

    def __init__(self, server: TestServer, address: str | None = None) -> None:
        self.base = str(server.make_url("")).rstrip("/")
        # The address a trusted proxy would report (console_trusted_proxy_hops=1).
        headers = {"X-Forwarded-For": address} if address else None
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),
                                          headers=headers)
        self.address = address
        self.csrf = ""

    def cookie(self) -> str:
        return next(c.value for c in self.http.cookie_jar if c.key == "scr_session")

    async def session_status(self, cookie: str) -> int:
        """What /api/session answers a client holding only `cookie`."""
        async with aiohttp.ClientSession() as bare, bare.get(
                self.base + "/api/session", headers={"Cookie": f"scr_session={cookie}"}) as resp:
            return resp.status

    async def close(self) -> None:
        await self.http.close()

    async def token(self, path: str = "/login") -> str:
        async with self.http.get(self.base + path) as resp:
            html = await resp.text()
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, html[:500]
        self.csrf = found.group(1)
        return self.csrf

    async def sign_in(self, name: str = ANALYST, password: str = PASSWORD,
                      forged: str | None = None) -> int:
        token = await self.token()
        headers = {"X-Forwarded-For": f"{forged}, {self.address}"} if forged else {}
        async with self.http.post(self.base + "/login", allow_redirects=False, headers=headers,
                                  data={"csrf": token, "username": name,
                                        "password": password}) as resp:
            status = resp.status
        if status == 303:
            await self.token("/")  # the token rotates at sign-in
        return status

    async def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        """A JSON POST the way the page makes it (its token in X-CSRF-Token)."""
        async with self.http.post(self.base + path, data=orjson.dumps(body or {}), headers={
                "Content-Type": "application/json", "X-CSRF-Token": self.csrf}) as resp:
            return resp.status, await resp.json()

    async def decide(self, alert_id: str, decision: str = "confirmed", note: str = "",
                     token: str | None = None, reason: str | None = None,
                     **headers: str) -> tuple[int, Any]:
        """A step; `reason` a code of screening/procedure.py's REASONS (needed for
        dismissed and not_confirmed)."""
        body = {"alert_id": alert_id, "decision": decision, "note": note}
        async with self.http.post(
                self.base + "/api/decisions",
                data=orjson.dumps(body | ({"reason": reason} if reason else {})),
                headers={"Content-Type": "application/json",
                         "X-CSRF-Token": self.csrf if token is None else token, **headers},
        ) as resp:
            return resp.status, await resp.json()

    async def events(self) -> AsyncIterator[tuple[str, Any]]:
        """(event name, decoded data) as the server sends them."""
        async with self.http.get(self.base + "/events") as resp:
            assert resp.status == 200, await resp.text()
            name, data = "message", b""
            async for line in resp.content:
                line = line.rstrip(b"\r\n")
                if line.startswith(b"event: "):
                    name = line[7:].decode()
                elif line.startswith(b"data: "):
                    data += line[6:]
                elif not line and data:
                    yield name, orjson.loads(data)
                    name, data = "message", b""


async def next_event(stream: AsyncIterator[tuple[str, Any]], name: str,
                     match: Callable[[Any], bool] = lambda _: True) -> Any:
    async def find() -> Any:
        async for event, data in stream:
            if event == name and match(data):
                return data
        raise AssertionError("event stream ended")
    return await asyncio.wait_for(find(), WAIT_S)


@pytest_asyncio.fixture
async def console(settings: Settings, redis_client: Any,
                  ) -> AsyncIterator[Callable[..., Awaitable[TestServer]]]:
    """Starts the console in this process, after whatever the test published first, as
    it runs deployed: Kafka principal `console`, Redis user `console` (TLS). Its Redis
    keys are removed afterwards (redis_client)."""
    await create_topics(settings)
    servers: list[TestServer] = []

    async def start(**overrides: Any) -> TestServer:
        values: dict[str, Any] = {"console_users": SecretStr(users_spec()),
                                  "console_session_secret": SecretStr(SESSION_SECRET),
                                  "console_lookback": 50,
                                  "console_instance": f"test-{len(servers)}"}
        config = Settings(**(values | overrides))
        server = TestServer(create_app(console_settings(settings), config), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        await asyncio.wait_for(server.app[CONSOLE].feed.ready.wait(), WAIT_S)
        return server

    yield start
    for server in servers:
        await server.close()


@pytest_asyncio.fixture
async def pages() -> AsyncIterator[Callable[..., Page]]:
    made: list[Page] = []

    def make(server: TestServer, address: str | None = None) -> Page:
        made.append(Page(server, address))
        return made[-1]

    yield make
    for page in made:
        await page.close()


