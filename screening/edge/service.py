"""What the edge does with one terminal's scan, apart from HTTP: check it as the worker
would, set the terminal's own ids, ask the centre within the budget, else answer from
the snapshot with `OFFLINE` once the scan is safely on disk; and forward what was
answered offline when the link is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from screening.core.codec import decode_object, validate_scan
from screening.core.decide import rejected
from screening.core.engine import RawScan, Screener
from screening.edge.central import Asked, Busy, Central, Key
from screening.edge.outbox import Outbox, Stored
from screening.edge.terminals import Terminal
from screening.exceptions import InvalidScan
from screening.logs import kv
from screening.models import CheckResult, ScanKind
from screening.settings import Settings
from screening.watchlists.store import ListReader

log = logging.getLogger("screening.edge")
OFFLINE = "OFFLINE"
# The ids the edge sets from the terminal's identity, never from the body.
IDENTITY_FIELDS = ("terminal_id", "checkpoint_id")


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: str, message: str, result: CheckResult | None = None) -> Reply:
    body: dict[str, Any] = {"code": code, "message": message}
    if result is not None:
        body["result"] = result.model_dump(mode="json")
    return Reply(status, body)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Edge:
    def __init__(self, settings: Settings, central: Central, outbox: Outbox,
                 reader: ListReader, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.central = central
        self.outbox = outbox
        self.screener = Screener(reader, settings, clock=clock)
        self.reader = reader
        self.clock = clock
        # Stored scans whose first publication may still reach the broker: not forwarded
        # until its outcome is known.
        self.in_flight: set[Key] = set()
        self.wake = asyncio.Event()

    # -- one scan ----------------------------------------------------------------

    async def scan(self, kind: ScanKind, terminal: Terminal, raw: bytes) -> Reply:
        try:
            data = decode_object(raw, max_bytes=self.settings.max_scan_bytes)
        except InvalidScan as exc:
            return self._invalid(kind, exc, terminal)
        own = {"terminal_id": terminal.terminal_id, "checkpoint_id": terminal.checkpoint_id}
        for name in IDENTITY_FIELDS:
            claimed = data.get(name)
            if claimed is not None and claimed != own[name]:
                return error(403, "IDENTITY_MISMATCH",
                             f"{name} in the body is not this terminal's (leave it out: "
                             "the edge sets it from the token)")
        data.update(own)
        try:
            scan = validate_scan(kind, data)
        except InvalidScan as exc:
            return self._invalid(kind, exc, terminal)
        key = (terminal.terminal_id, scan.event_id)
        body = orjson.dumps(data)
        # A terminal repeating a scan it was answered offline for (its first answer got
        # lost on the way back): the same answer, and the scan is still forwarded once.
        if key in self.outbox.keys:
            kept = await self.outbox.run(self.outbox.answer_of, *key)
            if kept is not None:
                return Reply(200, orjson.loads(kept))
        try:
            asked = await self.central.ask(kind, key, body, self.settings.edge_budget_s)
        except Busy:
            return error(409, "IN_PROGRESS", "a scan with this event_id is being answered")
        if asked.answer is not None:
            return Reply(200, asked.answer)
        return await self._offline(kind, key, body, asked)

    def _invalid(self, kind: ScanKind, exc: InvalidScan, terminal: Terminal) -> Reply:
        exc.terminal_id, exc.checkpoint_id = terminal.terminal_id, terminal.checkpoint_id
        result = rejected(exc, kind, version=self.screener.last_version, now=self.clock())
        return error(400, exc.code, exc.message, result)

    async def _offline(self, kind: ScanKind, key: Key, body: bytes, asked: Asked) -> Reply:
        [screened] = await self.screener.screen([RawScan(kind, body)])
        result = screened.result
        if result is None:  # a valid scan is always answered; never answer nothing
            return error(503, "NOT_ANSWERED", "the scan could not be screened")
        result = result.model_copy(update={"warnings": [*result.warnings, OFFLINE]})
        answer = result.model_dump(mode="json")
        stored = Stored(0, key[0], key[1], kind, body, orjson.dumps(answer))
        try:
            await self.outbox.run(self._keep, stored, asked.published)
        except Exception:
            log.exception("offline scan could not be stored", extra=kv(event_id=key[1]))
            return error(503, "NOT_STORED", "the edge could not keep the scan; send it again")
        if asked.delivery is not None:
            self._follow(key, asked.delivery)
        if result.outcome == "hit":
            log.warning("offline hit", extra=kv(event_id=key[1], terminal_id=key[0],
                                                lists=",".join(h.list for h in result.hits)))
        return Reply(200, answer)

    def _keep(self, stored: Stored, published: bool) -> None:
        if self.outbox.keep(stored) and published:
            # Its publication reached the broker, only too late: the centre has it.
            self.outbox.mark(stored.terminal_id, stored.event_id, "sent")

    def _follow(self, key: Key, delivery: asyncio.Future[Any]) -> None:
        """A publication still under way: once it is acknowledged the scan is the
        centre's (no forwarding); if it fails the forwarder sends the stored copy."""
        self.in_flight.add(key)

        def done(future: asyncio.Future[Any]) -> None:
            self.in_flight.discard(key)
            if not future.cancelled() and future.exception() is None:
                self.outbox.submit(self.outbox.mark, *key, "sent")
            else:
                self.wake.set()

        delivery.add_done_callback(done)

    # -- the link and the stored scans --------------------------------------------

    async def forward_pending(self) -> int:
        """Forwards stored scans in the order they were answered; stops at the first
        that the broker does not take. Returns how many went."""
        sent = 0
        while True:
            rows = [r for r in await self.outbox.run(self.outbox.pending)
                    if (r.terminal_id, r.event_id) not in self.in_flight]
            if not rows:
                return sent
            for row in rows:
                key = (row.terminal_id, row.event_id)
                if not await self.central.forward(row.kind, key, row.body,
                                                  orjson.loads(row.answer)):
                    return sent
                await self.outbox.run(self.outbox.mark, row.terminal_id, row.event_id,
                                      "forwarded")
                sent += 1
            if sent:
                log.info("stored scans forwarded", extra=kv(count=sent))

    async def keep_link(self, stop: asyncio.Event) -> None:
        """Keeps the link up and the stored scans going, until `stop`."""
        while not stop.is_set():
            try:
                if self.central.up or await self.central.probe():
                    await self.forward_pending()
            except Exception:  # the loop must outlive any one failure
                log.exception("edge link loop failed")
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._either(stop), self.settings.edge_retry_s)

    async def _either(self, stop: asyncio.Event) -> None:
        waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(self.wake.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()

    @property
    def snapshot_version(self) -> str | None:
        version = getattr(self.reader, "version", None)
        return None if version is None else str(version.id)

    async def health(self) -> dict[str, Any]:
        counts = await self.outbox.run(self.outbox.counts)
        return {"status": "ok", "site_link": "up" if self.central.up else "down",
                "snapshot_version": self.snapshot_version,
                "snapshot_updates": getattr(self.reader, "updates", 0),
                "stored": {"pending": counts.get("pending", 0),
                           "forwarded": counts.get("forwarded", 0),
                           "sent": counts.get("sent", 0)}}
