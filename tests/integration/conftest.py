"""Integration fixtures: the real Kafka broker and Redis server, isolated per test run.

The services are started by `make services` (CI: `make test`); these tests fail,
never skip, when they are not there. Every run gets its own topic prefix, consumer
group and Redis key prefix, so runs never see each other's data.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from screening.bench.processes import WorkerProcess, env_for, free_port, screening_cmd
from screening.redis_client import make_redis
from screening.settings import Settings

pytestmark = pytest.mark.integration

BROKER = os.environ.get("SCREENING_TEST_BROKER", "kafka://127.0.0.1:9092")
REDIS_URL = os.environ.get("SCREENING_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REPO = Path(__file__).resolve().parents[2]


def _check_reachable(url: str, what: str) -> None:
    hostport = url.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        pytest.fail(f"{what} is not reachable at {hostport}: start it with `make services`",
                    pytrace=False)


@pytest.fixture(scope="session")
def services() -> None:
    _check_reachable(BROKER, "Kafka")
    _check_reachable(REDIS_URL, "Redis")


def run_settings(**overrides: Any) -> Settings:
    run = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "broker": BROKER,
        "redis_url": REDIS_URL,
        "redis_prefix": f"it{run}",
        "topic_prefix": f"it{run}.",
        "app_id": f"screening-it{run}",
        "web_port": free_port(),
        "topic_partitions": 2,
        "version_grace_s": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(services: None) -> Settings:
    return run_settings()


async def create_topics(settings: Settings) -> None:
    """Create the run's topics up front, so the worker and test consumers meet at once."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.broker_hosts)
    await admin.start()
    try:
        names = [settings.topic(t) for t in (
            settings.topic_traveller, settings.topic_vehicle, settings.topic_results,
            settings.topic_alerts, settings.topic_deadletter, settings.topic_updates,
            settings.topic_decisions)]
        existing = set(await admin.list_topics())
        new = [NewTopic(n, settings.topic_partitions, 1) for n in names if n not in existing]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[WorkerProcess] = []

    def make(settings: Settings, name: str = "worker", **env: str) -> WorkerProcess:
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


async def collect(settings: Settings, topic: str, *, until: int, timeout: float,  # noqa: ASYNC109 (a deadline, not a cancel scope)
                  group: str | None = None) -> list[Any]:
    """Read messages of a topic (from the beginning) until `until` arrive or time runs out."""
    consumer = AIOKafkaConsumer(settings.topic(topic), bootstrap_servers=settings.broker_hosts,
                                group_id=group or f"collect-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    out: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        while len(out) < until and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                out.extend(msgs)
    finally:
        await consumer.stop()
    return out


__all__ = ["WorkerProcess", "collect", "create_topics", "env_for", "run_settings",
           "screening_cmd"]
