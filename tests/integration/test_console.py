"""The analysts' console over HTTP against the real broker: sign-in, CSRF, the event
stream, decisions published and read back. The browser tests (tests/e2e/) drive the
page itself; these pin the server's rules, which a page cannot be trusted to keep."""

from __future__ import annotations

import asyncio
import re
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from screening.console import create_app, verify_password, web
from screening.console.web import CONSOLE
from screening.settings import Settings

from ..e2e.console_support import (
    ANALYST,
    HOSTILE,
    OTHER_ANALYST,
    OTHER_PASSWORD,
    PASSWORD,
    SESSION_SECRET,
    make_alert,
    publish,
    users_spec,
)
from .conftest import collect, create_topics, env_for, screening_cmd

pytestmark = pytest.mark.integration
WAIT_S = 30.0


class Page:
    """One browser's worth of cookies against the console, for plain HTTP tests."""

    def __init__(self, server: TestServer) -> None:
        self.base = str(server.make_url("")).rstrip("/")
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.csrf = ""

    async def close(self) -> None:
        await self.http.close()

    async def token(self, path: str = "/login") -> str:
        async with self.http.get(self.base + path) as resp:
            html = await resp.text()
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, html[:500]
        self.csrf = found.group(1)
        return self.csrf

    async def sign_in(self, name: str = ANALYST, password: str = PASSWORD) -> int:
        token = await self.token()
        async with self.http.post(self.base + "/login", allow_redirects=False,
                                  data={"csrf": token, "username": name,
                                        "password": password}) as resp:
            status = resp.status
        if status == 303:
            await self.token("/")  # the token rotates at sign-in
        return status

    async def decide(self, alert_id: str, decision: str = "confirmed", note: str = "",
                     token: str | None = None, **headers: str) -> tuple[int, Any]:
        async with self.http.post(
                self.base + "/api/decisions",
                data=orjson.dumps({"alert_id": alert_id, "decision": decision, "note": note}),
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
async def console(settings: Settings) -> AsyncIterator[Callable[[], Awaitable[TestServer]]]:
    """Starts the console in this process, after whatever the test published first."""
    await create_topics(settings)
    servers: list[TestServer] = []

    async def start() -> TestServer:
        config = Settings(console_users=SecretStr(users_spec()),
                                 console_session_secret=SecretStr(SESSION_SECRET),
                                 console_lookback=50)
        server = TestServer(create_app(settings, config), host="127.0.0.1")
        await server.start_server()
        servers.append(server)
        await asyncio.wait_for(server.app[CONSOLE].feed.ready.wait(), WAIT_S)
        return server

    yield start
    for server in servers:
        await server.close()


@pytest_asyncio.fixture
async def pages() -> AsyncIterator[Callable[[TestServer], Page]]:
    made: list[Page] = []

    def make(server: TestServer) -> Page:
        made.append(Page(server))
        return made[-1]

    yield make
    for page in made:
        await page.close()


async def test_nothing_is_shown_or_accepted_without_signing_in(console: Any, pages: Any) -> None:
    page = pages(await console())
    async with page.http.get(page.base + "/", allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"] == "/login"
    for path in ("/events", "/api/session"):
        async with page.http.get(page.base + path) as resp:
            assert resp.status == 401, path
    await page.token()
    status, _ = await page.decide("any-alert")
    assert status == 401


async def test_sign_in_checks_the_hash_and_locks_a_name_after_five_failures(
        console: Any, pages: Any) -> None:
    server = await console()
    page = pages(server)
    assert await page.sign_in(ANALYST, "wrong password") == 401
    assert await page.sign_in("nobody", PASSWORD) == 401
    assert await page.sign_in(OTHER_ANALYST, OTHER_PASSWORD) == 303
    async with page.http.get(page.base + "/api/session") as resp:
        assert (await resp.json()) == {"analyst": OTHER_ANALYST}

    other = pages(server)  # the name counts, not the browser: one failure above already
    for _ in range(3):
        assert await other.sign_in(ANALYST, "still wrong") == 401
    assert await other.sign_in(ANALYST, "wrong a fifth time") == 401
    assert await other.sign_in(ANALYST, PASSWORD) == 429, "locked, even with the right one"


async def test_posts_need_the_pages_token_and_our_origin(console: Any, pages: Any,
                                                         settings: Settings) -> None:
    alert = make_alert()
    await publish(settings, settings.topic_alerts, [alert])
    server = await console()
    page, forged = pages(server), pages(server)
    # A sign-in form posted without the page's token is refused.
    async with forged.http.post(forged.base + "/login", allow_redirects=False,
                                data={"username": ANALYST, "password": PASSWORD}) as resp:
        assert resp.status == 403
    assert await page.sign_in() == 303
    assert (await page.decide(alert["alert_id"], token=""))[0] == 403
    assert (await page.decide(alert["alert_id"], token="x" + page.csrf[1:]))[0] == 403
    assert (await page.decide(alert["alert_id"], Origin="http://evil.example"))[0] == 403
    status, body = await page.decide(alert["alert_id"], note="checked the passport")
    assert status == 202, body


async def test_recent_then_live_alerts_and_decisions_reach_every_page(
        console: Any, pages: Any, settings: Settings) -> None:
    before = [make_alert(age_s=120), make_alert(list_="sltd", category="stolen",
                                                priority="high", age_s=60)]
    await publish(settings, settings.topic_alerts, before)
    server = await console()
    first, second = pages(server), pages(server)
    assert await first.sign_in() == 303
    assert await second.sign_in(OTHER_ANALYST, OTHER_PASSWORD) == 303
    first_events, second_events = first.events(), second.events()

    snapshot = await next_event(first_events, "snapshot")
    assert [a["alert_id"] for a in snapshot["alerts"]] == [a["alert_id"] for a in before[::-1]]
    await next_event(second_events, "snapshot")

    live = make_alert(list_="smv", category="stolen_vehicle", priority="high")
    await publish(settings, settings.topic_alerts, [live])
    got = await next_event(first_events, "alert", lambda a: a["alert_id"] == live["alert_id"])
    assert got["hit"]["category"] == "stolen_vehicle"

    status, sent = await first.decide(live["alert_id"], "dismissed", "plate misread\n(2 chars)")
    assert status == 202, sent
    for stream in (first_events, second_events):
        shown = await next_event(stream, "decision", lambda d: d["alert_id"] == live["alert_id"])
        assert (shown["decision"], shown["analyst"]) == ("dismissed", ANALYST)

    [record] = await collect(settings, settings.topic_decisions, until=1, timeout=WAIT_S)
    decision = orjson.loads(record.value)
    assert record.key == live["alert_id"].encode()
    assert decision["analyst"] == ANALYST and decision["decision"] == "dismissed"
    assert decision["note"] == "plate misread\n(2 chars)"

    assert (await second.decide(live["alert_id"], "confirmed"))[0] == 409
    assert (await second.decide("no-such-alert", "confirmed"))[0] == 404
    assert (await second.decide(before[0]["alert_id"], "maybe"))[0] == 400

    # A console started now shows the same alerts and the decision, from the topics alone.
    late = pages(await console())
    assert await late.sign_in() == 303
    snap = await next_event(late.events(), "snapshot")
    assert {a["alert_id"] for a in snap["alerts"]} == {a["alert_id"] for a in [*before, live]}
    assert [d["alert_id"] for d in snap["decisions"]] == [live["alert_id"]]


async def test_alerts_reach_pages_masked_and_bad_messages_do_not_stop_the_feed(
        console: Any, pages: Any, settings: Settings) -> None:
    server = await console()
    page = pages(server)
    assert await page.sign_in() == 303
    stream = page.events()
    await next_event(stream, "snapshot")
    leaky = make_alert(surname=HOSTILE, future_field={"added": "later"})
    leaky["subject"]["document_number"] = "L898902C3"  # an upstream slip
    garbage = {"alert_id": "garbage", "not": "an alert"}
    await publish(settings, settings.topic_alerts, [garbage, leaky])
    got = await next_event(stream, "alert", lambda a: a["alert_id"] == leaky["alert_id"])
    assert got["subject"]["document_number"] == "******2C3"
    assert got["record"]["documents"][0]["number"] == "******2C3"
    assert got["subject"]["surname"] == HOSTILE, "kept as text: the page escapes it"
    assert "future_field" not in got
    assert server.app[CONSOLE].feed.alert("garbage") is None


async def test_an_open_stream_ends_when_the_analyst_is_removed(
        console: Any, pages: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web, "KEEPALIVE_S", 0.2)
    server = await console()
    page = pages(server)
    assert await page.sign_in() == 303
    stream = page.events()
    await next_event(stream, "snapshot")
    sessions = server.app[CONSOLE].sessions
    sessions.users = {k: v for k, v in sessions.users.items() if k != ANALYST}

    async def drain() -> None:
        async for _ in stream:
            pass
    await asyncio.wait_for(drain(), WAIT_S)  # the server closed it
    async with page.http.get(page.base + "/api/session") as resp:
        assert resp.status == 401


async def test_pages_follow_the_language_cookie_and_send_strict_headers(
        console: Any, pages: Any) -> None:
    page = pages(await console())
    assert await page.sign_in() == 303
    async with page.http.post(page.base + "/lang", allow_redirects=False,
                              data={"csrf": page.csrf, "lang": "ar", "next": "/"}) as resp:
        assert resp.status == 303
    async with page.http.get(page.base + "/") as resp:
        html = await resp.text()
        headers = resp.headers
    assert '<html lang="ar" dir="rtl">' in html
    assert "التطابق مؤشر وليس تأكيدًا" in html
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in html, "no inline script: the policy forbids it"
    session_cookie = next(c for c in page.http.cookie_jar if c.key == "scr_session")
    assert session_cookie["httponly"] and session_cookie["samesite"] == "Strict"


def test_hash_password_command_and_no_console_without_analysts(settings: Settings) -> None:
    done = subprocess.run(screening_cmd("console", "hash-password", "--user", "ana"),
                          input="s3cret passphrase\n", capture_output=True, text=True,
                          env=env_for(settings), timeout=60)
    assert done.returncode == 0, done.stderr
    name, _, encoded = done.stdout.strip().partition(":")
    assert name == "ana" and encoded.startswith("scrypt$")
    assert verify_password("s3cret passphrase", encoded)
    assert not verify_password("s3cret passphrasf", encoded)

    refused = subprocess.run(screening_cmd("console"), capture_output=True, text=True,
                             env=env_for(settings) | {"SCREENING_CONSOLE_USERS": ""},
                             timeout=60)
    assert refused.returncode == 2
    assert "no analysts" in refused.stderr
