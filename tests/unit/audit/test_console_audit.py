"""The console's acts on the audit: sign-ins (and failures), sign-outs, decisions; never
a password, and a mistyped name (perhaps a password) is not recorded as the actor."""

from __future__ import annotations

import re
import time
from typing import Any

import aiohttp
import orjson
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from screening.console import create_app, hash_password
from screening.console.feed import Feed
from screening.models import AuditRecord
from screening.settings import Settings
from tests.support.fake_redis import FakeRedis

PASSWORD = "correct horse"


class RecordingFeed(Feed):
    """Reads nothing; keeps the audit records it is asked to write."""

    records: list[AuditRecord]

    async def start(self) -> None:
        self.records = []
        self.ready.set()

    async def stop(self) -> None:
        return None

    async def publish_audit(self, record: AuditRecord) -> None:
        self.records.append(record)


async def _token(http: aiohttp.ClientSession, url: str) -> str:
    async with http.get(url) as resp:
        found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
    assert found
    return found.group(1)


async def test_sign_in_failure_and_sign_out_are_audited() -> None:
    settings = Settings(topic_prefix="u.", kafka_username="console")
    console = Settings(console_users=SecretStr(f"ana:{hash_password(PASSWORD, n=2**10)}"),
                       console_session_secret=SecretStr("s" * 32))
    feed = RecordingFeed(settings, lookback=1, max_alerts=10)
    server = TestServer(create_app(settings, console, redis=FakeRedis(time.time), feed=feed))
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            for name, password in (("ana", "wrong"), ("correct horse", "x"), ("ana", PASSWORD)):
                async with http.post(base + "/login", allow_redirects=False, data={
                        "csrf": await _token(http, base + "/login"), "username": name,
                        "password": password}) as resp:
                    assert resp.status in (303, 401)
            csrf = await _token(http, base + "/")
            async with http.post(base + "/logout", allow_redirects=False,
                                 data={"csrf": csrf}) as resp:
                assert resp.status == 303
    finally:
        await server.close()
    got: list[Any] = [(r.action, r.actor.kind, r.actor.id, r.actor.principal, r.outcome)
                      for r in feed.records]
    assert got == [("sign_in_failed", "analyst", "ana", "console", "refused"),
                   ("sign_in_failed", "analyst", "?", "console", "refused"),
                   ("sign_in", "analyst", "ana", "console", "ok"),
                   ("sign_out", "analyst", "ana", "console", "ok")]
    text = b"".join(orjson.dumps(r.model_dump(mode="json")) for r in feed.records)
    assert PASSWORD.encode() not in text and b"correct horse" not in text
    assert len({r.audit_id for r in feed.records}) == 4
