"""The Kafka ceiling: scans read and a result-sized answer written, and nothing else.

`screening bench` drains the same backlog through this process as through the worker,
so the worker's rate reads against what the Kafka client alone can move in one Python
process on this machine: the same client (aiokafka), loop (uvloop), fetch wait,
fetch size, batch size and output batching (one record batch per partition) as the
worker, without Faust, Redis or any screening. Each scan is parsed (orjson) for its
ids and answered `unverified` with the worker's result fields: no list was consulted,
and the answers go to the benchmark's own throwaway topics.

Run as `python -m screening_bench.passthrough` with the worker's environment; it joins
the worker's consumer group (`SCREENING_APP_ID`) and prints "ready" once it has its
partitions.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import uvloop
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from screening.runtime.producing import default_partition
from screening.runtime.transport import FETCH_MAX_WAIT_MS
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening_bench.processes import WorkerProcess

READY = "ready"
FIRST = "first"  # then time.monotonic() and time.process_time() at the first scan read


def answer(raw: bytes | None, kind: str, now: str) -> tuple[bytes | None, bytes]:
    """(key, value) of the answer to one scan: its ids and the fields of a result."""
    try:
        scan = orjson.loads(raw or b"")
    except orjson.JSONDecodeError:
        scan = None
    if not isinstance(scan, dict):
        scan = {}
    terminal = str(scan.get("terminal_id") or "")
    value = orjson.dumps({
        "event_id": scan.get("event_id"), "checkpoint_id": scan.get("checkpoint_id"),
        "terminal_id": terminal, "kind": kind, "outcome": "unverified", "hits": [],
        "warnings": ["NOT_SCREENED"], "decided_at": now, "watchlist_version": "passthrough"})
    return terminal.encode() or None, value


async def run(settings: Settings) -> None:
    kinds = {settings.topic(settings.topic_traveller): "traveller",
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
        first: tuple[float, float] | None = None
        partitions: dict[bytes | None, int] = {}
        while not stop.is_set():
            fetched = await consumer.getmany(timeout_ms=100, max_records=settings.batch_size)
            if not ready and consumer.assignment():
                print(READY, flush=True)
                ready = True
            if not fetched:
                continue
            if first is None:  # when the drain began, by the system-wide monotonic clock
                first = (time.monotonic(), time.process_time())
                print(FIRST, *first, flush=True)
            now = datetime.now(UTC).isoformat()
            batches: dict[int, Any] = {}
            for tp, messages in fetched.items():
                kind = kinds[tp.topic]
                for msg in messages:
                    key, value = answer(msg.value, kind, now)
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


class PassThroughProcess(WorkerProcess):
    """This module as a subprocess, in place of a worker (same settings, same group)."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", __name__]

    def is_ready(self) -> bool:
        return READY in self.log_tail(5).splitlines()

    def first_read(self) -> tuple[float, float] | None:
        """(time.monotonic(), CPU seconds) when the process read its first scan."""
        for line in self.log_tail(1000).splitlines():
            words = line.split()
            if len(words) == 3 and words[0] == FIRST:
                return float(words[1]), float(words[2])
        return None


def main() -> int:
    uvloop.run(run(Settings()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
