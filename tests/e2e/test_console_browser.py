"""The analysts' console in a real browser against the real broker: alerts published to
Kafka appear live, filter, open to their explanation, and a confirmation made on one
page shows on another and lands on the decisions topic. A screenshot of each language
is kept under tests/artifacts/."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.console.i18n import LANGUAGES, direction, strings
from screening.settings import Settings
from tests.support.browser import VIEWPORT, in_language, row, signed_in
from tests.support.console import (
    ANALYST,
    HOSTILE,
    OTHER_ANALYST,
    OTHER_PASSWORD,
    SUPERVISOR,
    make_alert,
    publish,
)
from tests.support.services import collect, create_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EN = strings("en")


async def rows_shown(page: Any, n: int) -> None:
    # A function, not an expression string: the console's CSP forbids string eval.
    await page.wait_for_function(
        "(n) => document.querySelectorAll('#queue tr[data-alert-id]').length === n",
                                 arg=n)


async def visible_ids(page: Any) -> list[str]:
    return [str(i) for i in await page.locator("#queue tr[data-alert-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.alertId)")]


async def test_alerts_arrive_live_filter_open_and_a_confirmation_reaches_every_page(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    red = make_alert(category="red", priority="critical", checkpoint="gate-A", age_s=300)
    sltd = make_alert(list_="sltd", category="stolen", priority="high", checkpoint="gate-B",
                      age_s=200)
    smv = make_alert(list_="smv", category="stolen_vehicle", priority="high",
                     checkpoint="gate-C", age_s=100)
    hostile = make_alert(category="yellow", priority="high", surname=HOSTILE, age_s=50)
    await publish(settings, settings.topic_alerts, [red, sltd, smv, hostile])
    console = console_factory(settings)

    page = await signed_in(browser, console.url)
    for alert in (red, sltd, smv, hostile):
        await page.wait_for_selector(row(alert))
    assert await page.text_content("#lead") == EN["lead"]

    live = make_alert(category="orange", priority="critical", checkpoint="gate-B")
    await publish(settings, settings.topic_alerts, [live])
    await page.wait_for_selector(row(live))
    ids = await visible_ids(page)
    assert ids.index(red["alert_id"]) < ids.index(live["alert_id"]), "critical, oldest first"

    # Attacker-controlled text is shown as text: no element made of it, no script run.
    assert HOSTILE in (await page.text_content(row(hostile)) or "")
    assert await page.locator("#queue img").count() == 0
    assert (await page.title()).endswith(EN["app.title"])

    await page.select_option("#f-priority", "critical")
    await rows_shown(page, 2)
    assert set(await visible_ids(page)) == {red["alert_id"], live["alert_id"]}
    await page.select_option("#f-priority", "")
    await page.select_option("#f-list", "sltd")
    await rows_shown(page, 1)
    assert await visible_ids(page) == [sltd["alert_id"]]
    await page.select_option("#f-list", "")
    await page.select_option("#f-checkpoint", "gate-C")
    await rows_shown(page, 1)
    assert await visible_ids(page) == [smv["alert_id"]]
    await page.select_option("#f-checkpoint", "")
    await rows_shown(page, 5)

    await page.click(row(red))
    assert await page.text_content("#what-to-do") == EN["asks.no_action"].replace(
        "{instruction}", EN["instruction.REFER_SECONDARY"]), "the record's own request"
    assert await page.text_content("#score") == "0.93"
    assert await page.text_content("#matched-on") == "Name, Date of birth"
    assert await page.text_content("#matched-alias") == "ERIKSSON ANNA"
    # Reasons in words, never their codes; the score's arithmetic spelled out.
    assert EN["why.date_of_birth_partial"] in (await page.text_content("#penalties") or "")
    assert "date_of_birth_partial" not in (await page.text_content("#detail-body") or "")
    assert (await page.text_content("#score-sum") or "").endswith("= 0.93")
    assert await page.text_content("#name-similarity") == "0.96"  # 0.96 - 0.05 + 0.02
    assert f"{EN['why.nationality_agrees']} +0.02" in (await page.text_content("#bonuses") or "")
    assert "******2C3" in (await page.text_content("#subject") or "")
    assert "******2C3" in (await page.text_content("#record") or "")
    assert "L898902C3" not in await page.content(), "a document number reached the page"

    other = await signed_in(browser, console.url, OTHER_ANALYST, OTHER_PASSWORD)
    await other.wait_for_selector(f"{row(red)}[data-status='open']")

    await page.fill("#decision-note", "Identity confirmed with the owner of the notice")
    await page.click("#step-confirmed")
    # A critical confirmation waits for a second analyst (four eyes), who confirms it.
    await page.wait_for_selector("#pending")
    await other.wait_for_selector(f"{row(red)}[data-status='pending']")
    await other.click(row(red))
    await other.click("#step-confirmed")
    await page.wait_for_selector("#decided-by[data-decision='confirmed']")
    assert ANALYST in (await page.text_content("#timeline") or "")
    await other.wait_for_selector(f"{row(red)}[data-status='confirmed']")

    [record] = await collect(settings, settings.topic_decisions, until=1, timeout=30)
    decision = orjson.loads(record.value)
    assert (decision["alert_id"], decision["decision"], decision["analyst"],
            decision["second_analyst"]) == (red["alert_id"], "confirmed", ANALYST, OTHER_ANALYST)
    assert decision["note"] == "Identity confirmed with the owner of the notice"

    await page.click("#sign-out")
    await page.wait_for_url("**/login")
    await page.goto(console.url + "/")
    assert page.url.endswith("/login")
    assert page.script_errors == [] and other.script_errors == []


async def test_the_console_speaks_english_french_spanish_and_arabic(
        settings: Settings, browser: Any, console_factory: Any, artifacts: Path) -> None:
    await create_topics(settings)
    red = make_alert(category="red", priority="critical", age_s=60)
    plate = make_alert(list_="smv", category="stolen_vehicle", priority="high",
                       checkpoint="gate-C")
    await publish(settings, settings.topic_alerts, [red, plate])
    console = console_factory(settings)
    page = await signed_in(browser, console.url)

    for lang in LANGUAGES:
        t = strings(lang)
        await in_language(page, lang)
        assert await page.get_attribute("html", "lang") == lang
        assert await page.get_attribute("html", "dir") == direction(lang)
        assert await page.text_content("#lead") == t["lead"]
        await page.click(row(red))
        assert await page.text_content("#asks-title") == t["asks.title.person"]
        assert await page.text_content(f"{row(plate)} td:nth-child(3)") == \
            t["category.stolen_vehicle"]
        await page.screenshot(path=str(artifacts / f"console-{lang}.png"), full_page=True)

    assert direction("ar") == "rtl"
    # The choice is the analyst's and outlives the page: a new page opens in Arabic.
    again = await page.context.new_page()
    await again.goto(console.url + "/")
    assert await again.get_attribute("html", "dir") == "rtl"
    assert page.script_errors == []


async def test_the_hit_procedure_walked_through_in_every_language_reaches_the_gate(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    """Acknowledge, request verification, confirm: each step on the timeline in the
    page's language, and the confirmation at the gate as one instruction."""
    await create_topics(settings)
    # High, not critical: one analyst walks it (a critical confirmation needs a second,
    # tests/e2e/test_room_browser.py).
    walked = {lang: make_alert(instruction="SEIZE_DOCUMENT", list_="sltd", category="stolen",
                               priority="high", action="seize", owner="NCB-UTO")
              for lang in LANGUAGES}
    await publish(settings, settings.topic_alerts, list(walked.values()))
    console = console_factory(settings)
    page = await signed_in(browser, console.url)
    for lang, alert in walked.items():
        t = strings(lang)
        await in_language(page, lang)
        await page.click(row(alert))
        line = await page.text_content("#gate-line") or ""
        assert t["instruction.SEIZE_DOCUMENT"] in line and "NCB-UTO" in line, line
        assert t["act.seize"] in line, line
        for step in ("acknowledged", "verification_requested", "confirmed"):
            assert await page.text_content(f"#step-{step}") == t[f"decide.{step}"]
            await page.click(f"#step-{step}")
            await page.wait_for_selector(f"#decided-by[data-decision='{step}']")
        timeline = await page.text_content("#timeline") or ""
        for step in ("acknowledged", "verification_requested", "confirmed"):
            assert t[f"status.{step}"] in timeline, (lang, timeline)
        assert await page.query_selector("#step-acknowledged") is None, "no step back"
        assert await page.query_selector("#step-action_taken") is not None
    sent = await collect(settings, settings.topic_instructions, until=len(LANGUAGES),
                         timeout=30, settle=2)
    got = sorted((orjson.loads(m.value)["alert_id"], orjson.loads(m.value)["instruction"])
                 for m in sent)
    assert got == sorted((a["alert_id"], "SEIZE_DOCUMENT") for a in walked.values())
    assert page.script_errors == []


async def test_an_escalated_alert_calls_the_supervisors_not_the_analysts(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    late = make_alert(priority="critical", age_s=90)
    await publish(settings, settings.topic_alerts, [late])
    console = console_factory(settings)
    supervisor = await signed_in(browser, console.url, SUPERVISOR)
    analyst = await signed_in(browser, console.url)
    await supervisor.wait_for_selector(f"{row(late)}[data-escalated='0']")
    assert await supervisor.is_hidden("#escalations")
    escalated_at = datetime.now(UTC).isoformat()
    await publish(settings, settings.topic_alerts, [late | {"escalated_at": escalated_at}])
    await supervisor.wait_for_selector(f"{row(late)}.escalated")
    await supervisor.wait_for_selector("#escalations:not([hidden])")
    assert "1" in (await supervisor.text_content("#escalations") or "")
    await analyst.wait_for_selector(f"{row(late)}[data-escalated='1']")
    assert await analyst.is_hidden("#escalations"), "the banner is the supervisors'"
    await supervisor.click(row(late))
    await supervisor.wait_for_selector("#timeline li[data-step='escalated']")
    await supervisor.click("#step-acknowledged")
    await supervisor.wait_for_selector("#escalations[hidden]", state="attached")
    assert supervisor.script_errors == [] and analyst.script_errors == []


async def test_signing_out_ends_the_live_stream_of_every_page_of_that_session_within_a_second(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    await publish(settings, settings.topic_alerts, [make_alert()])
    console = console_factory(settings)
    page = await signed_in(browser, console.url)
    tab = await page.context.new_page()  # a second tab of the same browser
    await tab.goto(console.url + "/")
    await tab.wait_for_selector("#conn[data-state='live']")
    # Someone who copied the session cookie, in another browser.
    thief = await (await browser.new_context(viewport=VIEWPORT)).new_page()
    await thief.context.add_cookies(await page.context.cookies())
    await thief.goto(console.url + "/")
    await thief.wait_for_selector("#conn[data-state='live']")
    await tab.wait_for_timeout(1000)
    assert await tab.get_attribute("#conn", "data-state") == "live"
    ended: dict[str, float] = {}
    for name, other in (("tab", tab), ("thief", thief)):
        def stream_ended(request: Any, name: str = name) -> None:
            if request.url.endswith("/events"):
                ended.setdefault(name, time.monotonic())
        other.on("requestfinished", stream_ended)
        other.on("requestfailed", stream_ended)

    async with page.expect_response(lambda r: r.url.endswith("/logout")):
        await page.click("#sign-out")
    signed_out = time.monotonic()
    for other in (tab, thief):
        await other.wait_for_url("**/login", timeout=10_000)  # the page gave up and left
    assert set(ended) == {"tab", "thief"}
    assert max(ended.values()) - signed_out < 1.0, "the live stream outlived sign-out"
    await thief.goto(console.url + "/")
    assert thief.url.endswith("/login")
    assert page.script_errors == []
