"""Roles in a real browser against the real broker and Redis: an analyst of site A never
receives site B's alerts over the live stream (every server-sent event the browser got
is read back through Chromium's DevTools protocol, not only what the page shows); VINs
and plates stay masked until an audited "show"; an auditor gets no alert at all and
searches the audit trail."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest

from screening.audit.digests import Digester, require_key
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.sites import Site, record_site
from tests.support.console import (
    A_ANALYST,
    AUDITOR,
    PASSWORD,
    SITE_A,
    SITE_B,
    SUPERVISOR,
    make_alert,
    publish,
)
from tests.support.services import collect, create_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]
VIEWPORT = {"width": 1400, "height": 900}


async def declare_sites(settings: Settings) -> None:
    redis = make_redis(settings)
    try:
        await record_site(redis, settings, Site(SITE_A, frozenset({"arena-g1"})))
        await record_site(redis, settings, Site(SITE_B, frozenset({"stadium-g1"})))
    finally:
        await redis.aclose()


class Received:
    """Every server-sent event the browser received, from Chromium itself."""

    def __init__(self) -> None:
        self.data: list[str] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.data.append(str(event.get("data", "")))

    def mention(self, alert_id: str) -> bool:
        return any(alert_id in d for d in self.data)


async def open_page(browser: Any, url: str, name: str, landing: str) -> tuple[Any, Received]:
    context = await browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.script_errors = errors
    received = Received()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    cdp.on("Network.eventSourceMessageReceived", received)
    await page.goto(url + "/")
    await page.fill("#username", name)
    await page.fill("#password", PASSWORD)
    await page.click("#signin-submit")
    await page.wait_for_selector(landing)
    return page, received


def row(alert: dict[str, Any]) -> str:
    return f"#queue tr[data-alert-id='{alert['alert_id']}']"


async def test_an_analyst_of_site_a_never_receives_site_b_alerts_over_the_stream(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    await declare_sites(settings)
    a = make_alert(list_="smv", category="stolen_vehicle", checkpoint="arena-g1", age_s=60)
    b = make_alert(checkpoint="stadium-g1", age_s=50)
    await publish(settings, settings.topic_alerts, [a, b])
    console = console_factory(settings)
    live = "#conn[data-state='live']"
    analyst, got = await open_page(browser, console.url, A_ANALYST, live)
    supervisor, _ = await open_page(browser, console.url, SUPERVISOR, live)
    await analyst.wait_for_selector(row(a))
    await supervisor.wait_for_selector(row(b))

    live_b, live_a = make_alert(checkpoint="stadium-g1"), make_alert(checkpoint="arena-g1")
    await publish(settings, settings.topic_alerts, [live_b])
    await supervisor.wait_for_selector(row(live_b))  # the console has it: not sent to A
    await publish(settings, settings.topic_alerts, [live_a])
    await analyst.wait_for_selector(row(live_a))
    assert got.mention(a["alert_id"]) and got.mention(live_a["alert_id"]), got.data[:3]
    assert not got.mention(b["alert_id"]) and not got.mention(live_b["alert_id"]), \
        "site B's alert reached site A's analyst"
    assert await analyst.locator(row(b)).count() == 0

    # The plate is masked on the page until "show", which is audited.
    await analyst.click(row(a))
    subject = analyst.locator("#subject")
    await subject.wait_for(state="attached")  # in the detail's folded "all fields"
    assert "****3CD" in (await subject.text_content() or "")
    assert "AB123CD" not in await analyst.content()
    await analyst.click("#unmask")
    await analyst.wait_for_function(
        "() => document.querySelector('#subject').textContent.includes('AB123CD')")
    audit = [m.value for m in await collect(settings, settings.topic_audit, until=4,
                                            timeout=30)]
    assert any(b'"unmask"' in v and a["alert_id"].encode() in v for v in audit)
    assert any(b'"alert_viewed"' in v and a["alert_id"].encode() in v for v in audit)
    assert not any(b"AB123CD" in v for v in audit)
    assert analyst.script_errors == [] and supervisor.script_errors == []


async def test_an_auditor_sees_no_alert_and_searches_the_audit(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    digester = Digester(require_key(settings))
    now = datetime.now(UTC).isoformat()
    records = [{"audit_id": uuid.uuid4().hex, "at": now, "action": "search",
                "actor": {"kind": "terminal", "id": "term-07", "principal": "site-default"},
                "site": "default", "checkpoint_id": "gate-A", "event_id": event,
                "outcome": "hit", "query_digests": digester.document(number, "UTO")}
               for event, number in (("evt-wanted", "L898902C3"), ("evt-other", "X1234567"))]
    await publish(settings, settings.topic_audit, records, key="event_id")
    alert = make_alert()
    await publish(settings, settings.topic_alerts, [alert])
    console = console_factory(settings)
    page, got = await open_page(browser, console.url, AUDITOR, "#audit-form")
    assert page.url.endswith("/audit")
    assert await page.locator("#alert-rows").count() == 0
    await page.goto(console.url + "/")  # the alerts page sends an auditor back
    assert page.url.endswith("/audit")
    status = await page.evaluate("() => fetch('/events').then(r => r.status)")
    assert status == 403

    await page.fill("#a-document", "L898902C3")
    await page.fill("#a-state", "UTO")
    await page.click("#a-search")
    await page.wait_for_selector("#a-status[data-state='done']")
    rows = page.locator("#audit-rows tr")
    assert await rows.count() == 1
    text = await rows.first.text_content() or ""
    assert "evt-wanted" in text and "term-07" in text and "document" in text
    assert "L898902C3" not in text, "the audit holds digests, never the number"
    assert got.data == [] and alert["alert_id"] not in await page.content()
    assert page.script_errors == []
