"""Dead letters, built one way for every input that could not be processed (scans and
watchlist updates alike), so that each fits on the dead-letter topic."""

from __future__ import annotations

import base64
from datetime import datetime

from screening.models import DeadLetter, DeadLetterReason

# Original bytes kept in a dead letter. A scan topic may accept messages larger than the
# dead-letter topic (or the worker's producer) does; a dead letter that cannot be sent is
# lost, so an oversized input keeps its head (where its ids are) and the reason says so.
DEADLETTER_PAYLOAD_BYTES = 64 << 10


def dead_letter(payload: bytes | None, code: str, message: str, now: datetime, *, topic: str,
                partition: int | None, offset: int | None) -> DeadLetter:
    payload = payload or b""
    size = len(payload)
    if size > DEADLETTER_PAYLOAD_BYTES:
        message = (f"{message} (payload cut to its first {DEADLETTER_PAYLOAD_BYTES} "
                   f"of {len(payload)} bytes)")
        payload = payload[:DEADLETTER_PAYLOAD_BYTES]
    return DeadLetter(received_at=now, topic=topic, partition=partition, offset=offset,
                      reason=DeadLetterReason(code=code, message=message),
                      payload_b64=base64.b64encode(payload).decode(), payload_bytes=size,
                      payload_truncated=len(payload) < size)


__all__ = ["DEADLETTER_PAYLOAD_BYTES", "dead_letter"]
