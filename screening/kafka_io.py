"""Plain aiokafka clients for the command line (simulator, alert tail, benchmark)."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from screening.settings import Settings


def producer(settings: Settings, **overrides: Any) -> AIOKafkaProducer:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.broker_hosts,
        "linger_ms": 5,
        "max_batch_size": 1 << 20,
        "acks": "all",
        "enable_idempotence": True,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def consumer(settings: Settings, *topics: str, group: str | None = None,
             from_beginning: bool = False, **overrides: Any) -> AIOKafkaConsumer:
    """A consumer of full topic names; without a group, a throwaway one."""
    options: dict[str, Any] = {
        "bootstrap_servers": settings.broker_hosts,
        "group_id": group or f"screening-cli-{uuid.uuid4().hex[:8]}",
        "auto_offset_reset": "earliest" if from_beginning else "latest",
        "enable_auto_commit": group is not None,
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


def topic_names(settings: Settings) -> list[str]:
    """Every topic of the contract, with the deployment's prefix."""
    return [settings.topic(t) for t in (
        settings.topic_traveller, settings.topic_vehicle, settings.topic_results,
        settings.topic_alerts, settings.topic_decisions, settings.topic_updates,
        settings.topic_deadletter)]


async def ensure_topics(settings: Settings) -> list[str]:
    """Create the contract's topics that do not exist yet; returns those created.

    A worker must find its input topics when it joins the group: topics created after
    the assignment are only picked up at the next metadata refresh (minutes)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.broker_hosts)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [n for n in topic_names(settings) if n not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker won the race
                await admin.create_topics([NewTopic(n, settings.topic_partitions,
                                                    settings.topic_replication)
                                           for n in missing])
        return missing
    finally:
        await admin.close()
