"""The room's shared work in a real browser (issue 27 items 4 and 6, the page's side of
docs/console-api.md): two analysts cannot both claim one alert; a critical dismissal
needs a reason and a note; a critical confirmation waits for a second analyst and can
be taken back; search and a case's sightings; one row per case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from screening.console.i18n import strings
from screening.settings import Settings
from tests.support.browser import row, signed_in
from tests.support.console import (
    OTHER_ANALYST,
    OTHER_PASSWORD,
    ConsoleProcess,
    make_alert,
    publish,
)
from tests.support.services import collect, create_topics

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EN = strings("en")


async def opened(page: Any, alert: dict[str, Any]) -> None:
    await page.click(row(alert))
    await page.wait_for_selector("#detail-body:not([hidden]) #timeline")


async def claim_by_api(page: Any, alert: dict[str, Any]) -> dict[str, Any]:
    return dict(await page.evaluate("""(id) => fetch(`/api/alerts/${id}/claim`, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": document.body.dataset.csrf},
        body: "{}"}).then(async (r) => ({status: r.status, ...(await r.json())}))""",
        alert["alert_id"]))


async def test_two_analysts_cannot_both_claim_one_alert(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    alert = make_alert(priority="high")
    await publish(settings, settings.topic_alerts, [alert])
    console = console_factory(settings)
    one = await signed_in(browser, console.url)
    two = await signed_in(browser, console.url, OTHER_ANALYST, OTHER_PASSWORD)
    await opened(one, alert)
    await one.keyboard.press("m")  # the claim key
    await one.wait_for_selector("#claimed-by.mine")
    await two.wait_for_selector(f"{row(alert)} .badge.claim[data-claimed-by='analyst.one']")
    await opened(two, alert)
    assert await two.text_content("#claimed-by") == EN["claim.by"].replace("{analyst}",
                                                                           "analyst.one")
    assert await two.query_selector("#claim") is None
    assert await two.query_selector("#step-acknowledged") is None, "the steps are the holder's"
    refused = await claim_by_api(two, alert)
    assert (refused["status"], refused["claimed_by"]) == (409, "analyst.one")
    await one.click("#release")
    await two.wait_for_selector("#claim")
    assert one.script_errors == [] and two.script_errors == []


async def test_a_critical_dismissal_needs_a_reason_and_a_note(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    alert = make_alert(priority="critical")
    await publish(settings, settings.topic_alerts, [alert])
    console = console_factory(settings)
    page = await signed_in(browser, console.url)
    await opened(page, alert)
    await page.keyboard.press("d")
    assert await page.text_content("#decision-status") == EN["reason_code.required"]
    await page.select_option("#reason-code", "different_person")
    await page.click("#step-dismissed")
    assert await page.text_content("#decision-status") == EN["decide.note_required"]
    await page.fill("#decision-note", "Born 1997, the notice is for a man born 1982")
    await page.click("#step-dismissed")
    await page.wait_for_selector("#decided-by[data-decision='dismissed']")
    timeline = await page.text_content("#timeline") or ""
    assert EN["reason.different_person"] in timeline, timeline
    [sent] = await collect(settings, settings.topic_decisions, until=1, timeout=30)
    decision = orjson.loads(sent.value)
    assert (decision["decision"], decision["reason"]) == ("dismissed", "different_person")
    assert page.script_errors == []


async def test_a_critical_confirmation_waits_for_a_second_analyst_and_can_be_taken_back(
        settings: Settings, browser: Any, tmp_path: Path, artifacts: Path) -> None:
    await create_topics(settings)
    alert = make_alert(priority="critical")
    await publish(settings, settings.topic_alerts, [alert])
    # A wide undo window: the machine running the tests may be slow.
    console = ConsoleProcess(settings, tmp_path / "console.log",
                             SCREENING_CONSOLE_UNDO_WINDOW_S="120").start().wait_ready()
    try:
        one = await signed_in(browser, console.url)
        two = await signed_in(browser, console.url, OTHER_ANALYST, OTHER_PASSWORD)
        await opened(one, alert)
        await one.fill("#decision-note", "Owner confirmed")
        await one.click("#step-confirmed")
        await one.wait_for_selector("#pending")
        assert await one.query_selector("#step-confirmed") is None, "nobody confirms twice"
        await two.wait_for_selector(f"{row(alert)}[data-status='pending']")
        await opened(two, alert)
        assert "analyst.one" in (await two.text_content("#pending") or "")
        await two.screenshot(path=str(artifacts / "room-waiting-for-a-second-analyst.png"))
        await two.click("#step-confirmed")
        await two.wait_for_selector("#decided-by[data-decision='confirmed']")
        timeline = await two.text_content("#timeline") or ""
        assert EN["timeline.second"].replace("{analyst}", OTHER_ANALYST) in timeline, timeline
        await one.wait_for_selector(f"{row(alert)}[data-status='confirmed']")
        # The second analyst takes it back: the alert is open to steps again.
        await two.click("#undo")
        await two.wait_for_function(
            "() => document.querySelector('#timeline').textContent.includes('"
            + EN["timeline.undoes"].split("{")[0].strip() + "')")
        sent = await collect(settings, settings.topic_decisions, until=2, timeout=30)
        steps = [orjson.loads(m.value) for m in sent]
        assert steps[0]["decision"] == "confirmed"
        assert steps[0]["second_analyst"] == OTHER_ANALYST
        assert steps[1]["undoes"] == "confirmed"
        assert one.script_errors == [] and two.script_errors == []
    finally:
        console.stop()


async def test_search_finds_and_a_case_shows_its_sightings(
        settings: Settings, browser: Any, console_factory: Any) -> None:
    await create_topics(settings)
    first = make_alert(priority="high", checkpoint="gate-A", age_s=120, case_id="case-lost-1")
    sightings = [first] + [make_alert(priority="high", checkpoint=cp, age_s=age,
                                      case_id="case-lost-1", hit=first["hit"],
                                      record=first["record"])
                           for cp, age in (("gate-B", 60), ("gate-C", 30))]
    other = make_alert(priority="medium", surname="NOVAK", given="JAN", case_id="case-other")
    await publish(settings, settings.topic_alerts, [*sightings, other])
    console = console_factory(settings)
    page = await signed_in(browser, console.url)
    await page.wait_for_selector("#room-tools:not([hidden])")

    await page.keyboard.press("/")
    await page.keyboard.type("NOVAK")
    await page.wait_for_selector("#search-count[data-count='1']")
    await page.click(f"#search-rows tr[data-alert-id='{other['alert_id']}']")
    await page.wait_for_selector("#detail-body:not([hidden])")
    assert "NOVAK" in (await page.text_content("#compare") or "")

    await page.check("#f-group")
    await page.wait_for_function(
        "() => document.querySelector('#count').dataset.rows === '2'")
    assert "2 grouped into their cases" in (await page.text_content("#count") or "")
    assert await page.locator(".badge.case[data-case-size='3']").count() == 1

    await page.click("#show-cases")
    await page.click("#case-rows tr[data-case-id='case-lost-1']")
    await page.wait_for_selector("#case-timeline li >> nth=2")
    assert await page.locator("#case-timeline li").count() == 3
    said = await page.locator("#case-timeline li").all_text_contents()
    assert [cp in s for cp, s in zip(("gate-A", "gate-B", "gate-C"), said, strict=True)] == \
        [True, True, True], "sightings in time order"
    assert page.script_errors == []
