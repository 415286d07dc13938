"""The analysts' console over HTTP against the real broker: sign-in, CSRF, the event
stream, decisions published and read back. The browser tests (tests/e2e/) drive the
page itself; these pin the server's rules, which a page cannot be trusted to keep."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from yarl import URL

from screening.console import verify_password, web
from screening.console.web import CONSOLE
from screening.settings import Settings
from tests.support.console import (
    ANALYST,
    HOSTILE,
    OTHER_ANALYST,
    OTHER_PASSWORD,
    PASSWORD,
    console_settings,
    make_alert,
    publish,
    users_spec,
)
from tests.support.console_pages import WAIT_S, next_event
from tests.support.services import collect, env_for, screening_cmd

pytestmark = pytest.mark.integration


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


async def test_sign_in_checks_the_hash_and_rotates_the_session(
        console: Any, pages: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("INFO", logger="screening.console")
    server = await console()
    page = pages(server)
    assert await page.sign_in(ANALYST, "wrong password") == 401
    assert await page.sign_in("nobody", PASSWORD) == 401
    assert await page.sign_in(OTHER_ANALYST, OTHER_PASSWORD) == 303
    async with page.http.get(page.base + "/api/session") as resp:
        assert (await resp.json()) == {"analyst": OTHER_ANALYST, "role": "analyst",
                                       "sites": ["*"]}
    first = page.cookie()
    assert await page.sign_in(ANALYST, PASSWORD) == 303
    assert page.cookie() != first, "a new session at every sign-in"
    assert await page.session_status(first) == 401, "the session brought to sign-in ended"
    assert await page.session_status(page.cookie()) == 200
    logged = [(r.getMessage(), getattr(r, "kv", {})) for r in caplog.records]
    assert ("sign-in refused", {"analyst": ANALYST, "address": "127.0.0.1"}) in logged
    assert ("sign-in refused", {"analyst": "?", "address": "127.0.0.1"}) in logged, \
        "an unknown name is not logged: it may be a password typed in the wrong field"
    assert ("analyst signed in", {"analyst": ANALYST, "address": "127.0.0.1"}) in logged
    text = repr(logged)
    assert "wrong password" not in text and PASSWORD not in text and "nobody" not in text


async def test_an_attacker_hammering_a_name_never_keeps_its_analyst_out(
        console: Any, pages: Any) -> None:
    # Behind one trusted proxy, so that the test can come from several addresses.
    server = await console(console_trusted_proxy_hops=1, console_signin_name_free=3,
                           console_signin_name_max_delay_s=1.0)
    attacker = pages(server, address="203.0.113.66")
    statuses = [await attacker.sign_in(ANALYST, f"guess {i}") for i in range(12)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}, statuses
    assert await attacker.sign_in(ANALYST, PASSWORD) == 429, "no more guesses from there"
    # A client's own X-Forwarded-For entries are not believed: the proxy's last one is.
    assert await attacker.sign_in(ANALYST, PASSWORD, forged="198.51.100.1") == 429

    analyst = pages(server, address="192.0.2.10")  # the analyst, from their desk
    started = asyncio.get_running_loop().time()
    assert await analyst.sign_in(ANALYST, PASSWORD) == 303, "locked out by an attacker"
    assert asyncio.get_running_loop().time() - started < 10, "slowed down, not for long"
    async with analyst.http.get(analyst.base + "/api/session") as resp:
        assert (await resp.json())["analyst"] == ANALYST

    # One address gets only so many attempts a minute, whatever the names.
    spray = pages(server, address="203.0.113.67")
    sprayed = [await spray.sign_in(f"user{i}", "x") for i in range(25)]
    assert sprayed[:20] == [401] * 20 and set(sprayed[20:]) == {429}, sprayed


async def test_sign_out_ends_the_session_and_its_open_stream_at_once(
        console: Any, pages: Any) -> None:
    server = await console()
    page = pages(server)
    assert await page.sign_in() == 303
    cookie = page.cookie()
    stream = page.events()
    await next_event(stream, "snapshot")

    async def drain() -> None:
        async for _ in stream:
            pass
    ended = asyncio.create_task(drain())
    await asyncio.sleep(0.5)
    assert not ended.done()
    async with page.http.post(page.base + "/logout", allow_redirects=False,
                              data={"csrf": page.csrf}) as resp:
        assert resp.status == 303
    signed_out = asyncio.get_running_loop().time()
    await asyncio.wait_for(ended, 5)
    assert asyncio.get_running_loop().time() - signed_out < 1.0, "the stream outlived sign-out"
    assert await page.session_status(cookie) == 401, "a copy of the cookie is worth nothing"


async def test_an_administrator_revokes_an_analysts_sessions_on_every_console(
        console: Any, pages: Any, settings: Settings) -> None:
    one, two = await console(), await console()  # two replicas sharing Redis
    page, other = pages(one), pages(two)
    assert await page.sign_in() == 303
    assert await other.sign_in(OTHER_ANALYST, OTHER_PASSWORD) == 303
    assert await pages(two).session_status(page.cookie()) == 200, "replicas share sessions"
    stream = page.events()
    await next_event(stream, "snapshot")

    env = env_for(console_settings(settings)) | {"SCREENING_CONSOLE_USERS": users_spec()}
    listed = await asyncio.to_thread(subprocess.run, screening_cmd("console", "sessions", "list"),
                                     capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == [
        ANALYST, OTHER_ANALYST]
    assert page.cookie().split(".")[0] not in listed.stdout

    async def drain() -> None:
        async for _ in stream:
            pass
    ended = asyncio.create_task(drain())
    revoked = await asyncio.to_thread(subprocess.run,
                                      screening_cmd("console", "sessions", "revoke", ANALYST),
                                      capture_output=True, text=True, env=env, timeout=60)
    assert revoked.returncode == 0 and "1 session(s) ended" in revoked.stdout, revoked.stderr
    done_at = asyncio.get_running_loop().time()
    await asyncio.wait_for(ended, 5)
    assert asyncio.get_running_loop().time() - done_at < 1.0
    assert await page.session_status(page.cookie()) == 401
    assert await other.session_status(other.cookie()) == 200, "only that analyst's"


async def test_a_decision_dated_2199_on_the_topic_locks_nothing(
        console: Any, pages: Any, settings: Settings) -> None:
    alert = make_alert(priority="high")  # (a critical one's confirmation needs four eyes)
    await publish(settings, settings.topic_alerts, [alert])
    forged = {"alert_id": alert["alert_id"], "decision": "dismissed", "analyst": "mallory",
              "decided_at": "2199-01-01T00:00:00+00:00", "note": ""}
    await publish(settings, settings.topic_decisions, [forged])  # as admin, before the console
    server = await console()
    page = pages(server)
    assert await page.sign_in() == 303
    stream = page.events()
    snap = await next_event(stream, "snapshot")
    assert alert["alert_id"] in {a["alert_id"] for a in snap["alerts"]}
    assert snap["decisions"] == [], "the forged decision is not shown"
    async with page.http.get(page.base + "/healthz") as resp:
        assert (await resp.json())["future_decisions_ignored"] == 1

    status, body = await page.decide(alert["alert_id"], "confirmed", "seen at the gate")
    assert status == 202, body
    shown = await next_event(stream, "decision", lambda d: d["alert_id"] == alert["alert_id"])
    assert (shown["analyst"], shown["decision"]) == (ANALYST, "confirmed")
    records = await collect(settings, settings.topic_decisions, until=2, timeout=WAIT_S)
    mine = orjson.loads(records[-1].value)
    assert (mine["analyst"], mine["decision"]) == (ANALYST, "confirmed")
    decided = datetime.fromisoformat(mine["decided_at"])
    assert abs((decided - datetime.now(UTC)).total_seconds()) < 60, "the console's own clock"
    # The real decision is the alert's: a second one is refused as usual.
    assert (await page.decide(alert["alert_id"]))[0] == 409


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


async def test_a_csrf_pair_made_signed_out_and_planted_does_not_pass_in_a_session(
        console: Any, pages: Any, settings: Settings) -> None:
    alert = make_alert()
    await publish(settings, settings.topic_alerts, [alert])
    server = await console()
    attacker, victim = pages(server), pages(server)
    planted = await attacker.token()  # the attacker's own cookie and its token, from us
    cookie = next(c.value for c in attacker.http.cookie_jar if c.key == "scr_csrf")
    assert await victim.sign_in() == 303
    # Planted by a sibling site (over the victim's own one).
    victim.http.cookie_jar.update_cookies({"scr_csrf": cookie}, response_url=URL(victim.base))
    assert [c.value for c in victim.http.cookie_jar if c.key == "scr_csrf"] == [cookie]
    assert (await victim.decide(alert["alert_id"], token=planted))[0] == 403
    assert (await victim.decide(alert["alert_id"], **{"Sec-Fetch-Site": "cross-site"}))[0] == 403
    await victim.token("/")
    assert (await victim.decide(alert["alert_id"]))[0] == 202


async def test_over_https_cookies_are_host_only_and_secure(console: Any, pages: Any) -> None:
    page = pages(await console(console_secure_cookies=True))
    async with page.http.get(page.base + "/login") as resp:
        set_cookie = resp.headers.getall("Set-Cookie")
    [csrf] = [c for c in set_cookie if c.startswith("__Host-scr_csrf=")]
    assert "Secure" in csrf and "HttpOnly" in csrf and "Path=/" in csrf
    assert "SameSite=Strict" in csrf and "Domain" not in csrf


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

    status, sent = await first.decide(live["alert_id"], "dismissed", "plate misread\n(2 chars)",
                                      reason="different_vehicle")
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
