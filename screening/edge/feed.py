"""Keeps the edge's snapshot current from `watchlist.updates` (contract v2: the
`edge-<site>` principal may read it).

The snapshot is the signed files plus every signed update published since the edge first
loaded those files. The topic offsets of that moment are kept in the edge's database per
snapshot digest: a restart (which rebuilds the index from the files) reads the updates
again from there, so nothing applied before is lost and nothing older than the files is
applied over them. New files (another digest) start from the topic's end.

When the edge swaps its reader for a copy of a newer version from Redis (edge/copy.py),
`rebase` points the feed at the copy and back to where it was when the copy began: the
updates since are applied on top of the copy (again, for those Redis had already).

Each update is verified with the trusted feed keys and validated exactly as the worker
does (`watchlists.updates.read_update`); one that is unsigned or badly signed is never
applied (counted and logged; the worker dead-letters it and raises the integrity alert).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any, Protocol

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from screening.edge.outbox import Outbox
from screening.exceptions import InvalidRecord, SignatureRefused
from screening.logs import kv
from screening.metrics import EdgeMetrics
from screening.models import WatchlistUpdate
from screening.runtime.clients import refresh_metadata
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening.watchlists.signing import TrustedKeys
from screening.watchlists.updates import read_update

log = logging.getLogger("screening.edge.feed")
# Seconds between attempts to start reading while the broker is out of reach.
RETRY_S = 5.0


class Updatable(Protocol):
    """A reader live updates are applied to (snapshot.Snapshot, copy.RedisCopy)."""

    base: str

    def apply(self, update: WatchlistUpdate) -> bool: ...

    @property
    def version(self) -> Any: ...


class SnapshotFeed:
    def __init__(self, settings: Settings, snapshot: Updatable | None, outbox: Outbox,
                 trusted: TrustedKeys, metrics: EdgeMetrics | None = None) -> None:
        self.settings = settings
        self.snapshot = snapshot
        self.outbox = outbox
        self.trusted = trusted
        self.topic = settings.topic(settings.topic_updates)
        self.refused = 0
        self.allowed = True
        self.metrics = metrics
        # Where reading is (partition -> next offset), and where to go back to.
        self.positions: dict[int, int] = {}
        self._seek: dict[int, int] | None = None
        # Where the feed began reading (partition -> offset): every update it applied
        # came at or after it.
        self.started: dict[int, int] | None = None
        # The feed exists from the edge's start: updates published since are applied
        # even when the first connection to the broker takes a while.
        self.since_ms = int(time.time() * 1000)

    def position(self) -> dict[int, int] | None:
        """Where the feed is now (None: not reading yet)."""
        return dict(self.positions) if self.positions else None

    async def rebase(self, reader: Updatable, mark: dict[int, int] | None) -> None:
        """Applies the updates from `mark` (where the feed was when the copy began) to
        `reader`, which the edge now screens with; kept for a restart of the feed too.
        A copy begun before the feed read anything (no mark) replays from where the feed
        began: an update it applied to the old reader meanwhile is not lost on the new
        one (applying one the copy already holds again changes nothing)."""
        self.snapshot = reader
        if mark is None and self.started is not None:
            mark = dict(self.started)
        if mark is not None:
            await self.outbox.run(self.outbox.set_meta, f"updates-from:{reader.base}",
                                  {str(p): o for p, o in mark.items()})
            self._seek = mark

    async def run(self, stop: asyncio.Event) -> None:
        """Reads and applies updates until `stop`; gives up only when the principal may
        not read the topic (the edge then screens against its files alone)."""
        while not stop.is_set():
            consumer = AIOKafkaConsumer(**aiokafka_options(self.settings), group_id=None,
                                        enable_auto_commit=False, auto_offset_reset="earliest")
            try:
                await asyncio.wait_for(self._start(consumer), 2 * RETRY_S)
                await self._read(consumer, stop)
            except TopicAuthorizationFailedError:
                self.allowed = False
                log.warning("the snapshot is not kept current: this principal may not read "
                            "the list updates (run the edge as edge-<site>: `screening "
                            "security add-edge SITE`)", extra=kv(topic=self.topic))
                return
            except (KafkaError, OSError, TimeoutError) as exc:
                log.info("list updates not readable yet", extra=kv(error=type(exc).__name__))
            finally:
                with contextlib.suppress(KafkaError, OSError):
                    await consumer.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), RETRY_S)

    async def _start(self, consumer: AIOKafkaConsumer) -> None:
        await consumer.start()
        parts = consumer.partitions_for_topic(self.topic)
        if not parts:
            await refresh_metadata(consumer)  # a topic's partitions come with its metadata
            parts = consumer.partitions_for_topic(self.topic)
        if not parts:
            raise TopicAuthorizationFailedError(self.topic)
        tps = [TopicPartition(self.topic, p) for p in sorted(parts)]
        consumer.assign(tps)
        # No reader yet (an edge without files, before its first copy from Redis), or a
        # reader the feed has not seen: read from the edge's start (the end, for a
        # partition with nothing since), so that a copy made later replays from there.
        key = f"updates-from:{self.snapshot.base}" if self.snapshot is not None else None
        start = None if key is None else await self.outbox.run(self.outbox.meta, key)
        if start is None:
            ends = await consumer.end_offsets(tps)
            since = await consumer.offsets_for_times({tp: self.since_ms for tp in tps})
            start = {str(tp.partition): since[tp].offset if since.get(tp) else ends[tp]
                     for tp in tps}
            if key is not None:
                await self.outbox.run(self.outbox.set_meta, key, start)
        for tp in tps:
            consumer.seek(tp, int(start.get(str(tp.partition), 0)))
        if self.started is None:
            self.started = {tp.partition: int(start.get(str(tp.partition), 0)) for tp in tps}

    async def _read(self, consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
        for tp in consumer.assignment():
            self.positions[tp.partition] = await consumer.position(tp)
        while not stop.is_set():
            if self._seek is not None:
                for tp in consumer.assignment():
                    if tp.partition in self._seek:
                        consumer.seek(tp, self._seek[tp.partition])
                self._seek = None
            batch = await consumer.getmany(timeout_ms=500)
            for messages in batch.values():
                for m in messages:
                    if self._seek is not None:  # rebased meanwhile: from the mark instead
                        break
                    self._apply(m.value or b"", m.partition, m.offset)
                    self.positions[m.partition] = m.offset + 1

    def _apply(self, raw: bytes, partition: int, offset: int) -> None:
        try:
            update = read_update(raw, self.trusted)
        except (SignatureRefused, InvalidRecord) as exc:
            self.refused += 1
            self._count("refused")
            code = getattr(exc, "code", "INVALID_UPDATE")
            log.warning("list update refused", extra=kv(code=code, partition=partition,
                                                        offset=offset))
            return
        if self.snapshot is None:
            self._count("no_reader")
        elif self.snapshot.apply(update):
            self._count("applied")
            log.info("list update applied", extra=kv(list=update.record.list,
                                                     op=update.op,
                                                     version=self.snapshot.version.id))
        else:
            self._count("stale")

    def _count(self, result: str) -> None:
        if self.metrics is not None:
            self.metrics.updates.labels(result).inc()
