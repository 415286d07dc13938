"""Plain aiokafka clients (no Faust): what their public API does not offer."""

from __future__ import annotations

from typing import Any


async def refresh_metadata(consumer: Any) -> None:
    """Ask the broker for the cluster's metadata now, so a topic created a moment ago
    shows in `partitions_for_topic` (which reads only the cached metadata).

    Follows aiokafka 0.14.0: `AIOKafkaConsumer` keeps its `AIOKafkaClient` private
    (`_client`; the producer's is public as `client`), and that client's
    `force_metadata_update` is the call Faust's own producer makes for a new topic."""
    await consumer._client.force_metadata_update()
