"""The edge's link to the centre: scans out on the site's scan topics, answers back from
its results topic, matched to the waiting request by (terminal id, event id).

One producer and one consumer for every request. The consumer takes every partition of
the results topic by hand (no consumer group: each edge replica must see every answer
of its site, and a group would make it wait for a rebalance on start) and starts at the
end, once, before the link is declared up: no answer to a scan published after that can
be missed. Matching by terminal too: a terminal cannot pick another's event id to read
that terminal's answer.

The link is `up` once both clients are started and positioned, and goes `down` when a
publication is not acknowledged within the budget. While down, the edge answers at once
from its snapshot instead of waiting out the budget on every scan; `probe` brings the
link back up.

The same consumer reads the site's instructions topic (the operations room's decisions
for the gates, and the edge's own), so that terminals speaking HTTP get them
(`GET /v1/instructions`). Where it read both topics is kept by the edge (`Resume`): an
edge that restarts with forwarded scans whose central result it has not compared yet
reads the results from where it stopped, and the instructions always are.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError, TopicAuthorizationFailedError

from screening import kafka_io
from screening.core.codec import OFFLINE_HEADER, OFFLINE_HITS_HEADER
from screening.logs import kv
from screening.models import ScanKind
from screening.security.clients import aiokafka_options
from screening.security.roles import SiteTopics, site_topics
from screening.settings import Settings

log = logging.getLogger("screening.edge.central")
# Longest wait for an acknowledgement when forwarding or probing, in seconds.
FORWARD_TIMEOUT_S = 5.0

Key = tuple[str, str]  # (terminal_id, event_id)
# Seconds between two savings of where the consumer is.
SAVE_POSITIONS_S = 1.0


def offline_headers(answer: dict[str, Any]) -> list[tuple[str, bytes]]:
    hits = ",".join(f"{h['list']}:{h['record_id']}" for h in answer.get("hits", ()))
    return [(OFFLINE_HEADER, str(answer.get("watchlist_version", "")).encode()),
            (OFFLINE_HITS_HEADER, hits.encode())]


class Busy(Exception):
    """A scan with this terminal's event id is already waiting for its answer."""


@dataclass(slots=True)
class Asked:
    """What came of asking the centre: its answer, or none in time. `delivery` is the
    publication's own future when it was handed to the producer but not acknowledged
    in time (it may still reach the broker: the scan must not be forwarded twice)."""

    answer: dict[str, Any] | None
    published: bool = False
    delivery: asyncio.Future[Any] | None = None


@dataclass(slots=True)
class Resume:
    """What the edge tells the link about reading, and hears back: where to start each
    topic (partition -> offset; None: at its end), and what came that nobody waited for."""

    starts: Callable[[], Awaitable[dict[str, dict[str, int] | None]]]
    on_result: Callable[[Key, dict[str, Any]], None]
    on_instruction: Callable[[bytes], None]
    on_positions: Callable[[dict[str, dict[str, int]]], None]


class Central:
    def __init__(self, settings: Settings, site: str,
                 on_change: Callable[[bool], None] | None = None,
                 resume: Resume | None = None) -> None:
        self.settings = settings
        self.topics: SiteTopics = site_topics(settings, site)
        self.up = False
        self.on_change = on_change
        self.resume = resume
        # The instructions topic's end when the link came up: instructions of the edge's
        # own are published only once it has read that far (it may have published one
        # before a restart: it sees it there instead of publishing it twice).
        self._instructions_end: dict[TopicPartition, int] = {}
        self.caught_up = False
        self._at: dict[TopicPartition, int] = {}
        # Topics this principal may not write (an edge running as site-SITE): tried once.
        self.refused: set[str] = set()
        self.producer: AIOKafkaProducer | None = None
        self.consumer: AIOKafkaConsumer | None = None
        self.waiting: dict[Key, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.partitions: list[TopicPartition] = []

    def topic(self, kind: ScanKind) -> str:
        return self.topics.traveller if kind == "traveller" else self.topics.vehicle

    def _set(self, up: bool) -> None:
        if up != self.up:
            self.up = up
            log.warning("link to the centre %s", "up" if up else "down",
                        extra=kv(site_topic=self.topics.results))
            if self.on_change is not None:
                self.on_change(up)

    # -- connecting ------------------------------------------------------------

    async def connect(self) -> bool:
        """Starts the clients (once) and positions the reader; True when up. Bounded in
        time: with the broker gone, aiokafka would wait for offsets forever."""
        if self.producer is None:
            producer = kafka_io.producer(self.settings, linger_ms=0,
                                         request_timeout_ms=int(FORWARD_TIMEOUT_S * 1000))
            try:
                await asyncio.wait_for(producer.start(), FORWARD_TIMEOUT_S)
            except (KafkaError, OSError, TimeoutError) as exc:
                await producer.stop()
                log.info("centre not reachable", extra=kv(error=type(exc).__name__))
                return False
            self.producer = producer
        if self.consumer is None:
            consumer = AIOKafkaConsumer(**aiokafka_options(self.settings), group_id=None,
                                        enable_auto_commit=False, auto_offset_reset="latest",
                                        fetch_max_wait_ms=100)
            try:
                await asyncio.wait_for(self._position(consumer), 2 * FORWARD_TIMEOUT_S)
            except (KafkaError, OSError, TimeoutError) as exc:
                await consumer.stop()
                log.warning("results topic not readable", extra=kv(
                    topic=self.topics.results, error=type(exc).__name__, reason=str(exc)))
                return False
            self.consumer = consumer
            self._reader = asyncio.create_task(self._read(), name="edge-results")
        self._set(True)
        return True

    async def _position(self, consumer: AIOKafkaConsumer) -> None:
        """Every partition of the results and instructions topics, resolved now: at the
        end, or where the edge kept it (`Resume.starts`). No answer to a scan published
        after this can be missed."""
        assert self.producer is not None
        parts = await self.producer.partitions_for(self.topics.results)
        tps = [TopicPartition(self.topics.results, p) for p in sorted(parts)]
        iparts = await self.producer.partitions_for(self.topics.instructions)
        itps = [TopicPartition(self.topics.instructions, p) for p in sorted(iparts)]
        starts = await self.resume.starts() if self.resume is not None else {}
        await consumer.start()
        consumer.assign(tps + itps)
        ends = await consumer.end_offsets(tps + itps)
        for tp in tps + itps:
            start = (starts.get(tp.topic) or {}).get(str(tp.partition))
            # A kept position within what the topic still holds; else its end.
            if start is not None and start <= ends[tp]:
                consumer.seek(tp, start)
            else:
                consumer.seek(tp, ends[tp])
            await consumer.position(tp)
        self._instructions_end = {tp: ends[tp] for tp in itps}
        self._at = {tp: await consumer.position(tp) for tp in tps + itps}
        self.caught_up = self._caught_up()
        # Kept now, before anything is forwarded (the edge's disk calls run in order):
        # an edge killed right after forwarding reads the answers from here.
        self._save_positions()
        self.partitions = tps

    async def probe(self) -> bool:
        """Whether the broker answers now (the results topic's end offsets: one small
        request to its partitions' leaders); brings the link up."""
        if self.producer is None or self.consumer is None:
            return await self.connect()
        try:
            await asyncio.wait_for(self.consumer.end_offsets(self.partitions), FORWARD_TIMEOUT_S)
        except (KafkaError, OSError, TimeoutError):
            self._set(False)
            return False
        self._set(True)
        return True

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        for client in (self.producer, self.consumer):
            if client is not None:
                with contextlib.suppress(KafkaError, OSError):
                    await client.stop()

    def _caught_up(self) -> bool:
        return all(self._at.get(tp, 0) >= end for tp, end in self._instructions_end.items())

    async def _read(self) -> None:
        assert self.consumer is not None
        loop = asyncio.get_running_loop()
        saved_at, moved = loop.time(), False
        while True:
            try:
                batch = await self.consumer.getmany(timeout_ms=500)
            except KafkaError as exc:
                log.warning("reading results failed", extra=kv(error=type(exc).__name__))
                await asyncio.sleep(self.settings.edge_retry_s)
                continue
            for tp, messages in batch.items():
                for m in messages:
                    if tp.topic == self.topics.results:
                        self._deliver(m.value)
                    elif self.resume is not None and m.value:
                        self.resume.on_instruction(m.value)
                self._at[tp] = messages[-1].offset + 1
                moved = True
            if not self.caught_up:
                self.caught_up = self._caught_up()
            if moved and loop.time() - saved_at >= SAVE_POSITIONS_S:
                self._save_positions()
                saved_at, moved = loop.time(), False

    def _save_positions(self) -> None:
        if self.resume is None:
            return
        positions: dict[str, dict[str, int]] = {}
        for tp, offset in self._at.items():
            positions.setdefault(tp.topic, {})[str(tp.partition)] = offset
        self.resume.on_positions(positions)

    def _deliver(self, value: bytes | None) -> None:
        try:
            answer = orjson.loads(value or b"")
            key = (answer["terminal_id"], answer["event_id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return
        future = self.waiting.get(key)
        if future is not None and not future.done():
            future.set_result(answer)
        elif self.resume is not None:  # nobody waits: a late answer, or a forwarded scan's
            self.resume.on_result(key, answer)

    # -- asking ----------------------------------------------------------------

    async def ask(self, kind: ScanKind, key: Key, body: bytes, budget_s: float) -> Asked:
        """Publishes the scan and waits up to `budget_s` for its answer."""
        if not self.up or self.producer is None:
            return Asked(None)
        if key in self.waiting:
            raise Busy(key[1])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + budget_s
        answer: asyncio.Future[dict[str, Any]] = loop.create_future()
        self.waiting[key] = answer
        delivery: asyncio.Future[Any] | None = None
        try:
            delivery = await asyncio.wait_for(
                self.producer.send(self.topic(kind), body, key=key[0].encode()), budget_s)
            return Asked(await asyncio.wait_for(answer, max(0.0, deadline - loop.time())),
                         published=True)
        except TimeoutError:
            if delivery is None or not delivery.done() or delivery.exception() is not None:
                self._set(False)  # not even acknowledged: the broker is out of reach
                return Asked(None, delivery=delivery)
            return Asked(None, published=True)
        except KafkaError as exc:
            log.info("publication refused", extra=kv(error=type(exc).__name__))
            self._set(False)
            return Asked(None)
        finally:
            self.waiting.pop(key, None)

    async def forward(self, kind: str, key: Key, body: bytes, answer: dict[str, Any]) -> bool:
        """Publishes a stored scan with what the edge answered for it (its snapshot's
        version and hits, in headers); True once the broker acknowledged it."""
        if self.producer is None:
            return False
        topic = self.topic("vehicle" if kind == "vehicle" else "traveller")
        try:
            await asyncio.wait_for(self.producer.send_and_wait(
                topic, body, key=key[0].encode(),
                headers=offline_headers(answer)), FORWARD_TIMEOUT_S)
        except (KafkaError, OSError, TimeoutError) as exc:
            log.info("forwarding failed", extra=kv(error=type(exc).__name__))
            self._set(False)
            return False
        self._set(True)
        return True

    async def publish(self, topic: str, key: bytes, value: bytes) -> bool:
        """A message of the edge's own (a local alert, an instruction); True once the
        broker acknowledged it. A topic this principal may not write is tried once."""
        if self.producer is None or topic in self.refused:
            return False
        try:
            await asyncio.wait_for(self.producer.send_and_wait(topic, value, key=key),
                                   FORWARD_TIMEOUT_S)
        except TopicAuthorizationFailedError:
            self.refused.add(topic)
            log.warning("this principal may not write the topic: kept here only (run the "
                        "edge as edge-<site>: `screening security add-edge SITE`)",
                        extra=kv(topic=topic))
            return False
        except (KafkaError, OSError, TimeoutError) as exc:
            log.info("publication failed", extra=kv(topic=topic, error=type(exc).__name__))
            self._set(False)
            return False
        return True
