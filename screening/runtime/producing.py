"""Publishing a batch past Faust's one-message send: the aiokafka producer under Faust's,
its partitioner, and Faust's transactions and commit gate.

Faust's `Producer.send` takes one message at a time, and under exactly_once picks the
transaction from the output partition; agents/publish.py appends a batch's messages to
one record batch per partition, or sends each in the transaction of its scan's input
partition, and needs these to do it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from faust.types import TP


def kafka_producer(app: Any) -> Any:
    """The started aiokafka producer under the app's Faust producer (faust-streaming
    0.15.3 `faust.transport.drivers.aiokafka.Producer._ensure_producer`; raises
    NotReady before it started): `create_batch` and `send_batch` are only there."""
    return app.producer._ensure_producer()


def default_partition(producer: Any, topic: str, key: bytes | None) -> int:
    """The partition a plain send of `key` would go to: aiokafka 0.14.0
    `AIOKafkaProducer._partition` (its partitioner, murmur2 of the key, over the topic's
    known partitions), which `send` calls to choose one and `send_batch` only to check
    the one it is given."""
    return int(producer._partition(topic, None, None, None, key, None))


def transactional_id(consumer: Any, tp: TP) -> str:
    """The transaction a message read from `tp` belongs to under exactly_once:
    faust-streaming 0.15.3 `TransactionManager._tps_to_transactional_ids` (through the
    app's assignor's topic groups), the mapping Faust's commit uses."""
    [tid] = consumer.transactions._tps_to_transactional_ids({tp})
    return tid


@asynccontextmanager
async def commits_held(consumer: Any) -> AsyncIterator[None]:
    """No commit starts while the body runs.

    Follows faust-streaming 0.15.3 `faust.transport.consumer.Consumer.commit`: a commit
    in progress is its private `_commit_fut`, and a commit that finds one waits for it
    (`maybe_wait_for_commit_to_finish`) and then does nothing. The body poses as such a
    commit, so the offsets committed next cannot be ahead of what it sent."""
    await consumer.maybe_wait_for_commit_to_finish()
    gate = consumer._commit_fut = asyncio.get_running_loop().create_future()
    try:
        yield
    finally:
        consumer._commit_fut = None
        gate.set_result(None)
