"""What the edge does with one terminal's scan, apart from HTTP: check it as the worker
would, set the terminal's own ids, ask the centre within the budget, else answer from
the snapshot with `OFFLINE` once the scan (and the local alerts of its hits) is safely
on disk; and forward what was answered offline when the link is back.

When the centre's own result for a scan answered offline arrives (the forwarded scan's,
or a publication that reached the worker too late), the edge compares it with what it
told the terminal: if the outcome or the instruction differs, the terminal gets an
instruction naming the event (on the site's instructions topic, and at
`GET /v1/instructions`). The edge does it, not the worker, because it alone knows what
the terminal was told (its outbox row) and is the one place a terminal speaking HTTP
reads from; the comparison is marked in the same row, so it happens once per event
whatever restarts.
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

from screening.console.feed import display_alert, read_alert
from screening.core.codec import decode_object, validate_scan
from screening.core.decide import alert_id, rejected
from screening.core.engine import RawScan, Screener
from screening.edge.central import Asked, Busy, Central, Key, Resume
from screening.edge.outbox import Outbox, Stored
from screening.edge.terminals import Terminal
from screening.exceptions import InvalidScan
from screening.logs import kv
from screening.models import Alert, CheckResult, InstructionMessage, ScanKind
from screening.settings import Settings
from screening.watchlists.store import ListReader

log = logging.getLogger("screening.edge")
OFFLINE = "OFFLINE"
# The ids the edge sets from the terminal's identity, never from the body.
IDENTITY_FIELDS = ("terminal_id", "checkpoint_id")
# Who the edge's own instructions are `by` (InstructionMessage.by: a role).
BY_EDGE = "edge"
# Late answers kept until their scan is stored (an answer can beat the offline write).
LATE_KEPT = 1000
# Results and instructions kept positions (outbox meta keys).
POSITIONS = "positions"


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    # `body` already encoded (an offline answer: encoded once, stored and sent).
    raw: bytes | None = None


def error(status: int, code: str, message: str, result: CheckResult | None = None) -> Reply:
    body: dict[str, Any] = {"code": code, "message": message}
    if result is not None:
        body["result"] = result.model_dump(mode="json")
    return Reply(status, body)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _result(data: dict[str, Any]) -> CheckResult:
    """A result as this version reads it (a newer worker's optional fields ignored)."""
    return CheckResult.model_validate(
        {k: v for k, v in data.items() if k in CheckResult.model_fields})


def differs(offline: dict[str, Any], central: dict[str, Any]) -> bool:
    """Whether the gate must be told again: another outcome or another instruction."""
    return (offline.get("outcome") != central.get("outcome")
            or _result(offline).instruction != _result(central).instruction)


def instruction_for(offline: dict[str, Any], central: dict[str, Any],
                    now: datetime) -> InstructionMessage:
    """The instruction for a terminal whose offline answer the centre's result changes:
    the centre's instruction, naming the alert of its first hit (the one the worker
    raised, same id) or, when the centre found nothing, of the edge's offline hit."""
    result = _result(central)
    hits = result.hits or _result(offline).hits
    return InstructionMessage(
        event_id=result.event_id, terminal_id=result.terminal_id,
        alert_id=alert_id(result.event_id, hits[0]) if hits else "",
        instruction=result.instruction or "REFER_SECONDARY", issued_at=now, by=BY_EDGE,
        text=f"the centre's answer is {result.outcome}; offline it was "
             f"{offline.get('outcome')}",
        reference=result.reference, exercise=result.exercise)


class Edge:
    def __init__(self, settings: Settings, central: Central, outbox: Outbox,
                 reader: ListReader, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.central = central
        self.outbox = outbox
        central.resume = Resume(starts=self._starts, on_result=self._on_result,
                                on_instruction=self._on_instruction,
                                on_positions=self._on_positions)
        self.alerts_topic = settings.topic(settings.topic_alerts)
        # Answers that came before their scan's offline answer was stored.
        self.late: dict[Key, dict[str, Any]] = {}
        # Set (and replaced) when a terminal's instruction is kept: long polls wake.
        self.instructed = asyncio.Event()
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
                return Reply(200, orjson.loads(kept), raw=kept)
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
        answer = result.model_dump(mode="json")
        answer["warnings"].append(OFFLINE)
        encoded = orjson.dumps(answer)
        stored = Stored(0, key[0], key[1], kind, body, encoded)
        # The site's alerts for the hits: kept with the scan, shown at /v1/alerts, and
        # forwarded (once, marked) when the link is back.
        alerts = [(a.alert_id, local_alert(a)) for a in screened.alerts]
        try:
            await self.outbox.write(self._keep, stored, alerts, asked.published)
        except Exception:
            log.exception("offline scan could not be stored", extra=kv(event_id=key[1]))
            return error(503, "NOT_STORED", "the edge could not keep the scan; send it again")
        if asked.delivery is not None:
            self._follow(key, asked.delivery)
        if result.outcome == "hit":
            log.warning("offline hit", extra=kv(event_id=key[1], terminal_id=key[0],
                                                lists=",".join(h.list for h in result.hits),
                                                alerts=len(alerts)))
        late = self.late.pop(key, None)
        if late is not None:
            self._on_result(key, late)
        return Reply(200, answer, raw=encoded)

    def _keep(self, stored: Stored, alerts: list[tuple[str, bytes]], published: bool) -> None:
        if self.outbox.keep(stored, alerts) and published:
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

    # -- the centre's results for scans answered offline, and instructions ----------

    async def _starts(self) -> dict[str, dict[str, int] | None]:
        """Where the link starts reading: the instructions where it stopped; the results
        too while a scan the centre has still awaits its comparison (else at the end)."""
        kept = await self.outbox.run(self.outbox.meta, POSITIONS) or {}
        awaiting = await self.outbox.run(self.outbox.awaiting_results)
        topics = self.central.topics
        return {topics.instructions: kept.get(topics.instructions),
                topics.results: kept.get(topics.results) if awaiting else None}

    def _on_positions(self, positions: dict[str, dict[str, int]]) -> None:
        """Kept through the disk queue behind the comparisons of the results read before
        (their tasks queue their writes first): a position is never kept ahead of a
        result not yet compared; and, at connect, before anything is forwarded."""
        task = asyncio.ensure_future(self.outbox.write(self.outbox.set_meta, POSITIONS,
                                                       positions))
        task.add_done_callback(_log_failure)

    def _on_result(self, key: Key, central: dict[str, Any]) -> None:
        """A result nobody waited for: if it is the centre's for a scan answered offline,
        compared once with what the terminal was told."""
        if key not in self.outbox.keys:
            if len(self.late) >= LATE_KEPT:
                self.late.pop(next(iter(self.late)))
            self.late[key] = central
            return
        task = asyncio.ensure_future(self._compare(key, central))
        task.add_done_callback(_log_failure)

    async def _compare(self, key: Key, central: dict[str, Any]) -> None:
        now = self.clock()

        def once() -> InstructionMessage | None:
            kept = self.outbox.compare_once(*key)
            if kept is None:
                return None
            offline = orjson.loads(kept)
            if not differs(offline, central):
                return None
            message = instruction_for(offline, central, now)
            self.outbox.add_instruction(message.model_dump(mode="json"), "pending")
            return message

        message = await self.outbox.write(once)
        log.info("centre's result for a scan answered offline", extra=kv(
            event_id=key[1], terminal_id=key[0], outcome=central.get("outcome"),
            instructed=message is not None))
        if message is not None:
            log.warning("the centre's answer differs from the offline one: terminal "
                        "instructed", extra=kv(event_id=key[1], terminal_id=key[0],
                                               instruction=message.instruction))
            self._instructed()
            self.wake.set()

    def _on_instruction(self, raw: bytes) -> None:
        """An instruction read from the site's topic: kept for its terminal (the edge's
        own, read back, is kept already and now known to be published)."""
        try:
            message = InstructionMessage.model_validate_json(raw)
        except ValueError:
            log.warning("unreadable instruction skipped")
            return
        data = message.model_dump(mode="json")
        state = "published" if message.by == BY_EDGE else "received"

        async def keep() -> None:
            if await self.outbox.write(self.outbox.add_instruction, data, state) is not None:
                self._instructed()

        asyncio.ensure_future(keep()).add_done_callback(_log_failure)

    def _instructed(self) -> None:
        self.instructed.set()
        self.instructed = asyncio.Event()

    async def instructions(self, terminal_id: str, since: int, wait_s: float
                           ) -> tuple[list[dict[str, Any]], int]:
        """The terminal's instructions after `since`, waiting up to `wait_s` for one;
        (instructions, the seq to ask from next)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        while True:
            waiter = self.instructed
            rows = await self.outbox.run(self.outbox.instructions, terminal_id, since)
            left = deadline - loop.time()
            if rows or left <= 0:
                return [orjson.loads(b) for _, b in rows], rows[-1][0] if rows else since
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), left)

    async def alerts(self, since: int) -> tuple[list[dict[str, Any]], int]:
        """The site's local alerts after `since`, as the console shows alerts (document
        numbers, VINs and plates masked), each saying whether it has been forwarded."""
        rows = await self.outbox.run(self.outbox.alerts, since)
        shown = [{**display_alert(read_alert(body)), "forwarded": state == "forwarded"}
                 for _, state, body in rows]
        return shown, rows[-1][0] if rows else since

    # -- the link and the stored scans --------------------------------------------

    async def publish_pending(self) -> None:
        """Local alerts, then the edge's own instructions once the link has read the
        instructions topic up to where it was (one published before a restart is found
        there, not published twice)."""
        for alert_id_, body in await self.outbox.run(self.outbox.pending_alerts):
            if not await self.central.publish(self.alerts_topic, alert_id_.encode(), body):
                break
            await self.outbox.run(self.outbox.mark_alert, alert_id_)
            log.info("local alert forwarded", extra=kv(alert_id=alert_id_))
        if not self.central.caught_up:
            return
        topic = self.central.topics.instructions
        for seq, body in await self.outbox.run(self.outbox.pending_instructions):
            key = orjson.loads(body)["terminal_id"].encode()
            if not await self.central.publish(topic, key, body):
                break
            await self.outbox.run(self.outbox.mark_instruction, seq)

    async def forward_pending(self) -> int:
        """Forwards stored scans in the order they were answered; stops at the first
        that the broker does not take. Returns how many went."""
        await self.publish_pending()
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
                    await self.publish_pending()
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

    def swap(self, reader: ListReader) -> None:
        """Screens with `reader` from the next scan on (one assignment: a scan being
        screened finishes with the reader it began with)."""
        self.screener = Screener(reader, self.settings, clock=self.clock)
        self.reader = reader

    @property
    def snapshot_version(self) -> str | None:
        version = getattr(self.reader, "version", None)
        return None if version is None else str(version.id)

    async def health(self) -> dict[str, Any]:
        counts = await self.outbox.run(self.outbox.counts)
        alerts = await self.outbox.run(self.outbox.alert_counts)
        return {"status": "ok", "site_link": "up" if self.central.up else "down",
                "snapshot_version": self.snapshot_version,
                "snapshot_updates": getattr(self.reader, "updates", 0),
                "stored": {"pending": counts.get("pending", 0),
                           "forwarded": counts.get("forwarded", 0),
                           "sent": counts.get("sent", 0)},
                "local_alerts": {"pending": alerts.get("pending", 0),
                                 "forwarded": alerts.get("forwarded", 0)}}


def local_alert(alert: Alert) -> bytes:
    """An alert the edge raised from its snapshot, marked so."""
    return alert.model_copy(update={"raised_offline": True}).model_dump_json(
        exclude_none=True).encode()


def _log_failure(task: asyncio.Future[Any]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("edge background step failed", exc_info=task.exception())
