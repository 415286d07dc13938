"""Plain aiokafka clients for the command line (simulator, alert tail, benchmark)."""

from __future__ import annotations

import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

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
