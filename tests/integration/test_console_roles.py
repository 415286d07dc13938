"""Console roles and sites against the real broker and Redis: an analyst gets their
sites' alerts only, on every request and over the stream; a role or site changed with
`screening console users` applies to the next request and ends an open stream within a
second; the auditor searches the audit (read by the console's principal) and gets no
alert. The browser side: tests/e2e/test_console_roles_browser.py."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.audit.digests import Digester, require_key
from screening.console import verify_password
from screening.console.users import User, read_users_file, write_users_file
from screening.settings import Settings
from screening.sites import Site, record_site
from tests.support.console import (
    A_ANALYST,
    AUDITOR,
    B_ANALYST,
    PASSWORD,
    SITE_A,
    SITE_B,
    SUPERVISOR,
    console_settings,
    make_alert,
    publish,
)
from tests.support.console_pages import WAIT_S, next_event
from tests.support.services import collect, env_for, screening_cmd

pytestmark = pytest.mark.integration


async def declare_sites(redis_client: Any, settings: Settings) -> None:
    """Site A holds gate arena-g1, site B stadium-g1, in the registry workers read."""
    await record_site(redis_client, settings, Site(SITE_A, frozenset({"arena-g1"})))
    await record_site(redis_client, settings, Site(SITE_B, frozenset({"stadium-g1"})))


async def audit_records(settings: Settings, n: int) -> list[dict[str, Any]]:
    return [orjson.loads(m.value) for m in
            await collect(settings, settings.topic_audit, until=n, timeout=WAIT_S)]


async def test_an_analyst_gets_their_sites_alerts_only_on_every_request(
        console: Any, pages: Any, settings: Settings, redis_client: Any) -> None:
    await declare_sites(redis_client, settings)
    a, b = make_alert(checkpoint="arena-g1"), make_alert(checkpoint="stadium-g1")
    elsewhere = make_alert(checkpoint="gate-9")  # no declared site: the default site's
    vehicle = make_alert(list_="smv", category="stolen_vehicle", checkpoint="arena-g1")
    await publish(settings, settings.topic_alerts, [a, b, elsewhere, vehicle])
    server = await console()
    analyst, supervisor = pages(server), pages(server)
    assert await analyst.sign_in(A_ANALYST, PASSWORD) == 303
    assert await supervisor.sign_in(SUPERVISOR, PASSWORD) == 303
    mine, everything = analyst.events(), supervisor.events()
    snap = await next_event(mine, "snapshot")
    assert {x["alert_id"] for x in snap["alerts"]} == {a["alert_id"], vehicle["alert_id"]}
    snap = await next_event(everything, "snapshot")
    assert {x["alert_id"] for x in snap["alerts"]} == {
        a["alert_id"], b["alert_id"], elsewhere["alert_id"], vehicle["alert_id"]}

    # B's live alert reaches the console (the supervisor sees it) before A's is even
    # published: were it sent to the analyst, it would come before A's.
    live_b, live_a = make_alert(checkpoint="stadium-g1"), make_alert(checkpoint="arena-g1")
    await publish(settings, settings.topic_alerts, [live_b])
    await next_event(everything, "alert", lambda x: x["alert_id"] == live_b["alert_id"])
    await publish(settings, settings.topic_alerts, [live_a])
    got = await next_event(mine, "alert")
    assert got["alert_id"] == live_a["alert_id"], "another site's alert reached the analyst"

    # Every act on another site's alert: as unknown as no alert; nothing audited.
    for path in (f"/api/alerts/{b['alert_id']}/view", f"/api/alerts/{b['alert_id']}/unmask"):
        assert (await analyst.post(path))[0] == 404, path
    assert (await analyst.decide(b["alert_id"]))[0] == 404
    # The vehicle's plate is masked until an audited "show".
    status, view = await analyst.post(f"/api/alerts/{vehicle['alert_id']}/view")
    assert status == 200 and view["alert"]["subject"]["plate"] == "****3CD"
    status, shown = await analyst.post(f"/api/alerts/{vehicle['alert_id']}/unmask")
    assert status == 200 and shown["subject"]["plate"] == "AB123CD"
    acts = [r for r in await audit_records(settings, 4)
            if r["action"] in ("alert_viewed", "unmask")]
    assert [(r["action"], r["actor"]["id"], r["actor"]["principal"], r["alert_id"], r["site"])
            for r in acts] == [
        ("alert_viewed", A_ANALYST, "console", vehicle["alert_id"], SITE_A),
        ("unmask", A_ANALYST, "console", vehicle["alert_id"], SITE_A)]
    assert "AB123CD" not in orjson.dumps(acts).decode()
    # A supervisor decides on an alert of no known site's... of the default site, too.
    assert (await supervisor.decide(elsewhere["alert_id"]))[0] == 202


async def test_a_role_or_site_changed_by_the_users_command_ends_the_stream_within_a_second(
        console: Any, pages: Any, settings: Settings, redis_client: Any,
        tmp_path: Path) -> None:
    await declare_sites(redis_client, settings)
    a = make_alert(checkpoint="arena-g1")
    await publish(settings, settings.topic_alerts, [a])
    users_file = tmp_path / "users"
    from screening.console.auth import hash_password
    write_users_file(users_file, {"ana": User("ana", hash_password(PASSWORD), "analyst",
                                              frozenset({SITE_A}))})
    server = await console(console_users="", console_users_file=users_file)
    page = pages(server)
    assert await page.sign_in("ana", PASSWORD) == 303
    assert (await page.post(f"/api/alerts/{a['alert_id']}/view"))[0] == 200
    env = env_for(console_settings(settings)) | {"SCREENING_CONSOLE_USERS_FILE": str(users_file),
                                                 "SCREENING_CONSOLE_USERS": ""}
    loop = asyncio.get_running_loop()

    async def users(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        done = await asyncio.to_thread(
            subprocess.run, screening_cmd("console", "users", *args), input=stdin,
            capture_output=True, text=True, env=env, timeout=60)
        return done

    async def ends_within_a_second(change: tuple[str, ...]) -> None:
        stream = page.events()
        await next_event(stream, "snapshot")

        async def drain() -> None:
            async for _ in stream:
                pass
        ended = asyncio.create_task(drain())
        await asyncio.sleep(0.5)
        assert not ended.done()
        done = await users(*change)
        assert done.returncode == 0, done.stderr
        changed = loop.time()
        await asyncio.wait_for(ended, 5)
        assert loop.time() - changed < 1.0, f"the stream outlived `users {' '.join(change)}`"

    await ends_within_a_second(("add", "ana", "--role", "analyst", "--site", SITE_B,
                                "--keep-password"))
    # The next request already has the new scope: site A's alert is out of it now.
    assert (await page.post(f"/api/alerts/{a['alert_id']}/view"))[0] == 404
    async with page.http.get(page.base + "/api/session") as resp:
        assert (await resp.json()) == {"analyst": "ana", "role": "analyst", "sites": [SITE_B]}
    await ends_within_a_second(("remove", "ana"))
    async with page.http.get(page.base + "/api/session") as resp:
        assert resp.status == 401, "a removed user is signed out"


def test_the_users_command_adds_lists_and_removes_with_hashed_passwords(
        settings: Settings, tmp_path: Path) -> None:
    path = tmp_path / "console-users"
    env = env_for(settings) | {"SCREENING_CONSOLE_USERS_FILE": str(path),
                               "SCREENING_CONSOLE_USERS": f"inline.user:{'x' * 3}"}

    def users(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(screening_cmd("console", "users", *args), input=stdin,
                              capture_output=True, text=True, env=env, timeout=60)

    # An unreadable inline entry is said, not ignored.
    assert users("list").returncode == 2
    env["SCREENING_CONSOLE_USERS"] = ""
    done = users("add", "ana", "--role", "analyst", "--site", SITE_A, "--site", SITE_B,
                 stdin="a long passphrase\n")
    assert done.returncode == 0, done.stderr
    assert users("add", "sue", "--role", "supervisor", stdin="another one\n").returncode == 0
    assert users("add", "aud", "--role", "auditor", stdin="third one\n").returncode == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    stored = read_users_file(path)
    assert (stored["ana"].role, stored["ana"].sites) == ("analyst", {SITE_A, SITE_B})
    assert verify_password("a long passphrase", stored["ana"].encoded)
    assert "a long passphrase" not in path.read_text()
    assert (stored["sue"].role, stored["aud"].role, stored["aud"].sites) == (
        "supervisor", "auditor", frozenset())
    listed = users("list")
    assert listed.returncode == 0
    assert [line.split("\t")[:3] for line in listed.stdout.splitlines()] == [
        ["ana", "analyst", f"{SITE_A},{SITE_B}"], ["aud", "auditor", "-"],
        ["sue", "supervisor", "*"]]
    assert "scrypt" not in listed.stdout
    # Refused: an analyst without a site, sites for an auditor, a bad site, no password.
    for args, stdin in ((("add", "x", "--role", "analyst"), "pw\n"),
                        (("add", "x", "--role", "auditor", "--site", SITE_A), "pw\n"),
                        (("add", "x", "--role", "analyst", "--site", "a b"), "pw\n"),
                        (("add", "x", "--role", "analyst", "--site", SITE_A), "\n")):
        assert users(*args, stdin=stdin).returncode != 0, args
    assert "x" not in read_users_file(path)
    assert users("remove", "ana").returncode == 0
    assert users("remove", "ana").returncode == 1
    assert set(read_users_file(path)) == {"sue", "aud"}


async def test_the_auditor_searches_the_audit_as_the_console_and_gets_no_alert(
        console: Any, pages: Any, settings: Settings) -> None:
    digester = Digester(require_key(settings))
    now = datetime.now(UTC).isoformat()

    def search(event: str, digests: list[str]) -> dict[str, Any]:
        return {"audit_id": uuid.uuid4().hex, "at": now, "action": "search",
                "actor": {"kind": "terminal", "id": "term-07", "principal": "site-default"},
                "site": "default", "checkpoint_id": "gate-A", "event_id": event,
                "outcome": "hit", "query_digests": digests}

    wanted = search("evt-wanted", digester.document("L898902C3", "UTO"))
    other = search("evt-other", digester.document("X1234567", "UTO"))
    plate = search("evt-plate", digester.plate("AB123CD", "F"))
    await publish(settings, settings.topic_audit, [wanted, other, plate], key="event_id")
    alert = make_alert()
    await publish(settings, settings.topic_alerts, [alert])
    server = await console()
    auditor, analyst = pages(server), pages(server)
    assert await auditor.sign_in(AUDITOR, PASSWORD) == 303
    async with auditor.http.get(auditor.base + "/events") as resp:
        assert resp.status == 403 and alert["alert_id"] not in await resp.text()
    async with auditor.http.get(auditor.base + "/", allow_redirects=False) as resp:
        assert resp.headers["Location"] == "/audit"
    status, found = await auditor.post("/api/audit", {"document": "L898902C3", "state": "UTO"})
    assert status == 200, found
    assert [r["event_id"] for r in found["records"]] == ["evt-wanted"]
    status, found = await auditor.post("/api/audit", {"plate": "AB 123 CD", "country": "F"})
    assert [r["event_id"] for r in found["records"]] == ["evt-plate"]
    status, found = await auditor.post("/api/audit", {"actor": "term-07", "from": "1h"})
    assert {r["event_id"] for r in found["records"]} == {"evt-wanted", "evt-other", "evt-plate"}
    assert (await auditor.post("/api/audit", {"state": "UTO"}))[0] == 400
    # Nobody else opens the audit: an analyst of every site neither.
    assert await analyst.sign_in(B_ANALYST, PASSWORD) == 303
    assert (await analyst.post("/api/audit", {"document": "L898902C3"}))[0] == 403
