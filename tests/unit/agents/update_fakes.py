"""What the update applier's tests feed it: records off `watchlist.updates` and a
producer that keeps what it was asked to send (dead letters)."""

from __future__ import annotations

from typing import Any

from aiokafka.structs import ConsumerRecord

from screening.models import DeadLetter


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    async def send_and_wait(self, topic: str, value: bytes) -> None:
        self.sent.append((topic, value))

    def letters(self) -> list[DeadLetter]:
        return [DeadLetter.model_validate_json(value) for _, value in self.sent]


def message(value: bytes | None, offset: int, partition: int = 0) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(topic="watchlist.updates", partition=partition, offset=offset,
                          timestamp=0, timestamp_type=0, key=b"sltd:S1", value=value,
                          checksum=None, serialized_key_size=7,
                          serialized_value_size=len(value or b""), headers=())
