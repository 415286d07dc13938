"""Integration fixtures: the real Kafka broker and Redis server, isolated per test run.

The services are started by `make services` (CI: `make test`); these tests fail,
never skip, when they are not there. Every run gets its own topic prefix, consumer
group and Redis key prefix, so runs never see each other's data (the helpers that make
a run are in tests/support/services.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from screening.redis_client import make_redis
from screening.security.provision import provision_worker
from screening.settings import Settings
from tests.support.services import (
    BROKER,
    REDIS_URL,
    WorkerProcess,
    check_reachable,
    delete_run_topics,
    run_settings,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def services() -> None:
    check_reachable(BROKER, "Kafka")
    check_reachable(REDIS_URL, "Redis")


@pytest.fixture
def settings(services: None) -> Iterator[Settings]:
    made = run_settings()
    yield made
    delete_run_topics(made)


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[WorkerProcess] = []

    def make(settings: Settings, name: str = "worker", **env: str) -> WorkerProcess:
        # The run's topics and ACLs (idempotent: the worker never creates topics); the
        # worker connects as the `worker` principal.
        settings = provision_worker(settings)
        w = WorkerProcess(settings, tmp_path / f"{name}.log", **env).start()
        started.append(w)
        return w

    yield make
    for w in started:
        w.stop()


@pytest_asyncio.fixture
async def redis_client(settings: Settings) -> AsyncIterator[Any]:
    client = make_redis(settings)
    yield client
    # Leave nothing behind: this run's keys only.
    async for key in client.scan_iter(match=f"{settings.redis_prefix}:*", count=1000):
        await client.unlink(key)
    async for key in client.scan_iter(match=f"{{{settings.redis_prefix}}}:*", count=1000):
        await client.unlink(key)
    await client.aclose()


# The console tests' fixtures (`console`, `pages`).
from tests.support.console_pages import console, pages  # noqa: E402,F401
