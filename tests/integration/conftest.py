"""Integration fixtures: the real Kafka broker and Redis server, isolated per test run.

The services are started by `make services` (CI: `make test`); these tests fail,
never skip, when they are not there. Every run gets its own topic prefix, consumer
group and Redis key prefix, so runs never see each other's data.
"""

from __future__ import annotations

import asyncio
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
from pydantic import SecretStr

from screening.redis_client import make_redis
from screening.security.clients import aiokafka_options
from screening.security.provision import apply, provision_worker, worker_settings
from screening.security.roles import DEFAULT_SITE
from screening.security.secretsdir import principal_settings, redis_user_settings
from screening.settings import Settings
from screening_bench.processes import WorkerProcess, env_for, free_port, screening_cmd

pytestmark = pytest.mark.integration

BROKER = os.environ.get("SCREENING_TEST_BROKER", "kafka://127.0.0.1:9092")
# Redis over TLS (its plain port requires the same ACL users).
REDIS_URL = os.environ.get("SCREENING_TEST_REDIS_URL", "rediss://127.0.0.1:6380/0")
REPO = Path(__file__).resolve().parents[2]
# kcat with a librdkafka that speaks SCRAM to Kafka 4 (scripts/install.sh's wrapper).
KCAT = str(REPO / ".venv" / "bin" / "kcat")
# The CA, certificates and passwords `make services` made (`screening security init`).
SECRETS = Path(os.environ.get("SCREENING_SECRETS_DIR", REPO / ".local" / "secrets")).resolve()


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
    """A run's settings: its own topic prefix, group and Redis key prefix; the test's own
    clients connect to Kafka as `admin` and to Redis as `worker` (whose ACL covers every
    key under the deployment prefix `scr`); workers started by `worker_factory` connect
    as `worker`."""
    run = uuid.uuid4().hex[:8]
    values: dict[str, Any] = {
        "broker": BROKER,
        "redis_url": REDIS_URL,
        "secrets_dir": SECRETS,
        "redis_prefix": f"scrit{run}",
        "topic_prefix": f"it{run}.",
        "app_id": f"screening-it{run}",
        "web_port": free_port(),
        "topic_partitions": 2,
        "version_grace_s": 0.0,
        # The run's own audit key (workers refuse to start without one).
        "audit_key": SecretStr(f"it-audit-key-{uuid.uuid4().hex}"),
    }
    values.update(overrides)
    return as_admin(redis_user_settings(Settings(**values), "worker"))


def as_admin(settings: Settings) -> Settings:
    return principal_settings(settings, "admin")


def as_worker(settings: Settings) -> Settings:
    return worker_settings(settings)


@pytest.fixture
def settings(services: None) -> Settings:
    return run_settings()


def provision_run(settings: Settings) -> None:
    """The run's topics (with their retention) and the ACLs of every role on them, as
    `screening security init` makes them for a deployment: the same code, as admin."""
    apply(settings, [DEFAULT_SITE], users=False)


async def create_topics(settings: Settings) -> None:
    """Create the run's topics up front, so the worker and test consumers meet at once."""
    await asyncio.to_thread(provision_run, settings)


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


async def collect(settings: Settings, topic: str, *, until: int, timeout: float,  # noqa: ASYNC109 (a deadline, not a cancel scope)
                  group: str | None = None) -> list[Any]:
    """Read messages of a topic (from the beginning) until `until` arrive or time runs out."""
    consumer = AIOKafkaConsumer(settings.topic(topic), **aiokafka_options(settings),
                                group_id=group or f"admin.collect-{uuid.uuid4().hex[:8]}",
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


__all__ = ["KCAT", "WorkerProcess", "as_admin", "as_worker", "collect", "create_topics", "env_for",
           "provision_run", "run_settings", "screening_cmd"]

# The console tests' fixtures (`console`, `pages`), imported last: they use the above.
from .console_pages import console, pages  # noqa: E402,F401
