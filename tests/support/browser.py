"""What the console's browser tests share: a signed-in page and where an alert's row is."""

from __future__ import annotations

from typing import Any

from tests.support.console import ANALYST, PASSWORD

VIEWPORT = {"width": 1400, "height": 900}


async def signed_in(browser: Any, url: str, name: str = ANALYST,
                    password: str = PASSWORD) -> Any:
    context = await browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.script_errors = errors
    await page.goto(url + "/")
    assert page.url.endswith("/login"), "the console must not open without signing in"
    await page.fill("#username", name)
    await page.fill("#password", password)
    await page.click("#signin-submit")
    await page.wait_for_selector("#conn[data-state='live']")
    return page


def row(alert: dict[str, Any]) -> str:
    """The alert's row in the work queue (pinned or in the list)."""
    return f"#queue tr[data-alert-id='{alert['alert_id']}']"


async def in_language(page: Any, lang: str) -> None:
    """The page switched to `lang` (one navigation) and live again."""
    if await page.get_attribute("html", "lang") != lang:
        async with page.expect_navigation():
            await page.select_option("#lang-select", lang)
        await page.wait_for_selector("#conn[data-state='live']")
