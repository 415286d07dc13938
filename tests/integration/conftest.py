"""Integration fixtures: the real Kafka broker and Redis server, isolated per test run.

The services are started by `make services` (CI: `make test`); these tests fail,
never skip, when they are not there. Every run gets its own topic prefix, consumer
group and Redis key prefix, so runs never see each other's data.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from screening.redis_client import make_redis
from screening.settings import Settings

pytestmark = pytest.mark.integration

BROKER = os.environ.get("SCREENING_TEST_BROKER", "kafka://127.0.0.1:9092")
REDIS_URL = os.environ.get("SCREENING_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
        "web_port": _free_port(),
        "topic_partitions": 2,
        "version_grace_s": 0.0,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(services: None) -> Settings:
    return run_settings()


def env_for(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCREENING_")}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if hasattr(value, "get_secret_value"):
            value = value.get_secret_value()
        env[f"SCREENING_{name.upper()}"] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def screening_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "screening", *args]


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


class WorkerProcess:
    """`screening worker` as a real subprocess, with its /metrics port."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> WorkerProcess:
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(screening_cmd("worker"), env=env_for(self.settings),
                                     stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
        return self

    def metrics(self) -> str:
        import urllib.request

        url = f"http://127.0.0.1:{self.settings.web_port}/metrics"
        with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310
            return str(resp.read().decode())

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited early:\n{self.log_tail()}")
            try:
                self.metrics()
                return
            except OSError:
                time.sleep(0.3)
        raise AssertionError(f"worker not ready in {timeout}s:\n{self.log_tail()}")

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, sig: int = 15, timeout: float = 20.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)


@pytest.fixture
def worker_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[WorkerProcess] = []

    def make(settings: Settings, name: str = "worker") -> WorkerProcess:
        w = WorkerProcess(settings, tmp_path / f"{name}.log").start()
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


async def collect(settings: Settings, topic: str, *, until: int, timeout: float,
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
           "screening_cmd", "asyncio"]
