"""The console's Kafka side: alerts and decisions read live, fanned out to open pages.

One consumer per console process reads both topics. The first time a partition is
assigned it is rewound by a bounded look-back, so that a page opened now shows the
recent alerts and their decisions instead of an empty list, and further back where an
alert still open lies further back (ledger.py). Open alerts are all kept in memory while
open; decided ones, the newest console_max_alerts. The console is a viewer:
its consumer group is throwaway and commits nothing. Decisions are published to the
decisions topic and shown when read back from it, so every console (this one included)
shows the same thing, in the topic's order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from redis.exceptions import RedisError

from screening.console.display import (
    DOCUMENT_KEYS,
    display_alert,
    display_decision,
    mask_documents,
    read_alert,
    read_decision,
)
from screening.console.hub import QUEUE_SIZE, Event, Hub
from screening.console.ledger import OpenLedger, Place
from screening.kafka_io import consumer as make_consumer
from screening.kafka_io import producer as make_producer
from screening.kafka_io import throwaway_group
from screening.models import AlertDecision, AuditRecord, InstructionMessage
from screening.models.modes import ModeChange
from screening.modes.control import ModeState
from screening.modes.follow import ModeFollower, read_only
from screening.privacy import vehicle_ids
from screening.procedure import is_open, state_of
from screening.security.roles import own_group_prefix
from screening.settings import Settings

log = logging.getLogger("screening.console.feed")

# (What the console's other modules and tests take from here.)
__all__ = ["DECISION_MAX_AHEAD", "DOCUMENT_KEYS", "QUEUE_SIZE", "Event", "Feed", "Hub",
           "display_alert", "display_decision", "mask_documents", "read_alert",
           "read_decision"]

# Decisions read back per partition, per alert read back: room for a procedure's steps.
DECISIONS_PER_ALERT = 8
# Longest a console request waits to hand an audit record to the producer, in seconds.
AUDIT_SEND_TIMEOUT_S = 1.0
# How far a decision's decided_at may be ahead of this console's clock when it is read.
# Consoles stamp decisions with their own clock, and NTP keeps hosts within milliseconds;
# 5 s covers a poorly synced host. A decision dated later than that would outrank every
# real later decision of its alert (and lock it), so it is ignored (contract v2).
DECISION_MAX_AHEAD = timedelta(seconds=5)
# A console that dies mid-transaction holds back the gate's reader until the broker
# aborts it (or the console restarts under the same id, which aborts it at once).
TRANSACTION_TIMEOUT_MS = 10_000


def transactional_id(settings: Settings, instance: str) -> str:
    """Under the console principal's own prefix (security/roles.py grants it)."""
    owner = settings.kafka_username or "console"
    scope = re.sub(r"[^A-Za-z0-9._-]", "_", settings.topic_prefix or "screening")
    return f"{own_group_prefix(owner)}{scope}.{re.sub(r'[^A-Za-z0-9._-]', '_', instance)}"

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


def from_the_future(decision: AlertDecision, now: datetime) -> bool:
    """True for a decision dated later than the time it is read (give or take the skew)."""
    return decision.decided_at > now + DECISION_MAX_AHEAD


def _same_step(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (a["decision"], a["decided_ms"], a["analyst"]) == (
        b["decision"], b["decided_ms"], b["analyst"])


class _Rewind(ConsumerRebalanceListener):
    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    async def on_partitions_revoked(self, revoked: Iterable[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Iterable[TopicPartition]) -> None:
        await self.feed.rewind(list(assigned))


class Feed:
    """Recent alerts and decisions in memory, kept current from Kafka."""

    def __init__(self, settings: Settings, *, lookback: int, max_alerts: int,
                 hub: Hub | None = None, clock: Clock = _utcnow,
                 instance: str = "console", ledger: OpenLedger | None = None) -> None:
        self.settings = settings
        # The decisions producer's transactional id: stable for one console instance, so
        # that a restarted console fences its predecessor's unfinished transaction at
        # once instead of the gate's reader waiting out its timeout.
        self.transactional_id = transactional_id(settings, instance)
        self.clock = clock
        # Decisions ignored because they were dated in the future (shown on /healthz).
        self.future_decisions = 0
        self.lookback = lookback
        self.max_alerts = max_alerts
        self.hub = hub or Hub()
        self.alerts_topic = settings.topic(settings.topic_alerts)
        self.decisions_topic = settings.topic(settings.topic_decisions)
        self.audit_topic = settings.topic(settings.topic_audit)
        # Every alert kept: the open ones all (an open alert is never dropped while
        # open), the decided ones (a final step, procedure.FINAL) the newest max_alerts.
        self._alerts: dict[str, dict[str, Any]] = {}
        # Each kept alert's steps of the hit procedure, in order (procedure.py).
        self._decisions: dict[str, list[dict[str, Any]]] = {}
        # The kept alerts that are decided, in the order they were decided.
        self._decided: OrderedDict[str, None] = OrderedDict()
        # Steps of alerts not kept (not read yet: the two topics are read side by side;
        # or dropped), as many alerts' worth as the look-back may read, or max_alerts.
        self._orphans: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
        # Decided alerts dropped to keep memory bounded, by checkpoint (so that a page is
        # told how many of its own sites' alerts it does not get).
        self.left_out: Counter[str] = Counter()
        # Where each kept alert sits on its topic, and the open ones in Redis (ledger.py):
        # as read at start, noted since, and the changes not written yet.
        self.ledger = ledger
        self._places: dict[str, Place] = {}
        self._was_open: dict[str, Place] = {}
        self._ledgered: set[str] = set()
        self._opened: dict[str, Place] = {}
        self._closed: set[str] = set()
        # Partitions read back further than the look-back (for the ledger's open alerts),
        # and the offset below which only those alerts and their steps are kept.
        self._extended: dict[TopicPartition, int] = {}
        self._pruned = False
        # The VINs and plates of each kept alert as received, for an audited "show".
        self._vehicles: dict[str, dict[str, dict[str, str]]] = {}
        self._positions: dict[TopicPartition, int] = {}
        self._targets: dict[TopicPartition, int] = {}
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        # Decisions and the instructions they send to gates, transactionally.
        self._steps: AIOKafkaProducer | None = None
        self._steps_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        # Set once the look-back has been read: what a page gets on connecting is complete.
        self.ready = asyncio.Event()
        # The mode in force (contract v2 "Modes"), for every page's banner.
        self.mode = ModeState()
        self._mode_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.ledger is not None:
            try:
                self._was_open = await self.ledger.load()
            except RedisError as exc:  # the look-back alone, as before: said
                log.warning("open alerts not read back: the look-back only",
                            extra={"kv": {"error": type(exc).__name__}})
            self._ledgered = set(self._was_open)
        # A pattern, not topic names: asking the broker for named topics would create
        # them (with the broker's defaults) before the worker does.
        pattern = f"^({re.escape(self.alerts_topic)}|{re.escape(self.decisions_topic)})$"
        self._consumer = make_consumer(
            self.settings, group=throwaway_group(self.settings, "console"),
            enable_auto_commit=False, auto_offset_reset="latest", metadata_max_age_ms=5000,
            isolation_level="read_committed")
        self._producer = make_producer(self.settings)
        self._steps = make_producer(self.settings, transactional_id=self.transactional_id,
                                    transaction_timeout_ms=TRANSACTION_TIMEOUT_MS)
        try:
            await self._producer.start()
            await self._steps.start()
            await self._consumer.start()
        except BaseException:
            await self.stop()  # no half-started clients left behind
            raise
        self._consumer.subscribe(pattern=pattern, listener=_Rewind(self))
        self._task = asyncio.create_task(self._run(), name="console-feed")
        self._mode_task = asyncio.create_task(self._follow_mode(), name="console-mode")

    def mode_follower(self) -> ModeFollower:
        """What keeps `mode` current and tells every page (the console needs the
        supervisors' public keys, SCREENING_CONTROL_KEYS_FILE, as workers do)."""
        return ModeFollower(self.settings, self.mode, on_change=self._mode_changed)

    async def _follow_mode(self) -> None:
        follower = self.mode_follower()
        while True:
            try:
                await read_only(self.settings, follower)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the banner keeps the mode known so far
                log.warning("control topic unreadable", extra={"kv": {"error": repr(exc)}})
                await asyncio.sleep(2.0)

    def mode_json(self) -> dict[str, Any]:
        c = self.mode.change
        return {"mode": c.mode, "profile": c.profile, "by": c.by,
                "since_ms": int(c.issued_at.timestamp() * 1000)}

    def _mode_changed(self, change: ModeChange) -> None:
        self.hub.publish(Event("mode", orjson.dumps(self.mode_json()), everyone=True))

    async def stop(self) -> None:
        if self._mode_task is not None:
            self._mode_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._mode_task
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._consumer is not None:
            await self._consumer.stop()
        if self._producer is not None:
            await self._producer.stop()
        if self._steps is not None:
            await self._steps.stop()

    async def rewind(self, assigned: list[TopicPartition]) -> None:
        """Partitions seen before resume where they were; new ones start `lookback` back."""
        assert self._consumer is not None
        fresh = [tp for tp in assigned if tp not in self._positions]
        for tp in assigned:
            if tp in self._positions:
                self._consumer.seek(tp, self._positions[tp])
        if fresh:
            ends = await self._consumer.end_offsets(fresh)
            starts = await self._consumer.beginning_offsets(fresh)
            older = await self._open_starts(fresh)
            for tp in fresh:
                back = self.lookback * (DECISIONS_PER_ALERT if tp.topic == self.decisions_topic
                                        else 1)
                usual = max(starts[tp], ends[tp] - back)
                self._positions[tp] = usual
                if tp in older and older[tp] < usual:
                    self._positions[tp] = max(starts[tp], older[tp])
                    self._extended[tp] = usual
                self._targets[tp] = ends[tp]
                self._consumer.seek(tp, self._positions[tp])
        log.info("console reading", extra={"kv": {"partitions": len(assigned),
                                                  "rewound": len(fresh)}})
        self._check_ready()

    async def _open_starts(self, fresh: list[TopicPartition]) -> dict[TopicPartition, int]:
        """Where the ledger's open alerts begin: on the alerts topic, the oldest one's
        offset in each partition; on the decisions topic, the offset of its time."""
        assert self._consumer is not None
        if not self._was_open:
            return {}
        out: dict[TopicPartition, int] = {}
        for tp in fresh:
            if tp.topic == self.alerts_topic:
                offsets = [p.offset for p in self._was_open.values()
                           if p.partition == tp.partition]
                if offsets:
                    out[tp] = min(offsets)
        oldest = min(p.raised_ms for p in self._was_open.values())
        wanted = {tp: oldest for tp in fresh if tp.topic == self.decisions_topic}
        if wanted:
            try:
                found = await self._consumer.offsets_for_times(wanted)
            except KafkaError as exc:
                log.warning("decisions of old open alerts not read back",
                            extra={"kv": {"error": repr(exc)}})
                found = {}
            for tp, at in found.items():
                if at is not None:
                    out[tp] = at.offset
        return out

    def _check_ready(self) -> None:
        if self._targets and all(self._positions.get(tp, 0) >= end
                                 for tp, end in self._targets.items()):
            self.ready.set()

    async def _run(self) -> None:
        assert self._consumer is not None
        while True:
            try:
                batches = await self._consumer.getmany(timeout_ms=1000, max_records=500)
            except KafkaError as exc:
                log.warning("console feed read failed", extra={"kv": {"error": repr(exc)}})
                await asyncio.sleep(1.0)
                continue
            for tp, messages in batches.items():
                for msg in messages:
                    self._positions[tp] = msg.offset + 1
                    if msg.value is not None:
                        self.receive(msg.topic, msg.value,
                                     (tp, msg.offset) if tp in self._targets else None)
            if not self.ready.is_set():
                # A transaction's commit marker takes an offset but is no message: the
                # consumer's position, not the last message read, says how far it is.
                for tp, end in self._targets.items():
                    if self._positions.get(tp, 0) < end and tp in self._consumer.assignment():
                        self._positions[tp] = max(self._positions.get(tp, 0),
                                                  await self._consumer.position(tp))
                self._check_ready()
            if self.ready.is_set() and not self._pruned:
                self._pruned = True
                # Ledger entries whose alert was not found open (decided, or gone from
                # the topic's retention) are dropped.
                self._closed |= {k for k in self._was_open if not self.still_open(k)}
                self._extended.clear()
            await self._write_ledger()

    async def _write_ledger(self) -> None:
        if self.ledger is None or not (self._opened or self._closed):
            return
        # (Every decided alert is crossed out: another replica may have noted it.)
        opened, closed = self._opened, self._closed
        self._opened, self._closed = {}, set()
        try:
            await self.ledger.apply(opened, closed)
            self._ledgered = (self._ledgered | set(opened)) - closed
        except RedisError as exc:  # noted again at the next change; the feed goes on
            log.warning("open alerts not noted", extra={"kv": {"error": type(exc).__name__}})

    def _older(self, where: tuple[TopicPartition, int] | None, alert_id: str) -> bool:
        """Read back further than the look-back, and not one of the ledger's open
        alerts: skipped (the older stretch is read for those alerts only)."""
        return (where is not None and where[1] < self._extended.get(where[0], -1)
                and alert_id not in self._was_open)

    def receive(self, topic: str, value: bytes,
                where: tuple[TopicPartition, int] | None = None) -> None:
        """One message off either topic (`where`: its partition and offset): kept, and
        pushed to every open page."""
        try:
            if topic == self.alerts_topic:
                read_ = read_alert(value)
                if self._older(where, read_.alert_id):
                    return
                alert = display_alert(read_)
                if where is not None:
                    self._places[read_.alert_id] = Place(where[0].partition, where[1],
                                                         alert["raised_ms"])
                ids = {part: vehicle_ids(getattr(read_, part)) for part in ("subject", "record")}
                if any(ids.values()):
                    self._vehicles[read_.alert_id] = ids
                self._keep_alert(alert)
                self.hub.publish(Event("alert", orjson.dumps(alert), read_.checkpoint_id))
            elif topic == self.decisions_topic:
                read = read_decision(value)
                if self._older(where, read.alert_id):
                    return
                if from_the_future(read, self.clock()):
                    self.future_decisions += 1
                    # Neither the analyst nor the note is logged: the alert id says enough.
                    log.warning("decision dated in the future ignored", extra={"kv": {
                        "alert_id": read.alert_id,
                        "ahead_s": int((read.decided_at - self.clock()).total_seconds())}})
                    return
                self.keep_decision(display_decision(read))
        except (ValidationError, orjson.JSONDecodeError) as exc:
            # The payload is not logged: it may hold personal data.
            log.warning("unreadable message skipped",
                        extra={"kv": {"topic": topic, "error": type(exc).__name__}})

    def keep_decision(self, decision: dict[str, Any]) -> bool:
        """A step of an alert's procedure, kept in order and pushed to every page; False
        when it was kept already (this console's own step, read back) or is older than
        the alert's last step."""
        alert_id = decision["alert_id"]
        kept = alert_id in self._alerts
        steps = self._decisions[alert_id] if kept else self._orphans.get(alert_id, [])
        if steps and (steps[-1]["decided_ms"] > decision["decided_ms"]
                      or any(_same_step(d, decision) for d in steps)):
            return False
        if kept:
            self._decisions[alert_id] = [*steps, decision]
            self._settle(alert_id)
        else:
            # Bounded by what the look-back may read before the alerts it belongs to.
            self._keep(self._orphans, alert_id, [*steps, decision],
                       max(self.max_alerts, self.lookback * DECISIONS_PER_ALERT))
        shown = self._alerts.get(alert_id)
        self.hub.publish(Event("decision", orjson.dumps(decision),
                               shown["checkpoint_id"] if shown else None))
        return True

    def _keep_alert(self, alert: dict[str, Any]) -> None:
        alert_id = alert["alert_id"]
        self._alerts[alert_id] = alert  # (an escalated alert, published again, replaces it)
        if alert_id not in self._decisions:
            self._decisions[alert_id] = self._orphans.pop(alert_id, [])
        self._settle(alert_id)

    def _settle(self, alert_id: str) -> None:
        """An alert's place after its last step: open, kept whatever their number;
        decided, among the newest max_alerts decided, the oldest dropped and counted."""
        if is_open(state_of(self._decisions[alert_id])):
            self._decided.pop(alert_id, None)  # (a final step undone)
            place = self._places.get(alert_id)
            if place is not None and alert_id not in self._ledgered:
                self._opened[alert_id] = place
            self._closed.discard(alert_id)
            return
        self._decided[alert_id] = None
        self._opened.pop(alert_id, None)
        self._closed.add(alert_id)
        while len(self._decided) > self.max_alerts:
            dropped, _ = self._decided.popitem(last=False)
            alert = self._alerts.pop(dropped)
            self._decisions.pop(dropped, None)
            self._vehicles.pop(dropped, None)
            self._places.pop(dropped, None)
            self.left_out[alert["checkpoint_id"]] += 1

    def open_count(self) -> int:
        return len(self._alerts) - len(self._decided)

    def still_open(self, alert_id: str) -> bool:
        return alert_id in self._alerts and alert_id not in self._decided

    def alerts(self) -> list[dict[str, Any]]:
        """Every kept alert (open and the newest decided), in no particular order."""
        return list(self._alerts.values())

    @staticmethod
    def _keep(table: OrderedDict[str, Any], key: str, value: Any, limit: int) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > limit:
            table.popitem(last=False)

    def snapshot(self, visible: Callable[[dict[str, Any]], bool] = lambda _: True, *,
                 extra: dict[str, Any] | None = None) -> bytes:
        """For a page that connects: every open alert that `visible` lets through and the
        newest decided ones (newest first), their decisions, and how many decided alerts
        of what `visible` lets through were left out (`decided_left_out`)."""
        alerts = sorted((a for a in self._alerts.values() if visible(a)),
                        key=lambda a: a["raised_ms"], reverse=True)
        ids = {a["alert_id"] for a in alerts}
        decisions = [d for k in ids for d in self._decisions.get(k, ())]
        left_out = sum(n for checkpoint, n in self.left_out.items()
                       if visible({"checkpoint_id": checkpoint}))
        return orjson.dumps({"alerts": alerts, "decisions": decisions,
                             "open": sum(1 for k in ids if k not in self._decided),
                             "decided_left_out": left_out,
                             "mode": self.mode_json()} | (extra or {}))

    def alert(self, alert_id: str) -> dict[str, Any] | None:
        return self._alerts.get(alert_id)

    def vehicle_ids(self, alert_id: str) -> dict[str, dict[str, str]]:
        """The alert's VINs and plates unmasked, {"subject": {...}, "record": {...}}."""
        return self._vehicles.get(alert_id) or {"subject": {}, "record": {}}

    def decision(self, alert_id: str) -> dict[str, Any] | None:
        """The alert's last step, or None: no decision yet."""
        steps = self._decisions.get(alert_id) or self._orphans.get(alert_id)
        return steps[-1] if steps else None

    def decisions(self, alert_id: str) -> list[dict[str, Any]]:
        """The alert's steps, in the order they were taken (its timeline)."""
        return list(self._decisions.get(alert_id) or self._orphans.get(alert_id) or ())

    async def publish_audit(self, record: AuditRecord) -> None:
        """An analyst's act on the audit topic (audit/emit.py). Handed to the producer
        without waiting for the broker: a sign-in does not wait on the audit, but a record
        that cannot be handed over is logged as an error, never dropped silently."""
        from screening.audit.records import encode

        key = (record.alert_id or record.actor.id).encode()
        try:
            if self._producer is None:
                raise KafkaError("the console's producer is not running")
            await asyncio.wait_for(self._producer.send(self.audit_topic, encode(record),
                                                       key=key), AUDIT_SEND_TIMEOUT_S)
        except (KafkaError, TimeoutError) as exc:
            log.error("audit record not written", extra={"kv": {
                "action": record.action, "audit_id": record.audit_id, "error": repr(exc)}})

    async def publish_decision(self, decision: AlertDecision,
                               instruction: tuple[str, InstructionMessage] | None = None) -> None:
        """The decision and, when the gate is to hear of it, the instruction on the site's
        topic (`instruction`: topic and message) in one Kafka transaction: both are
        written or neither is, and the gate's reader (read_committed) sees the
        instruction once. Returns once the broker committed: a decision is a record,
        not a hint."""
        if self._steps is None:
            raise KafkaError("the console's decisions producer is not running")
        # One transaction at a time on this producer.
        async with self._steps_lock, self._steps.transaction():
            await self._steps.send(self.decisions_topic, decision.model_dump_json().encode(),
                                   key=decision.alert_id.encode())
            if instruction is not None:
                topic, message = instruction
                await self._steps.send(topic, message.model_dump_json().encode(),
                                       key=message.terminal_id.encode())
