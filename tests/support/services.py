"""The real Kafka broker and Redis server the integration and browser tests use, and a
run of its own on them for each test: topic prefix, consumer group and Redis key prefix.

Plain functions and constants, for the fixtures (tests/integration/conftest.py,
tests/e2e/conftest.py) and for the tests and support modules that need them directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer
from pydantic import SecretStr

from screening.security.clients import aiokafka_options
from screening.security.provision import apply, worker_settings
from screening.security.roles import DEFAULT_SITE
from screening.security.secretsdir import principal_settings, redis_user_settings
from screening.settings import Settings
from screening_bench.processes import WorkerProcess, env_for, free_port, screening_cmd

BROKER = os.environ.get("SCREENING_TEST_BROKER", "kafka://127.0.0.1:9092")
# Redis over TLS (its plain port requires the same ACL users).
REDIS_URL = os.environ.get("SCREENING_TEST_REDIS_URL", "rediss://127.0.0.1:6380/0")
REPO = Path(__file__).resolve().parents[2]
# kcat with a librdkafka that speaks SCRAM to Kafka 4 (scripts/install.sh's wrapper).
KCAT = str(REPO / ".venv" / "bin" / "kcat")
# The CA, certificates and passwords `make services` made (`screening security init`).
SECRETS = Path(os.environ.get("SCREENING_SECRETS_DIR", REPO / ".local" / "secrets")).resolve()


def check_reachable(url: str, what: str) -> None:
    hostport = url.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = hostport.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
    except OSError:
        pytest.fail(f"{what} is not reachable at {hostport}: start it with `make services`",
                    pytrace=False)


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


def provision_run(settings: Settings) -> None:
    """The run's topics (with their retention) and the ACLs of every role on them, as
    `screening security init` makes them for a deployment: the same code, as admin."""
    apply(settings, [DEFAULT_SITE], users=False)


def delete_run_topics(settings: Settings) -> None:
    """A finished run's topics deleted: a broker holds files open for every partition it
    keeps, and a suite that left each test's topics behind ran a long-lived development
    broker out of file descriptors. Best effort: a failure here fails no test."""
    from aiokafka.admin import AIOKafkaAdminClient

    async def delete() -> None:
        admin = AIOKafkaAdminClient(**aiokafka_options(settings))
        await admin.start()
        try:
            names = [t for t in await admin.list_topics()
                     if t.startswith((settings.topic_prefix, f"{settings.app_id}-"))]
            if names:
                await admin.delete_topics(names, timeout_ms=10_000)
        finally:
            await admin.close()

    if not settings.topic_prefix:
        return
    with contextlib.suppress(Exception):  # clean-up only
        asyncio.run(delete())


async def create_topics(settings: Settings) -> None:
    """Create the run's topics up front, so the worker and test consumers meet at once."""
    await asyncio.to_thread(provision_run, settings)


async def collect(settings: Settings, topic: str, *, until: int, timeout: float,  # noqa: ASYNC109 (a deadline, not a cancel scope)
                  group: str | None = None, settle: float = 0.0) -> list[Any]:
    """Read messages of a topic (from the beginning) until `until` arrive or time runs out.

    With `settle`, reading goes on that many seconds after the `until`-th message: what
    comes behind it (a message sent twice, one too many) is returned too, for a test
    that counts them."""
    consumer = AIOKafkaConsumer(settings.topic(topic), **aiokafka_options(settings),
                                group_id=group or f"admin.collect-{uuid.uuid4().hex[:8]}",
                                auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    out: list[Any] = []
    try:
        deadline = time.monotonic() + timeout
        settled: float | None = None  # when reading ends, once `until` have arrived
        while len(out) < until or settle:
            now = time.monotonic()
            if now >= (deadline if settled is None else settled):
                break
            batch = await consumer.getmany(timeout_ms=500)
            for msgs in batch.values():
                out.extend(msgs)
            if settled is None and len(out) >= until:
                settled = time.monotonic() + settle
    finally:
        await consumer.stop()
    return out


__all__ = ["BROKER", "KCAT", "REDIS_URL", "REPO", "SECRETS", "WorkerProcess", "as_admin",
           "as_worker", "check_reachable", "collect", "create_topics", "delete_run_topics",
           "env_for", "free_port", "provision_run", "run_settings", "screening_cmd"]
