"""Real processes to break: a Redis server and a Kafka broker of a test's own, scans
published at a steady rate while they fail, and a reader that counts what came out.

The shared services on 9092 and 6379 are never touched: a test that stops a server
starts its own on free ports, and tears it down even when the test fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening_bench.processes import end_process, free_port
from tests.support.services import REPO, SECRETS


class RedisServer:
    """A redis-server of the test's own. Its data survives a kill through an RDB
    snapshot taken on purpose (`snapshot()`), as a production Redis keeps it on disk."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 15.0) -> None:
        log = open(self.dir / "redis.log", "ab")  # noqa: SIM115 - kept for the process's life
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir), "--dbfilename", "dump.rdb",
             "--aclfile", str(SECRETS / "redis-users.acl")],
            stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready = "loading:0" in self.cli("info", "persistence")
            if self.cli("ping").strip() == "PONG" and ready:
                return
            time.sleep(0.1)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def cli(self, *args: str) -> str:
        password = (SECRETS / "redis" / "admin.password").read_text().strip()
        done = subprocess.run(["redis-cli", "-p", str(self.port), "--user", "admin", "--pass",
                               password, "--no-auth-warning", *args], capture_output=True,
                              text=True, timeout=10)
        return done.stdout

    def snapshot(self) -> None:
        assert self.cli("save").strip() == "OK"

    def kill(self) -> None:
        """SIGKILL: the server vanishes mid-conversation, as in a crash or a lost host."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def freeze(self) -> None:
        """SIGSTOP: the server hangs with its connections open (a stalled host)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
        end_process(self.proc, timeout=10)


class KafkaBroker:
    """A single-node KRaft broker of the test's own, through scripts/services.sh (which
    formats its storage once and waits until it answers metadata requests)."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.controller_port = free_port()
        self.env = {**os.environ, "KAFKA_PORT": str(self.port),
                    "KAFKA_CONTROLLER_PORT": str(self.controller_port),
                    "SCREENING_LOCAL_DIR": str(workdir),
                    # The same CA and passwords as the shared broker's.
                    "SCREENING_SECRETS_DIR": str(SECRETS),
                    "KAFKA_LIBS": os.environ.get("KAFKA_LIBS",
                                                 str(REPO / ".local" / "kafka-libs")),
                    "KAFKA_HEAP_OPTS": "-Xmx512m -Xms128m"}

    @property
    def url(self) -> str:
        return f"kafka://127.0.0.1:{self.port}"

    def _services(self, *args: str) -> None:
        done = subprocess.run([str(REPO / "scripts" / "services.sh"), *args, "kafka"],
                              env=self.env, capture_output=True, text=True, timeout=150)
        assert done.returncode == 0, done.stderr[-3000:]

    def up(self) -> None:
        self._services("up")

    def down(self) -> None:
        self._services("down")


@dataclass
class Sent:
    kind: str
    raw: bytes
    expect: Any
    event_id: str | None
    at: float  # time.monotonic() when handed to the producer


@dataclass
class Publisher:
    """Publishes scans at a steady rate in the background; what was sent and when."""

    settings: Settings
    scans: list[tuple[str, bytes, Any]]
    rate: float
    terminals: int = 16  # keys: scans spread over every partition, as many gates' would
    sent: list[Sent] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    producer: AIOKafkaProducer | None = None

    async def start(self) -> Publisher:
        # Idempotent and acks=all: what the test sends arrives once, even across a broker
        # restart; the worker's own guarantees are what is measured.
        self.producer = AIOKafkaProducer(**aiokafka_options(self.settings),
                                         linger_ms=5, acks="all", enable_idempotence=True,
                                         request_timeout_ms=120_000,
                                         max_request_size=8 << 20)
        await self.producer.start()
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        assert self.producer is not None
        topics = {"traveller": self.settings.topic(self.settings.topic_traveller),
                  "vehicle": self.settings.topic(self.settings.topic_vehicle)}
        started = time.monotonic()
        pending = []
        for i, (kind, raw, expect) in enumerate(self.scans):
            delay = started + i / self.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            key = b"term-%d" % (i % self.terminals)
            pending.append(await self.producer.send(topics[kind], raw, key=key))
            self.sent.append(Sent(kind, raw, expect, expect.event_id, time.monotonic()))
        await asyncio.gather(*pending)

    async def finish(self, within: float = 180.0) -> list[Sent]:
        assert self.task is not None and self.producer is not None
        try:
            await asyncio.wait_for(self.task, within)
        finally:
            await self.producer.stop()
        return self.sent


class Reader:
    """Reads output topics from the beginning as a terminal would (read_committed), and
    keeps each message with its arrival time. It polls in the background all the time it
    is open, so that arrival times stay true while the test awaits something else."""

    def __init__(self, settings: Settings, *topics: str) -> None:
        self.settings = settings
        self.names = {settings.topic(t): t for t in topics}
        self.consumer = AIOKafkaConsumer(
            *self.names, **aiokafka_options(settings),
            group_id=f"res-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
            enable_auto_commit=False, isolation_level="read_committed", fetch_max_wait_ms=50)
        self.messages: dict[str, list[tuple[float, Any]]] = defaultdict(list)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Reader:
        await self.consumer.start()
        self._task = asyncio.create_task(self._poll_forever())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self.consumer.stop()

    async def _poll_forever(self) -> None:
        while True:
            batch = await self.consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for tp, msgs in batch.items():
                self.messages[self.names[tp.topic]].extend((now, m) for m in msgs)

    async def read(self, seconds: float) -> None:
        """Let the background poll run for `seconds`."""
        await asyncio.sleep(seconds)

    async def poll(self) -> None:
        if self._task is not None and self._task.done():
            self._task.result()  # the poller failed: say why
        await asyncio.sleep(0.1)

    async def until_answered(self, count: int, within: float) -> None:
        """Until `count` scans have a result (or time runs out)."""
        deadline = time.monotonic() + within
        while len(self.results_by_event()) < count and time.monotonic() < deadline:
            await self.poll()

    async def results_for(self, event_ids: set[str], within: float,
                          grace: float = 3.0) -> None:
        """Until every event id has a result (then `grace` seconds more, for repeats)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline and not event_ids <= set(self.results_by_event()):
            await self.poll()
        await self.read(grace)

    def results(self) -> list[dict[str, Any]]:
        return [orjson.loads(m.value) for _, m in self.messages[self.settings.topic_results]]

    def results_by_event(self) -> dict[str, list[dict[str, Any]]]:
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in self.results():
            out[r["event_id"]].append(r)
        return out

    def arrivals(self) -> dict[str, float]:
        """First arrival time of each event's result."""
        out: dict[str, float] = {}
        for at, m in self.messages[self.settings.topic_results]:
            out.setdefault(orjson.loads(m.value)["event_id"], at)
        return out

    def alert_ids(self) -> Counter[bytes]:
        """Watchlist alerts (one per hit); correlation alerts, which designed hits reusing
        one record at two checkpoints also raise, are not counted here."""
        return Counter(m.key for _, m in self.messages[self.settings.topic_alerts]
                       if orjson.loads(m.value).get("kind", "watchlist") == "watchlist")


def latency_ms(reader: Reader, sent: list[Sent]) -> str:
    """p50 and p95 from hand-off to the producer to the result read (read_committed):
    what a terminal waits, for the test's report (not asserted: the machine is shared)."""
    arrivals = reader.arrivals()
    waits = sorted(arrivals[s.event_id] - s.at for s in sent if s.event_id in arrivals)
    if not waits:
        return "no results"
    return (f"p50 {1000 * waits[len(waits) // 2]:.0f} ms, "
            f"p95 {1000 * waits[int(len(waits) * 0.95)]:.0f} ms")


def expected_ids(sent: list[Sent]) -> set[str]:
    return {s.event_id for s in sent if s.event_id}


def kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
