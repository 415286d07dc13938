"""Live watchlist upserts and deletes, in order per key, on a thread of their own.

Updates are read by a plain Kafka consumer (group `<app_id>.watchlist-updates`) in a
thread with its own event loop, Redis client and producer, rather than by a Faust
agent: Faust hands messages to streams one after another, so a backlog of scans
would hold every update behind it, and even without one each of an update's Redis
round trips would wait for the scan batch that holds the worker's event loop. On its
own thread an update waits at most for the interpreter's switch interval per step
(SCREENING_SWITCH_INTERVAL_S: 1 ms in the worker, where Python's default is 5 ms),
so a recovered passport stops hitting within tens of milliseconds even while the
worker is saturated. Order per key holds because keys map to partitions and a
partition's messages are applied in order; offsets are committed after each batch
is applied (at least once; applying twice is harmless).

No update is applied unless a trusted feed key signed it (watchlists/signing.py):
unsigned or badly signed ones, ones dated ahead of this worker's clock, and replays (a
signed update sent again at another offset) are dead-lettered, counted and raised as
`high` integrity alerts. Without trusted keys every update is refused (fail closed).

Each update is audited (contract v2): `update_applied` (outcome `applied`, or `skipped`
when a newer one of its record was applied already) or `update_refused` (the reason
code), keyed `<list>:<id>`, with an id stable per message (a redelivery: the same id).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import faust
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from mode import Service

from screening.audit.digests import Digester, audit_key
from screening.audit.records import encode, service_record
from screening.context import Context
from screening.correlation.retroactive import check_record
from screening.correlation.state import CorrelationState
from screening.deadletters import dead_letter, sealer_for
from screening.exceptions import FeedKeyError, InvalidRecord, SignatureRefused
from screening.logs import kv
from screening.metrics import Metrics
from screening.models import WatchlistUpdate
from screening.redis_client import make_redis
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening.watchlists.signing import TrustedKeys, load_trusted_keys
from screening.watchlists.store import WatchlistStore
from screening.watchlists.updates import apply_updates, integrity_alert, read_update

log = logging.getLogger("screening.agents.updates")

BATCH = 500
# How long the broker holds a fetch of the (mostly idle) updates topic. An update that
# arrives answers the held fetch at once (min bytes 1), so a long hold costs no latency
# (update p50 7.7-8.3 ms at 5,000 scans/s with 250 ms, 8.4-9.4 with 10 ms); a short one
# costs empty fetches: with 10 ms an idle worker used 23 % of a core, with 250 ms 6.6 %.
FETCH_MAX_WAIT_MS = 250
LAG_EVERY_S = 5.0


class UpdateApplier:
    """Consume, apply, commit, on its own thread; start again a second after a failure."""

    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.s = settings
        self.m = metrics
        self.thread: threading.Thread | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Event | None = None
        self.ready = threading.Event()
        self._lag_labels: set[tuple[str, str]] = set()
        self.trusted = trusted_keys(settings)
        # The correlation state and the digests to search it by; None: no retroactive
        # screening (off, or no audit key).
        self.history: tuple[CorrelationState, Digester] | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=asyncio.run, args=(self._main(),),
                                       name="watchlist-updates", daemon=True)
        self.thread.start()
        self.ready.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        if self.loop is not None and self.stopping is not None:
            self.loop.call_soon_threadsafe(self.stopping.set)
        if self.thread is not None:
            self.thread.join(timeout)

    async def _main(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.stopping = asyncio.Event()
        self.ready.set()
        s = self.s
        redis = make_redis(s)
        store = WatchlistStore(redis, s.redis_prefix)
        self.history = retroactive_history(s, redis)
        producer = AIOKafkaProducer(**aiokafka_options(s), linger_ms=1)
        producing = False
        try:
            while not self.stopping.is_set():
                consumer = AIOKafkaConsumer(
                    s.topic(s.topic_updates), **aiokafka_options(s),
                    group_id=f"{s.app_id}.watchlist-updates",
                    client_id=f"updates-{uuid.uuid4().hex[:6]}", enable_auto_commit=False,
                    auto_offset_reset="earliest", fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
                    max_poll_records=BATCH,
                    session_timeout_ms=int(s.session_timeout_s * 1000),
                    heartbeat_interval_ms=int(s.heartbeat_interval_s * 1000))
                try:
                    await consumer.start()
                    if not producing:  # for dead letters
                        await producer.start()
                        producing = True
                    lag_at = 0.0
                    while not self.stopping.is_set():
                        batch = await consumer.getmany(timeout_ms=200, max_records=BATCH)
                        messages = [msg for part in batch.values() for msg in part]
                        if messages:
                            await self._handle(store, producer, messages)
                            await consumer.commit()
                        if time.monotonic() - lag_at >= LAG_EVERY_S:
                            lag_at = time.monotonic()
                            await self._export_lag(consumer)
                except Exception as exc:  # Kafka or Redis away, or a bug: keep consuming after
                    log.warning("watchlist updates paused", extra=kv(error=type(exc).__name__))
                    await asyncio.sleep(1.0)
                finally:
                    await consumer.stop()
        finally:
            if producing:
                await producer.stop()
            await redis.aclose()

    async def _export_lag(self, consumer: AIOKafkaConsumer) -> None:
        """Messages behind the end of each update partition this worker reads, in the
        gauge the scan topics use (offsets are committed right after applying, so the
        position is the committed offset)."""
        assigned = sorted(consumer.assignment())
        ends = await consumer.end_offsets(assigned) if assigned else {}
        now = {(tp.topic, str(tp.partition)): max(0, ends[tp] - await consumer.position(tp))
               for tp in assigned if tp in ends}
        gauge = self.m.consumer_lag
        for labels in self._lag_labels - now.keys():
            gauge.remove(*labels)
        for labels, lag in now.items():
            gauge.labels(*labels).set(lag)
        self._lag_labels = set(now)

    async def _dead(self, producer: AIOKafkaProducer, msg: ConsumerRecord, raw: bytes,
                    message: str, *, code: str = "INVALID_UPDATE") -> None:
        """A dead letter of the update as it came in `msg` (its topic, partition, offset)."""
        dl = dead_letter(raw, code, message, datetime.now(UTC), topic=msg.topic,
                         partition=msg.partition, offset=msg.offset, sealer=sealer_for(self.s))
        await producer.send_and_wait(self.s.topic(self.s.topic_deadletter),
                                     dl.model_dump_json().encode())

    async def _refuse(self, producer: AIOKafkaProducer, msg: ConsumerRecord, raw: bytes, *,
                      code: str, reason: str, message: str, key_id: str | None = None) -> None:
        """An update no trusted feed vouches for (or dated ahead): dead letter, metric and
        a `high` integrity alert for analysts. `code` goes on the dead letter, `reason` on
        the metric, the alert and the audit record (keyword-only: two codes side by side
        are easily swapped)."""
        self.m.deadletters.labels(msg.topic, code).inc()
        self.m.updates_refused.labels(reason).inc()
        log.warning("update refused", extra=kv(partition=msg.partition, offset=msg.offset,
                                               code=reason, reason=message))
        await self._dead(producer, msg, raw, message, code=code)
        alert = integrity_alert(raw, reason, message, datetime.now(UTC), topic=msg.topic,
                                partition=msg.partition, offset=msg.offset, key_id=key_id)
        await producer.send_and_wait(self.s.topic(self.s.topic_alerts),
                                     alert.model_dump_json().encode(),
                                     key=alert.alert_id.encode())
        self.m.alerts.labels(alert.priority).inc()
        ref = f"{alert.hit.list}:{alert.hit.record_id}" if alert.hit.record_id else None
        await self._audit(producer, msg, "update_refused", outcome="refused", ref=ref,
                          reason=reason, key_id=key_id)

    async def _retroactive(self, producer: AIOKafkaProducer, u: WatchlistUpdate) -> None:
        """The scans of the last hours the new or changed record would have hit
        (correlation/retroactive.py): one `retroactive` alert each."""
        if self.history is None:
            return
        state, digests = self.history
        try:
            alerts = await check_record(state, digests, u.record, issued_at=u.issued_at,
                                        window_h=self.s.retroactive_window_h,
                                        now=datetime.now(UTC))
        except Exception as exc:  # the update is applied; the check is said to have failed
            log.warning("retroactive check failed", extra=kv(key=u.key,
                                                             error=type(exc).__name__))
            return
        for alert in alerts:
            await producer.send_and_wait(self.s.topic(self.s.topic_alerts),
                                         alert.model_dump_json(exclude_none=True).encode(),
                                         key=alert.alert_id.encode())
            self.m.alerts.labels(alert.priority).inc()
            log.info("retroactive hit", extra=kv(key=u.key, alert_id=alert.alert_id,
                                                 event_id=alert.event_id))

    async def _audit(self, producer: AIOKafkaProducer, msg: ConsumerRecord, action: str, *,
                     outcome: str, ref: str | None, reason: str | None = None,
                     key_id: str | None = None) -> None:
        """The update's audit record. Actor: the feed key that signed it (the `feed`
        principal is the only one that may write updates)."""
        record = service_record(
            action, (msg.topic, msg.partition, msg.offset), at=datetime.now(UTC),
            actor_id=f"feed-key:{key_id}" if key_id else "feed", principal="feed",
            outcome=outcome, ref=ref, reason=reason)
        key = (ref or f"{msg.topic}:{msg.partition}:{msg.offset}").encode()
        await producer.send_and_wait(self.s.topic(self.s.topic_audit), encode(record), key=key)

    async def _handle(self, store: WatchlistStore, producer: AIOKafkaProducer,
                      messages: Sequence[ConsumerRecord]) -> None:
        m = self.m
        good: list[WatchlistUpdate] = []
        came: list[ConsumerRecord] = []  # the message each of `good` came in
        origin: dict[tuple[str, str], ConsumerRecord] = {}  # record -> the message it came in
        unindexable: list[tuple[str, str]] = []

        def on_error(record: Any, exc: Exception) -> None:
            unindexable.append((record.list, record.id))

        latest = time.time() + self.s.update_max_ahead_s
        for msg in messages:
            raw = msg.value if isinstance(msg.value, bytes) else b""
            try:
                update = read_update(raw, self.trusted)
                if update.issued_at.timestamp() > latest:
                    await self._refuse(
                        producer, msg, raw, code="INVALID_UPDATE", reason="ISSUED_AHEAD",
                        message=f"issued_at: {update.issued_at.isoformat()} is more than "
                        f"{self.s.update_max_ahead_s:g} s ahead of this worker's clock (it "
                        "would outrank every later update of the record)",
                        key_id=update.signature.key_id if update.signature else None)
                    continue
                good.append(update)
                came.append(msg)
                origin[(update.record.list, update.record.id)] = msg
            except SignatureRefused as exc:
                await self._refuse(producer, msg, raw, code=exc.code, reason=exc.code,
                                   message=exc.message, key_id=exc.key_id)
            except InvalidRecord as exc:
                m.deadletters.labels(msg.topic, "INVALID_UPDATE").inc()
                m.updates.labels("unknown", "unknown", "invalid").inc()
                log.warning("update rejected", extra=kv(partition=msg.partition,
                                                        offset=msg.offset, reason=exc.reason))
                await self._dead(producer, msg, raw, exc.reason)
                await self._audit(producer, msg, "update_refused", outcome="refused", ref=None,
                                  reason="INVALID_UPDATE")
        if not good:
            return
        applied = await apply_updates(store, good, on_error=on_error, origins=[
            f"{msg.topic}:{msg.partition}:{msg.offset}" for msg in came])
        now = time.time()
        for a, msg in zip(applied, came, strict=False):  # (a test's stand-in may say less)
            u = a.update
            if a.replay_of is not None:
                raw = msg.value if isinstance(msg.value, bytes) else b""
                await self._refuse(producer, msg, raw, code="REPLAYED_UPDATE",
                                   reason="REPLAYED_UPDATE",
                                   message=f"update {u.update_id} of {u.key} was applied "
                                   f"already, as it came at {a.replay_of}: a copy sent again "
                                   "is refused",
                                   key_id=u.signature.key_id if u.signature else None)
                continue
            m.updates.labels(u.record.list, u.op, "applied" if a.applied else "skipped").inc()
            await self._audit(producer, msg, "update_applied",
                              outcome="applied" if a.applied else "skipped", ref=u.key,
                              key_id=u.signature.key_id if u.signature else None)
            if a.applied:
                m.update_latency.observe(max(0.0, now - u.issued_at.timestamp()))
                if u.op == "upsert":
                    await self._retroactive(producer, u)
        for lst, rid in dict.fromkeys(unindexable):  # once, though applied to two versions
            m.updates.labels(lst, "upsert", "invalid").inc()
            log.error("update cannot be indexed", extra=kv(list=lst, id=rid))
            msg = origin[(lst, rid)]  # the dead letter keeps the update as it came
            await self._dead(producer, msg, msg.value if isinstance(msg.value, bytes) else b"",
                             f"{lst}:{rid} cannot be indexed")
            await self._audit(producer, msg, "update_refused", outcome="refused",
                              ref=f"{lst}:{rid}", reason="UNINDEXABLE")


def retroactive_history(settings: Settings, redis: Any
                        ) -> tuple[CorrelationState, Digester] | None:
    key = audit_key(settings) if settings.correlation else None
    if key is None or settings.retroactive_window_h <= 0:
        return None
    return (CorrelationState(redis, settings.redis_prefix, settings.correlation_max_sightings),
            Digester(key))


def trusted_keys(settings: Settings) -> TrustedKeys:
    """The feed keys updates must be signed with; none (and said so, once) when they
    are not configured or cannot be read: then every update is refused."""
    try:
        keys = load_trusted_keys(settings.feed_keys_file, settings.feed_keys)
    except FeedKeyError as exc:
        log.error("no trusted feed keys: every watchlist update will be refused",
                  extra=kv(reason=str(exc)))
        return TrustedKeys({}, "")
    if not keys:
        log.error("no trusted feed keys: every watchlist update will be refused",
                  extra=kv(reason="SCREENING_FEED_KEYS_FILE is not set or lists no key "
                                  "(`screening watchlists keygen` makes one)"))
    else:
        log.info("trusted feed keys", extra=kv(keys=",".join(sorted(keys.keys)),
                                               source=keys.source))
    return keys


def register_update_agent(app: faust.App, ctx: Context) -> None:
    applier = UpdateApplier(ctx.settings, ctx.metrics)

    @app.service
    class WatchlistUpdates(Service):
        async def on_start(self) -> None:
            await asyncio.to_thread(applier.start)

        async def on_stop(self) -> None:
            # A quarter of the stop deadline (the streams' wait has half): a thread still
            # leaving its group then ends with the process, and the group notices within
            # its session timeout.
            await asyncio.to_thread(applier.stop, ctx.settings.stop_deadline_s / 4)
