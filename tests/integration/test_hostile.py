"""A thousand hostile scans among valid ones, through the real worker: each invalid one
dead-lettered with its reason code (and answered `rejected` when its id can be read),
each valid one screened right, the worker alive and its memory bounded."""

from __future__ import annotations

import asyncio
import base64
import time
from collections import Counter
from pathlib import Path
from random import Random
from typing import Any

import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from screening.core.engine import DEADLETTER_PAYLOAD_BYTES
from screening.mockdata.hostile import hostile_corpus
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.settings import Settings

from .conftest import create_topics
from .resilience import Publisher, Reader, expected_ids
from .test_pipeline import load_lists

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Scans over Kafka's default 1 MB limit reach the worker only through a scan topic (and
# producers) configured for them; the worker refuses them by settings.max_scan_bytes and
# dead-letters their head to a dead-letter topic left at the default limit.
BIG_MESSAGES = 8 << 20
# Resident memory the worker must stay under while chewing the corpus: generous (a
# worker at rest holds ~120 MB), but far below what keeping the big scans would cost.
RSS_LIMIT_MB = 400


async def create_traveller_topic_for_big_messages(settings: Settings) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.broker_hosts)
    await admin.start()
    try:
        await admin.create_topics([
            NewTopic(settings.topic(settings.topic_traveller), settings.topic_partitions, 1,
                     topic_configs={"max.message.bytes": str(BIG_MESSAGES)})])
    finally:
        await admin.close()


async def watch_rss(worker: Any, stop: asyncio.Event, samples: list[float]) -> None:
    while not stop.is_set():
        samples.append(worker.rss_mb())
        await asyncio.sleep(0.25)


async def test_hostile_corpus_is_dead_lettered_and_valid_scans_screened(
        settings: Settings, worker_factory: Any, tmp_path: Path, redis_client: Any) -> None:
    paths = load_lists(settings, tmp_path / "lists", sltd=2000, notices=500, smv=800)
    factory = ScanFactory(seed=21, sample=sample_from_files(paths, per_list=200, seed=21))
    hostile = list(hostile_corpus(21, 1000, huge=3, factory=factory))
    valid = []
    for kind, scan, expect in factory.mixed(500, hit_share=0.2):
        valid.append((kind, orjson.dumps(scan), expect))
    mixed: list[tuple[str, bytes, Any]] = [(h.kind, h.payload, h) for h in hostile] + valid
    Random(21).shuffle(mixed)

    await create_traveller_topic_for_big_messages(settings)
    await create_topics(settings)
    worker = worker_factory(settings)
    worker.wait_ready()
    rss: list[float] = [worker.rss_mb()]
    stop = asyncio.Event()
    watcher = asyncio.create_task(watch_rss(worker, stop, rss))
    invalid = [h for h in hostile if h.rejected]
    started = time.monotonic()
    async with Reader(settings, settings.topic_results, settings.topic_alerts,
                      settings.topic_deadletter) as reader:
        publisher = await Publisher(settings, mixed, rate=500).start()
        sent = await publisher.finish()
        await reader.results_for(expected_ids(sent), within=120)
        while (len(reader.messages[settings.topic_deadletter]) < len(invalid)
               and time.monotonic() - started < 150):
            await reader.poll()
    stop.set()
    await watcher
    assert worker.proc is not None and worker.proc.poll() is None, worker.log_tail()

    # Every readable scan answered once; hostile ones rejected with their code.
    by_event = reader.results_by_event()
    assert set(by_event) == expected_ids(sent), worker.log_tail()
    assert max(len(rs) for rs in by_event.values()) == 1
    wrong = []
    for h in hostile:
        if h.event_id is None:
            continue
        r = by_event[h.event_id][0]
        want = "rejected" if h.rejected else "clear"
        if r["outcome"] != want or (h.rejected and h.code not in r["warnings"]):
            wrong.append((h.case, h.code, r["outcome"], r["warnings"]))
    assert not wrong, wrong[:10]

    # Every invalid one dead-lettered with its code and its bytes (the head of those over
    # the dead-letter topic's limit), and nothing else.
    dead = [orjson.loads(m.value) for _, m in reader.messages[settings.topic_deadletter]]
    got = Counter((base64.b64decode(d["payload_b64"]), d["reason"]["code"]) for d in dead)
    assert got == Counter((h.payload[:DEADLETTER_PAYLOAD_BYTES], h.code) for h in invalid)
    assert all(d["reason"]["message"] for d in dead)
    assert sum("payload cut" in d["reason"]["message"] for d in dead) == \
        sum(len(h.payload) > DEADLETTER_PAYLOAD_BYTES for h in invalid) >= 3

    # Valid scans around them: designed hits found, others clear.
    outcomes = [(e.outcome, by_event[str(e.event_id)][0]["outcome"]) for _, _, e in valid]
    misses = [(want, got) for want, got in outcomes if want != got]
    assert not [m for m in misses if m[0] == "hit"], misses
    assert len(misses) <= 2, misses

    assert max(rss) < RSS_LIMIT_MB, f"worker RSS peaked at {max(rss):.0f} MB"
    cases = Counter(h.case for h in hostile)
    print(f"hostile: {len(hostile)} hostile ({len(invalid)} invalid, {len(cases)} cases) + "
          f"{len(valid)} valid; {len(dead)} dead letters, "
          f"{sum(1 for rs in by_event.values() if rs[0]['outcome'] == 'rejected')} rejected; "
          f"RSS {rss[0]:.0f} -> max {max(rss):.0f} MB")
