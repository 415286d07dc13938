"""Plain aiokafka clients for the command line (simulator, alert tail, console, benchmark).

Every client connects with `security.clients.aiokafka_options`: TLS and SCRAM as the
settings say. Throwaway consumer groups are named under the principal's own prefix
(`console.cli-1a2b3c4d`), the only groups its ACLs let it use.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from screening.exceptions import ConfigurationError
from screening.security.clients import aiokafka_options
from screening.security.roles import own_group_prefix
from screening.settings import Settings


def producer(settings: Settings, **overrides: Any) -> AIOKafkaProducer:
    options: dict[str, Any] = {
        **aiokafka_options(settings),
        "linger_ms": 5,
        "max_batch_size": 1 << 20,
        "acks": "all",
        "enable_idempotence": True,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def throwaway_group(settings: Settings, purpose: str = "cli") -> str:
    """A fresh consumer group under this principal's own prefix."""
    owner = settings.kafka_username or "screening"
    return f"{own_group_prefix(owner)}{purpose}-{uuid.uuid4().hex[:8]}"


def consumer(settings: Settings, *topics: str, group: str | None = None,
             from_beginning: bool = False, **overrides: Any) -> AIOKafkaConsumer:
    """A consumer of full topic names; without a group, a throwaway one."""
    options: dict[str, Any] = {
        **aiokafka_options(settings),
        "group_id": group or throwaway_group(settings),
        "auto_offset_reset": "earliest" if from_beginning else "latest",
        "enable_auto_commit": group is not None,
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


def admin(settings: Settings, **overrides: Any) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(**aiokafka_options(settings), **overrides)


def topic_names(settings: Settings) -> list[str]:
    """Every topic of the contract, with the deployment's prefix."""
    return [settings.topic(t) for t in (
        settings.topic_traveller, settings.topic_vehicle, settings.topic_results,
        settings.topic_alerts, settings.topic_decisions, settings.topic_updates,
        settings.topic_deadletter, settings.topic_audit)]


async def ensure_topics(settings: Settings) -> list[str]:
    """Checks that the contract's topics exist; returns those created.

    A worker must find its input topics when it joins the group: topics created after
    the assignment are only picked up at the next metadata refresh (minutes). On a
    secured broker only `admin` creates topics (`screening security init`, with their
    retention): a missing one is an error that says so. A plaintext development broker
    gets them created here."""
    client = admin(settings)
    await client.start()
    try:
        existing = set(await client.list_topics())
        missing = [n for n in topic_names(settings) if n not in existing]
        if missing and settings.kafka_security == "sasl_ssl":
            raise ConfigurationError(
                f"topics missing on the broker: {', '.join(missing)}; an admin creates them "
                "with `screening security init` (same SCREENING_TOPIC_PREFIX)")
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another worker won the race
                await client.create_topics([NewTopic(n, settings.topic_partitions,
                                                     settings.topic_replication)
                                            for n in missing])
        return missing
    finally:
        await client.close()
