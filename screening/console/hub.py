"""Fan-out of server-sent events to the console's open pages."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

# Events waiting for one page; a page that falls this far behind is sent a fresh snapshot.
QUEUE_SIZE = 1000


@dataclass(frozen=True)
class Event:
    """One server-sent event, encoded once for all pages."""

    name: str
    data: bytes
    # The checkpoint of the alert it is about (a decision's: its alert's), by which each
    # stream tells whether its user may see it; None: not known (supervisors only).
    checkpoint: str | None = None
    # For every page whatever its sites (the mode in force).
    everyone: bool = False

    def encode(self) -> bytes:
        return b"event: " + self.name.encode() + b"\ndata: " + self.data + b"\n\n"


class Hub:
    """Fan-out to the open pages, one bounded queue each; None in a queue ends that page's
    stream (the browser reconnects and is sent a fresh snapshot: nothing silently lost)."""

    def __init__(self, queue_size: int = QUEUE_SIZE) -> None:
        self.queue_size = queue_size
        self._queues: set[asyncio.Queue[Event | None]] = set()

    def subscribe(self) -> asyncio.Queue[Event | None]:
        q: asyncio.Queue[Event | None] = asyncio.Queue(self.queue_size + 1)
        self._queues.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue[Event | None]) -> None:
        self._queues.discard(q)

    def publish(self, event: Event) -> None:
        for q in list(self._queues):
            if q.qsize() >= self.queue_size:
                self._end(q)
            else:
                q.put_nowait(event)

    def close_all(self) -> None:
        for q in list(self._queues):
            self._end(q)

    def _end(self, q: asyncio.Queue[Event | None]) -> None:
        self._queues.discard(q)
        while not q.empty():
            q.get_nowait()
        q.put_nowait(None)

    def __len__(self) -> int:
        return len(self._queues)
