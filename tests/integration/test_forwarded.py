"""A scan an edge forwarded twice (killed between the broker's acknowledgement and its
mark, or acknowledged later than it waited) is answered once: the contract's exactly one
result a scan (screening/forwarded.py)."""

from __future__ import annotations

import asyncio

import orjson
from aiokafka import AIOKafkaProducer

from screening.core.codec import OFFLINE_HEADER, OFFLINE_HITS_HEADER
from screening.core.engine import RawScan
from screening.forwarded import ForwardedScans
from screening.kafka_io import aiokafka_options
from tests.support.pipeline import load_lists
from tests.support.services import collect, create_topics

SCAN = {"event_id": "fwd-1", "checkpoint_id": "gate-A", "terminal_id": "T-EDGE-9",
        "scanned_at": "2026-12-07T09:15:00+01:00",
        "document": {"number": "X1234567", "issuing_state": "FRA", "type": "P"},
        "holder": {"surname": "MARTIN", "given_names": "LUC"}}


def _raw(value: bytes, offset: int, *, forwarded: bool = True, partition: int = 0) -> RawScan:
    return RawScan(kind="traveller", value=value, topic="scans.traveller", partition=partition,
                   offset=offset, offline_hits=frozenset() if forwarded else None)


async def test_a_second_copy_is_known_by_where_it_was_read(settings, redis_client) -> None:
    seen = ForwardedScans(redis_client, settings.redis_prefix, 60)
    first = orjson.dumps(SCAN)
    other = orjson.dumps({**SCAN, "event_id": "fwd-2"})
    # The first copy, and a scan answered here first (no offline header) with the same
    # ids: neither is a copy.
    assert await seen.repeats([_raw(first, 10), _raw(first, 11, forwarded=False)]) == set()
    # Read again at the same place (a worker crashed before committing): screened again.
    assert await seen.repeats([_raw(first, 10)]) == set()
    # The edge's second copy, further on: a copy. Another event of the terminal is not,
    # nor a value that is no scan (the screener rejects it).
    assert await seen.repeats([_raw(other, 12), _raw(first, 13), _raw(b"{oops", 14)]) == {1}
    # A copy on another partition too.
    assert await seen.repeats([_raw(first, 3, partition=1)]) == {0}
    ttl = await redis_client.ttl(seen.key("T-EDGE-9", "fwd-1"))
    assert 0 < ttl <= 60


async def test_a_scan_forwarded_twice_gets_one_result(settings, worker_factory, tmp_path,
                                                      redis_client) -> None:
    load_lists(settings, tmp_path / "lists", sltd=50, notices=20, smv=20)
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    producer = AIOKafkaProducer(**aiokafka_options(settings))
    await producer.start()
    try:
        headers = [(OFFLINE_HEADER, b"edge-v1"), (OFFLINE_HITS_HEADER, b"")]
        topic = settings.topic(settings.topic_traveller)
        value = orjson.dumps(SCAN)
        for _ in range(2):  # the edge sends the same stored scan twice
            await producer.send_and_wait(topic, value, key=b"T-EDGE-9", headers=headers)
        # and a scan of its own, answered here first, to know the worker went past both
        await producer.send_and_wait(topic, orjson.dumps({**SCAN, "event_id": "fwd-after"}),
                                     key=b"T-EDGE-9")
    finally:
        await producer.stop()
    results = await collect(settings, settings.topic_results, until=2, timeout=90, settle=4.0)
    events = sorted(orjson.loads(m.value)["event_id"] for m in results)
    assert events == ["fwd-1", "fwd-after"]
    metrics = await asyncio.to_thread(worker.metrics)
    assert "screening_forwarded_repeats_total 1.0" in metrics
