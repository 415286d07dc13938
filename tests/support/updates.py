"""What the update applier's tests feed it: records off `watchlist.updates` and a
producer that keeps what it was asked to send (dead letters)."""

from __future__ import annotations

from typing import Any

from aiokafka.structs import ConsumerRecord

from screening.models import Alert, AuditRecord, DeadLetter


class Producer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []
        self.keys: list[bytes | None] = []

    async def send_and_wait(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        self.sent.append((topic, value))
        self.keys.append(key)

    def letters(self) -> list[DeadLetter]:
        return [DeadLetter.model_validate_json(value) for topic, value in self.sent
                if topic.endswith("deadletter")]

    def audits(self) -> list[AuditRecord]:
        return [AuditRecord.model_validate_json(value) for topic, value in self.sent
                if topic.endswith("audit")]

    def alerts(self) -> list[Alert]:
        return [Alert.model_validate_json(value) for topic, value in self.sent
                if topic.endswith("alerts")]


def message(value: bytes | None, offset: int, partition: int = 0) -> ConsumerRecord[Any, Any]:
    return ConsumerRecord(topic="watchlist.updates", partition=partition, offset=offset,
                          timestamp=0, timestamp_type=0, key=b"sltd:S1", value=value,
                          checksum=None, serialized_key_size=7,
                          serialized_value_size=len(value or b""), headers=())
