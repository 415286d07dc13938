"""Browser fixtures: Debian's Chromium driven by Playwright, and the console as a process.

Playwright's own browser download cannot work on these machines, so the system browser
is launched by path. Both are installed by scripts/install_e2e.sh; without them these
tests fail (they are never skipped), saying so.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from screening.settings import Settings
from tests.support.console import ConsoleProcess
from tests.support.services import (
    BROKER,
    REPO,
    check_reachable,
    delete_run_topics,
    run_settings,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
# Screenshots are kept for people to look at (gitignored; CI can keep them as artefacts).
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture
def settings() -> Iterator[Settings]:
    check_reachable(BROKER, "Kafka")
    made = run_settings()
    yield made
    delete_run_topics(made)


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_e2e.sh", pytrace=False)
    return CHROMIUM


@pytest_asyncio.fixture
async def browser(chromium: Path) -> AsyncIterator[Any]:
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: run scripts/install_e2e.sh", pytrace=False)
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def console_factory(tmp_path: Path) -> Iterator[Callable[[Settings], ConsoleProcess]]:
    started: list[ConsoleProcess] = []

    def start(settings: Settings) -> ConsoleProcess:
        console = ConsoleProcess(settings, tmp_path / f"console-{len(started)}.log").start()
        started.append(console)
        return console.wait_ready()

    yield start
    for console in started:
        console.stop()
    for console in started[:1]:
        forget_sessions(console.settings)


def forget_sessions(settings: Settings) -> None:
    """The run's console keys (sessions, sign-in counters) removed, as the console user
    (the worker's may not touch them)."""
    import redis

    from screening.security.clients import redis_options
    from screening.security.secretsdir import redis_user_settings

    as_console = redis_user_settings(settings, "console")
    client = redis.Redis.from_url(as_console.redis_url, **redis_options(as_console))
    try:
        for key in client.scan_iter(match=f"{{console:{settings.redis_prefix}}}:*", count=1000):
            client.unlink(key)
    finally:
        client.close()
