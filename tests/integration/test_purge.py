"""`screening purge --before T`: records older than T leave the deployment's topics (the
audit stays), retired list versions leave Redis, and the purge itself is audited."""

from __future__ import annotations

import asyncio
import subprocess
from datetime import UTC, datetime

import orjson
import pytest

from screening import kafka_io
from screening.watchlists.store import WatchlistStore
from tests.support.services import collect, create_topics, env_for, screening_cmd

pytestmark = pytest.mark.integration


async def _send(settings, topic: str, n: int, tag: str) -> None:
    producer = kafka_io.producer(settings)
    await producer.start()
    try:
        for i in range(n):
            await producer.send_and_wait(settings.topic(topic), orjson.dumps({"n": f"{tag}{i}"}),
                                         key=b"k")
    finally:
        await producer.stop()


def _purge(settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(screening_cmd("purge", *args), env=env_for(settings),
                          capture_output=True, text=True, timeout=120)


async def test_purge_deletes_what_is_older_keeps_the_audit_and_records_itself(
        settings, redis_client) -> None:
    await create_topics(settings)
    store = WatchlistStore(redis_client, settings.redis_prefix)
    old = await store.create_version("v-old", {})
    await store.switch(old, grace_s=3600)
    await store.switch(await store.create_version("v-new", {}), grace_s=3600)  # v-old retired
    for topic in (settings.topic_results, settings.topic_alerts, settings.topic_audit):
        await _send(settings, topic, 5, "old")
    await asyncio.sleep(1.5)
    cut = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.5)
    for topic in (settings.topic_results, settings.topic_alerts):
        await _send(settings, topic, 2, "new")

    dry = await asyncio.to_thread(_purge, settings, "--before", cut, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would delete 10 records" in dry.stderr
    assert len(await collect(settings, settings.topic_results, until=7, timeout=15)) == 7

    done = await asyncio.to_thread(_purge, settings, "--before", cut)
    assert done.returncode == 0, done.stderr
    assert "deleted 10 records" in done.stderr and "1 retired list version" in done.stderr
    for topic in (settings.topic_results, settings.topic_alerts):
        kept = await collect(settings, topic, until=3, timeout=8)
        assert [orjson.loads(m.value)["n"] for m in kept] == ["new0", "new1"], topic
    audit = [orjson.loads(m.value) for m in await collect(settings, settings.topic_audit,
                                                          until=6, timeout=15)]
    assert sum(1 for a in audit if a.get("n", "").startswith("old")) == 5  # kept whole
    [purge] = [a for a in audit if a.get("action") == "purge"]
    assert purge["actor"]["principal"] == "admin" and "records:10" in purge["ref"]
    assert not await redis_client.exists(store._meta_key("v-old"))
