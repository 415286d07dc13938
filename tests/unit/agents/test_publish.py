"""Outputs: one record batch per topic and partition, keyed as a plain send would be."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from screening.agents.publish import Outputs
from screening.core.engine import RawScan, Screened
from screening.metrics import Metrics
from screening.models import CheckResult
from screening.settings import Settings
from tests.support.producer import FakeApp, FakeProducer

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def _item(i: int, terminal: str) -> Screened:
    result = CheckResult(event_id=f"e{i}", checkpoint_id="cp", terminal_id=terminal,
                         kind="traveller", outcome="clear", decided_at=NOW,
                         watchlist_version="v1")
    return Screened(raw=RawScan(kind="traveller", value=b"{}"), result=result)


class Ctx:
    metrics = Metrics.create()


async def test_results_batched_per_partition_as_the_default_partitioner_would() -> None:
    producer = FakeProducer(partitions=4, room=3)
    outputs = Outputs(FakeApp(producer), Settings())  # type: ignore[arg-type]
    items = [_item(i, f"t{i % 5}") for i in range(20)]
    await outputs.publish(Ctx(), items)  # type: ignore[arg-type]
    sent = [(topic, part, key, value) for topic, part, batch in producer.sent
            for key, value in batch.records]
    assert len(sent) == 20
    assert all(topic == "screening.results" for topic, *_ in sent)
    for _, part, key, _ in sent:
        assert part == producer.partitioner(key, [0, 1, 2, 3], [0, 1, 2, 3])
    assert all(len(batch.records) <= 3 for *_, batch in producer.sent)
    # order within a terminal is kept
    for t in range(5):
        ids = [int(orjson.loads(v)["event_id"][1:]) for _, _, k, v in sent
               if k == f"t{t}".encode()]
        assert ids == sorted(ids)


async def test_a_partition_count_change_is_noticed() -> None:
    producer = FakeProducer(partitions=2)
    outputs = Outputs(FakeApp(producer), Settings())  # type: ignore[arg-type]
    await outputs.publish(Ctx(), [_item(0, "t1")])  # type: ignore[arg-type]
    producer.parts = set(range(8))
    await outputs.publish(Ctx(), [_item(1, "t1")])  # type: ignore[arg-type]
    assert producer.sent[-1][1] == producer.partitioner(b"t1", list(range(8)), list(range(8)))
