"""What the benchmark's hand-written Kafka jobs share (the pass-through, the lean job).

Both read the worker's scan topics in the worker's consumer group with the worker's
client settings (aiokafka, uvloop, fetch wait, fetch size, batch size), answer each
fetched batch with one call of their own, and write the answers as the worker does
(one record batch per partition, no linger) to the run's throwaway results topic. So
what differs between them, and between them and the worker, is only what is done per
batch. A job prints "ready" once it has its partitions (`screening bench` times it by
its answers' arrivals: drains.backlog).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from screening.models import ScanKind
from screening.runtime.producing import default_partition
from screening.runtime.transport import FETCH_MAX_WAIT_MS
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening_bench.processes import WorkerProcess

READY = "ready"

# One fetched batch, (kind, raw value) a scan, and the decision's time (ISO 8601), to
# the answers in the same order: (key, value) each.
Answer = tuple[bytes | None, bytes]
Answers = Callable[[Sequence[tuple[ScanKind, bytes | None]], str], Awaitable[list[Answer]]]



def scan_fields(raw: bytes | None) -> dict[str, Any]:
    """A scan's fields as sent, or none where it is not a JSON object (these jobs answer
    every scan and validate nothing)."""
    try:
        scan = orjson.loads(raw or b"")
    except orjson.JSONDecodeError:
        return {}
    return scan if isinstance(scan, dict) else {}

async def serve(settings: Settings, answers: Answers) -> None:
    """Read, answer and write until SIGTERM or SIGINT."""
    kinds: dict[str, ScanKind] = {settings.topic(settings.topic_traveller): "traveller",
                                  settings.topic(settings.topic_vehicle): "vehicle"}
    results = settings.topic(settings.topic_results)
    consumer = AIOKafkaConsumer(
        *kinds, **aiokafka_options(settings), group_id=settings.app_id,
        auto_offset_reset="earliest", enable_auto_commit=True,
        auto_commit_interval_ms=int(settings.commit_interval_s * 1000),
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS, max_partition_fetch_bytes=4 << 20,
        fetch_max_bytes=4 << 20)
    producer = AIOKafkaProducer(**aiokafka_options(settings),
                                linger_ms=settings.producer_linger_ms,
                                max_batch_size=1 << 20)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await producer.start()
    await producer.partitions_for(results)  # the partitioner needs the topic's metadata
    await consumer.start()
    try:
        ready = False
        partitions: dict[bytes | None, int] = {}
        while not stop.is_set():
            fetched = await consumer.getmany(timeout_ms=100, max_records=settings.batch_size)
            if not ready and consumer.assignment():
                print(READY, flush=True)
                ready = True
            if not fetched:
                continue
            now = datetime.now(UTC).isoformat()
            scans = [(kinds[tp.topic], msg.value)
                     for tp, messages in fetched.items() for msg in messages]
            batches: dict[int, Any] = {}
            for key, value in await answers(scans, now):
                part = partitions.get(key)
                if part is None:
                    part = partitions[key] = default_partition(producer, results, key)
                batch = batches.get(part)
                if batch is None:
                    batch = batches[part] = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None) is None:
                    await producer.send_batch(batch, results, partition=part)
                    batch = batches[part] = producer.create_batch()
                    batch.append(key=key, value=value, timestamp=None)
            for part, batch in batches.items():
                await producer.send_batch(batch, results, partition=part)
    finally:
        with contextlib.suppress(Exception):
            await producer.flush()
        await consumer.stop()
        await producer.stop()


class JobProcess(WorkerProcess):
    """A job module (`module`) as a subprocess, in place of a worker (same settings,
    same group)."""

    module = ""

    def command(self) -> list[str]:
        return [sys.executable, "-m", self.module]

    def is_ready(self) -> bool:
        return READY in self.log_tail(200).splitlines()
