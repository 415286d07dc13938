"""Roles and sites in the console without Kafka: who may see which alert, what the user
store accepts, and the web layer checking role and site on every request (the same
rules against the real broker and Redis: tests/integration/test_console_roles.py)."""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from pydantic import SecretStr

from screening.console import create_app, hash_password
from screening.console.feed import Feed
from screening.console.scope import SiteMap, site_of_checkpoint
from screening.console.users import (
    ALL_SITES,
    InvalidUsers,
    User,
    UserStore,
    parse_users,
    write_users_file,
)
from screening.console.web import CONSOLE
from screening.models import AuditRecord
from screening.settings import Settings
from screening.sites import Site, Sites, record_site
from tests.support.fake_redis import FakeRedis

PASSWORD = "correct horse"
HASH = hash_password(PASSWORD, n=2**10)


def user(role: str, *sites: str) -> User:
    return User("u", HASH, role, frozenset(sites))  # type: ignore[arg-type]


# -- the rules ---------------------------------------------------------------------

@pytest.mark.parametrize("who, site, sees", [
    (user("analyst", "arena"), "arena", True),
    (user("analyst", "arena"), "stadium", False),
    (user("analyst", "arena"), None, False),            # no known site: supervisors only
    (user("analyst", "arena", "stadium"), "stadium", True),
    (user("analyst", ALL_SITES), "stadium", True),
    (user("analyst", ALL_SITES), None, False),
    (user("supervisor", ALL_SITES), "stadium", True),
    (user("supervisor", ALL_SITES), None, True),
    (user("auditor"), "arena", False),
    (user("auditor"), None, False),
])
def test_who_sees_an_alert_of_which_site(who: User, site: str | None, sees: bool) -> None:
    assert who.may_see(site) is sees
    assert who.sees_alerts is (who.role != "auditor")
    assert who.audits is (who.role == "auditor")


def test_a_checkpoint_belongs_to_the_one_site_holding_it_or_to_none() -> None:
    sites = Sites.of([Site("arena", frozenset({"arena-g1", "shared-g"})),
                      Site("stadium", frozenset({"stadium-g1", "shared-g"})),
                      Site("park")])  # no checkpoints listed: ids starting with "park"
    assert site_of_checkpoint(sites, "arena-g1") == "arena"
    assert site_of_checkpoint(sites, "park-lane-3") == "park"
    assert site_of_checkpoint(sites, "shared-g") is None, "claimed twice: nobody's to tell"
    assert site_of_checkpoint(sites, "gate-9") == "default", "the v1 topics' site"
    assert site_of_checkpoint(Sites(), "anything") == "default"
    unread = SiteMap(Settings(), FakeRedis(time.time), 10.0)
    assert unread.site_of("arena-g1") is None, "registry never read: no site (fail closed)"


# -- the user store ----------------------------------------------------------------

def test_entries_with_roles_and_sites_and_the_old_form() -> None:
    users = parse_users(f"old:{HASH},\n# a comment\nana:{HASH}:analyst:arena+stadium,"
                        f"sue:{HASH}:supervisor:,aud:{HASH}:auditor:")
    assert users["old"].role == "analyst" and users["old"].sites == {ALL_SITES}
    assert users["old"].legacy and not users["ana"].legacy
    assert users["ana"].sites == {"arena", "stadium"}
    assert users["sue"].role == "supervisor" and users["sue"].sites == {ALL_SITES}
    assert users["aud"].role == "auditor" and users["aud"].sites == frozenset()
    again = parse_users(",".join(u.entry() for u in users.values() if not u.legacy))
    assert {n: (u.role, u.sites) for n, u in again.items()} == {
        n: (u.role, u.sites) for n, u in users.items() if not u.legacy}


@pytest.mark.parametrize("entry, message", [
    (f"ana:{HASH}:boss:arena", "role 'boss'"),
    (f"ana:{HASH}:analyst:", "needs one site"),
    (f"ana:{HASH}:auditor:arena", "no sites"),
    (f"ana:{HASH}:analyst:are na", "not a site id"),
    ("ana:plaintext:analyst:arena", "not a hash"),
])
def test_bad_entries_are_refused_with_the_entry_named(entry: str, message: str) -> None:
    with pytest.raises(InvalidUsers, match=message):
        parse_users(entry)


def test_the_store_follows_its_file_and_fails_closed_on_a_broken_one(tmp_path: Path) -> None:
    path = tmp_path / "users"
    write_users_file(path, {"ana": User("ana", HASH, "analyst", frozenset({"arena"}))})
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    errors: list[str] = []
    store = UserStore("", path, on_error=errors.append)
    assert store["ana"].sites == {"arena"}
    write_users_file(path, {"ana": User("ana", HASH, "auditor", frozenset())})
    assert store["ana"].role == "auditor", "the next request sees the change"
    path.write_text("ana:not-a-hash\n")
    assert "ana" not in store and errors, "an unreadable file keeps nobody of it"
    with pytest.raises(InvalidUsers, match="also in"):
        UserStore(f"ana:{HASH}", _file(tmp_path, f"ana:{HASH}:auditor:"))


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / f"u-{uuid.uuid4().hex[:6]}"
    path.write_text(text + "\n")
    return path


# -- the web layer -----------------------------------------------------------------

class RecordingFeed(Feed):
    """Reads nothing (alerts are handed to it); keeps the audit records it writes."""

    records: list[AuditRecord]

    async def start(self) -> None:
        self.records = []
        self.ready.set()

    async def stop(self) -> None:
        return None

    async def publish_audit(self, record: AuditRecord) -> None:
        self.records.append(record)


def alert(checkpoint: str, **subject: str) -> dict[str, Any]:
    return {"alert_id": str(uuid.uuid4()), "event_id": f"e-{uuid.uuid4().hex[:8]}",
            "raised_at": datetime.now(UTC).isoformat(), "priority": "high",
            "checkpoint_id": checkpoint, "terminal_id": "t1",
            "hit": {"list": "smv", "record_id": "smv-1", "score": 0.9, "matched_on": ["plate"],
                    "category": "stolen_vehicle"},
            "subject": subject or {"plate": "AB123CD", "vin": "WVWZZZ1JZXW000001"},
            "record": {"id": "smv-1", "plate": "AB123CD"}}


class Console:
    def __init__(self, server: TestServer, users_file: Path) -> None:
        self.server = server
        self.base = str(server.make_url("")).rstrip("/")
        self.users_file = users_file

    @property
    def feed(self) -> RecordingFeed:
        feed = self.server.app[CONSOLE].feed
        assert isinstance(feed, RecordingFeed)
        return feed

    def publish(self, *alerts: dict[str, Any]) -> None:
        for a in alerts:
            self.feed.receive(self.feed.alerts_topic, orjson.dumps(a))

    def set_users(self, text: str) -> None:
        write_users_file(self.users_file, parse_users(text))


@pytest_asyncio.fixture
async def console(tmp_path: Path) -> AsyncIterator[Console]:
    redis = FakeRedis(time.time)
    settings = Settings(topic_prefix="u.", kafka_username="console")
    await record_site(redis, settings, Site("arena", frozenset({"arena-g1"})))
    await record_site(redis, settings, Site("stadium", frozenset({"stadium-g1"})))
    users_file = tmp_path / "users"
    users_file.write_text(f"ana:{HASH}:analyst:arena\nbo:{HASH}:analyst:stadium\n"
                          f"sue:{HASH}:supervisor:*\naud:{HASH}:auditor:\n")
    config = Settings(console_users_file=users_file, console_session_secret=SecretStr("s" * 32))
    feed = RecordingFeed(settings, lookback=1, max_alerts=100)
    server = TestServer(create_app(settings, config, redis=redis, feed=feed))
    await server.start_server()
    try:
        yield Console(server, users_file)
    finally:
        await server.close()


class Browser:
    def __init__(self, console: Console, http: aiohttp.ClientSession) -> None:
        self.console = console
        self.base = console.base
        self.http = http
        self.csrf = ""

    async def sign_in(self, name: str) -> None:
        async with self.http.get(self.base + "/login") as resp:
            found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
        assert found
        async with self.http.post(self.base + "/login", allow_redirects=False, data={
                "csrf": found.group(1), "username": name, "password": PASSWORD}) as resp:
            assert resp.status == 303
        async with self.http.get(self.base + "/") as resp:
            found = re.search(r'name="csrf" value="([^"]+)"', await resp.text())
        assert found
        self.csrf = found.group(1)

    async def post(self, path: str, body: Any = None) -> tuple[int, Any]:
        async with self.http.post(self.base + path, data=orjson.dumps(body or {}), headers={
                "Content-Type": "application/json", "X-CSRF-Token": self.csrf}) as resp:
            return resp.status, await resp.json()


@pytest_asyncio.fixture
async def browser(console: Console) -> AsyncIterator[Any]:
    sessions: list[aiohttp.ClientSession] = []

    def make() -> Browser:
        sessions.append(aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)))
        return Browser(console, sessions[-1])

    yield make
    for s in sessions:
        await s.close()


async def read_events(resp: aiohttp.ClientResponse, until: str) -> list[tuple[str, Any]]:
    """Events up to and including the first `until` event."""
    out: list[tuple[str, Any]] = []
    name, data = "", b""
    async for line in resp.content:
        line = line.rstrip(b"\r\n")
        if line.startswith(b"event: "):
            name = line[7:].decode()
        elif line.startswith(b"data: "):
            data += line[6:]
        elif not line and data:
            out.append((name, orjson.loads(data)))
            if name == until:
                return out
            name, data = "", b""
    return out


async def test_an_analyst_gets_only_their_sites_alerts_in_snapshot_and_live(
        console: Console, browser: Any) -> None:
    arena, stadium, nowhere = alert("arena-g1"), alert("stadium-g1"), alert("gate-9")
    console.publish(arena, stadium, nowhere)
    ana, sue = browser(), browser()
    await ana.sign_in("ana")
    await sue.sign_in("sue")
    async with ana.http.get(ana.base + "/events") as a_stream, \
            sue.http.get(sue.base + "/events") as s_stream:
        [(_, snap)] = await read_events(a_stream, "snapshot")
        assert [x["alert_id"] for x in snap["alerts"]] == [arena["alert_id"]]
        [(_, snap)] = await read_events(s_stream, "snapshot")
        assert {x["alert_id"] for x in snap["alerts"]} == {
            arena["alert_id"], stadium["alert_id"], nowhere["alert_id"]}, \
            "a supervisor sees every site, and gate-9 (default site)"
        live_b, live_a = alert("stadium-g1"), alert("arena-g1")
        console.publish(live_b, live_a)
        got = await asyncio.wait_for(read_events(a_stream, "alert"), 5)
        assert [d["alert_id"] for _, d in got] == [live_a["alert_id"]], "stadium's never sent"
    # Acts on another site's alert: as unknown as no alert.
    for path in (f"/api/alerts/{stadium['alert_id']}/view",
                 f"/api/alerts/{stadium['alert_id']}/unmask"):
        assert (await ana.post(path))[0] == 404
    status, _ = await ana.post("/api/decisions", {"alert_id": stadium["alert_id"],
                                                  "decision": "dismissed"})
    assert status == 404
    assert not [r for r in console.feed.records if r.action in ("alert_viewed", "unmask")]


async def test_views_and_unmasking_are_audited_and_vehicle_ids_are_masked_until_shown(
        console: Console, browser: Any) -> None:
    a = alert("arena-g1")
    console.publish(a)
    ana = browser()
    await ana.sign_in("ana")
    status, body = await ana.post(f"/api/alerts/{a['alert_id']}/view")
    assert status == 200
    assert body["alert"]["subject"]["plate"] == "****3CD"
    assert body["alert"]["subject"]["vin"] == "**************001"
    assert body["alert"]["record"]["plate"] == "****3CD"
    assert b"AB123CD" not in console.feed.snapshot()
    status, shown = await ana.post(f"/api/alerts/{a['alert_id']}/unmask")
    assert status == 200
    assert shown == {"subject": {"plate": "AB123CD", "vin": "WVWZZZ1JZXW000001"},
                     "record": {"plate": "AB123CD"}}
    acts = [(r.action, r.actor.id, r.alert_id, r.site, r.checkpoint_id)
            for r in console.feed.records if r.action in ("alert_viewed", "unmask")]
    assert acts == [("alert_viewed", "ana", a["alert_id"], "arena", "arena-g1"),
                    ("unmask", "ana", a["alert_id"], "arena", "arena-g1")]
    assert "AB123CD" not in repr(console.feed.records), "no plate on the audit"


async def test_an_auditor_gets_no_alert_anywhere_and_others_no_audit_view(
        console: Console, browser: Any) -> None:
    a = alert("arena-g1")
    console.publish(a)
    aud, ana = browser(), browser()
    await aud.sign_in("aud")
    async with aud.http.get(aud.base + "/", allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"] == "/audit"
    async with aud.http.get(aud.base + "/events") as resp:
        assert resp.status == 403
        assert a["alert_id"] not in await resp.text()
    for path, body in ((f"/api/alerts/{a['alert_id']}/view", None),
                       ("/api/decisions", {"alert_id": a["alert_id"], "decision": "confirmed"})):
        status, answer = await aud.post(path, body)
        assert status == 403 and a["alert_id"] not in orjson.dumps(answer).decode()
    async with aud.http.get(aud.base + "/audit") as resp:
        assert resp.status == 200 and 'id="audit-form"' in await resp.text()
    await ana.sign_in("ana")
    async with ana.http.get(ana.base + "/audit", allow_redirects=False) as resp:
        assert resp.status == 303 and resp.headers["Location"] == "/"
    assert (await ana.post("/api/audit", {"actor": "ana"}))[0] == 403
    # Without an audit key the auditor is told so, not shown an empty result.
    assert (await aud.post("/api/audit", {"document": "L898902C3"}))[0] == 503
    assert (await aud.post("/api/audit", {"dob": "1970"}))[0] == 400


async def test_a_changed_role_or_site_applies_to_the_next_request_and_ends_the_stream(
        console: Console, browser: Any) -> None:
    arena = alert("arena-g1")
    console.publish(arena)
    ana = browser()
    await ana.sign_in("ana")
    assert (await ana.post(f"/api/alerts/{arena['alert_id']}/view"))[0] == 200
    async with ana.http.get(ana.base + "/events") as stream:
        await read_events(stream, "snapshot")
        console.set_users(f"ana:{HASH}:analyst:stadium\n")
        changed = time.monotonic()
        await asyncio.wait_for(stream.content.read(), 5)
        assert time.monotonic() - changed < 1.0, "the stream outlived the change of sites"
    assert (await ana.post(f"/api/alerts/{arena['alert_id']}/view"))[0] == 404
    async with ana.http.get(ana.base + "/api/session") as resp:
        assert (await resp.json()) == {"analyst": "ana", "role": "analyst",
                                       "sites": ["stadium"]}
    console.set_users(f"ana:{HASH}:auditor:\n")
    async with ana.http.get(ana.base + "/events") as resp:
        assert resp.status == 403
    console.set_users(f"bo:{HASH}:analyst:stadium\n")
    async with ana.http.get(ana.base + "/api/session") as resp:
        assert resp.status == 401, "removed: signed out at the next request"
