"""Faust's aiokafka transport with three changes measured by `screening bench`.

Follows faust-streaming 0.15.3 (`faust.transport.drivers.aiokafka`), mode-streaming
0.7.1 (`mode.threads.ServiceThread`) and aiokafka 0.14.0 (`AIOKafkaConsumer`).

1. The fetch wait. Faust builds its consumer with ``fetch_max_wait_ms=1500``, and
   aiokafka keeps one fetch request in flight per broker. A request that names only
   idle partitions (the watchlist updates topic, or scan partitions whose records are
   still buffered) is held by the broker for the full wait, and partitions that were
   drained meanwhile cannot be fetched until it returns: scans waited up to 1.5 s
   at moderate load (the p95 of 1.6 s in the first benchmark). A short wait costs an
   empty fetch every few milliseconds when the topics are idle.
2. Delivery to the streams. Faust's fetcher wraps every message in
   ``wait_first(callback(message), suspend_flow.wait())``: two tasks and an
   ``asyncio.wait`` per message, about a tenth of the worker's time. Here one such
   wait covers a whole fetched batch, with the same effect: when a rebalance suspends
   the flow, delivery of the rest of the batch stops.
3. The consumer's loop. Faust runs the Kafka consumer in a thread of its own; here it
   runs on the worker's loop (LoopConsumerThread; SCREENING_CONSUMER_IN_LOOP).

And one for stopping: Faust waits, without a bound, for every scan a stream took to be
answered before it commits and leaves the group (``Consumer.wait_empty``); here that
wait has a bound in a worker process (half its stop deadline, screening/stopping.py).

Offsets, acks and commits are Faust's own; nothing here changes what is committed.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable
from typing import Any, cast

import aiokafka
from faust.transport.consumer import CONSUMER_FETCHING, CONSUMER_WAIT_EMPTY
from faust.transport.drivers import aiokafka as driver
from faust.types import TP, Message
from mode import Service, ServiceT
from mode.utils.futures import maybe_async

from screening.logs import kv

log = logging.getLogger("screening.worker")

# Longest time the broker holds a fetch for partitions without new records, in ms.
FETCH_MAX_WAIT_MS = 5
# Bytes the broker waits for (up to FETCH_MAX_WAIT_MS) before answering a fetch, unless
# the app says otherwise (SCREENING_FETCH_MIN_BYTES). More means fewer, fuller fetch
# cycles at low rates (less CPU per scan) for up to FETCH_MAX_WAIT_MS more latency; 1
# answers as soon as anything arrives.
FETCH_MIN_BYTES = 1


class ConsumerThread(driver.AIOKafkaConsumerThread):
    """Faust's consumer thread, building its aiokafka consumer with our fetch settings.

    Patches faust-streaming 0.15.3 `AIOKafkaConsumerThread._create_worker_consumer`."""

    def _create_worker_consumer(self, transport: driver.Transport) -> aiokafka.AIOKafkaConsumer:
        """Faust's consumer (faust-streaming 0.15.3), then three of its aiokafka 0.14.0
        private settings changed before `AIOKafkaConsumer.start()` reads them to build
        its Fetcher and GroupCoordinator: Faust passes no option for them."""
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        consumer._fetch_min_bytes = getattr(self.app, "fetch_min_bytes", FETCH_MIN_BYTES)
        if self.consumer.in_transaction:
            # Faust (0.15) joins with RoundRobin when no table needs its assignor, but its
            # transaction manager maps partitions to producers through that assignor's
            # topic groups: exactly_once crashed at the first assignment (KeyError).
            consumer._partition_assignment_strategy = [self.app.assignor]
        return consumer


class LoopConsumerThread(ConsumerThread):
    """Faust's consumer "thread" run as a service on the worker's own event loop.

    Faust runs the aiokafka consumer in a thread with a loop of its own, and every call
    into it (each getmany, each commit) is queued to that thread and its result handed
    back: two wake-ups across threads per fetch, and the two threads contending for the
    interpreter. At 1,750 scans/s the consumer thread used a quarter of a core for
    fetches of a few records each. Here the same service runs on the worker's loop
    (``thread_loop`` is that loop) and a call into it is a plain await.

    Follows mode-streaming 0.7.1: replaces `ServiceThread.start` (copied, with a task
    for the thread), `QueueServiceThread.call_thread` and `cast_thread` (no queue) and
    `ServiceThread._gather_remaining_tasks` (nothing to sweep).
    """

    async def start(self) -> None:
        """mode-streaming 0.7.1 `ServiceThread.start`, with `_serve` run as a task on
        this loop instead of `_start_thread` in a new thread."""
        assert not self._thread_started.is_set()
        self._thread_started.set()
        self._thread_running = asyncio.Future(loop=self.parent_loop)
        self.add_future(self._keepalive2())
        # Not add_future: the service's own shutdown (in _serve) stops those futures.
        self._serving = asyncio.ensure_future(self._serve())
        try:
            if not self.should_stop:
                await self._thread_running
        finally:
            self._thread_running = None

    async def call_thread(self, fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """mode-streaming 0.7.1 `QueueServiceThread.call_thread` queues the call to the
        thread's loop and waits for its result: on one loop, a plain await."""
        return await maybe_async(fun(*args, **kwargs))

    async def cast_thread(self, fun: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """mode-streaming 0.7.1 `QueueServiceThread.cast_thread` queues the call without
        waiting: here a future of this service."""
        self.add_future(maybe_async(fun(*args, **kwargs)))

    async def _gather_remaining_tasks(self) -> None:
        """mode-streaming 0.7.1 `ServiceThread._gather_remaining_tasks` cancels every
        task left on the thread's loop when it stops: here that loop is the worker's,
        whose tasks are not the consumer's to cancel."""


class Consumer(driver.Consumer):
    """Faust's aiokafka consumer with its consumer thread chosen by the app, and one
    flow-control wait per fetched batch (faust-streaming 0.15.3
    `faust.transport.drivers.aiokafka.Consumer`)."""

    def _new_consumer_thread(self) -> ConsumerThread:
        """Replaces faust-streaming 0.15.3 `Consumer._new_consumer_thread`, which always
        makes an `AIOKafkaConsumerThread`."""
        if getattr(self.app, "consumer_in_loop", True):
            return LoopConsumerThread(self, loop=self.loop, thread_loop=self.loop,
                                      beacon=self.beacon)
        return ConsumerThread(self, loop=self.loop, beacon=self.beacon)

    async def _drain_messages(self, fetcher: ServiceT) -> None:  # pragma: no cover
        """faust-streaming 0.15.3 `faust.transport.consumer.Consumer._drain_messages`,
        copied with one flow wait per fetched batch (`_deliver`) instead of one per
        message."""
        consumer_should_stop = cast(Service, self)._stopped.is_set
        fetcher_should_stop = cast(Service, fetcher)._stopped.is_set
        try:
            while not (consumer_should_stop() or fetcher_should_stop()):
                self.diag.set_flag(CONSUMER_FETCHING)
                batch = [item async for item in self.getmany(timeout=1.0)]
                await asyncio.sleep(0)
                if batch and not self.should_stop:
                    await self.wait_first(self._deliver(batch), self.suspend_flow.wait())
                self.diag.unset_flag(CONSUMER_FETCHING)
        except self.consumer_stopped_errors:
            if self.transport.app.should_stop:
                self.log.info("Broker stopped consumer, shutting down...")
                return
            raise
        except asyncio.CancelledError:
            if self.transport.app.should_stop:
                self.log.info("Consumer shutting down for user cancel.")
                return
            raise
        except Exception as exc:
            self.log.exception("Drain messages raised: %r", exc)
            raise
        finally:
            self.diag.unset_flag(CONSUMER_FETCHING)

    @Service.transitions_to(CONSUMER_WAIT_EMPTY)
    async def wait_empty(self) -> None:
        """faust-streaming 0.15.3 `Consumer.wait_empty` (what a stopping app awaits before
        its last commit), copied with a bound. Faust's waits for every message a stream
        took to be acked, however long (and a cancel does not end it: `_wait_for_ack`
        swallows it): a batch an agent never finishes (one that raised holds its
        events, or one waiting on a service that is going away) held the worker's stop
        for ever. In a worker process (the app has a stop deadline) this waits at most
        half that deadline, then the stop goes on: what was answered is committed, the
        rest is not, and the group screens it again (at least once)."""
        deadline = getattr(self.app, "stop_deadline_s", None)
        if deadline is None:
            await super().wait_empty()
            return
        until = time.monotonic() + deadline / 2
        while not self.should_stop and self._unacked_messages:
            if time.monotonic() >= until:
                log.warning("scans taken but not answered when the worker stopped; left "
                            "uncommitted, to be screened again",
                            extra=kv(unanswered=len(self._unacked_messages),
                                     agents=self.app.agents.human_tracebacks()))
                break
            gc.collect()  # unacked messages are weakly held: the dropped ones go
            await self.commit()
            if not self._unacked_messages:
                break
            await self._wait_for_ack(timeout=1)
            self._clean_unacked_messages()
        await self.commit_and_end_transactions()

    async def _deliver(self, batch: list[tuple[TP, Message]]) -> None:
        """The inner loop of faust-streaming 0.15.3 `Consumer._drain_messages` (read
        offsets, gaps, commit every n acks, the callback), for a whole fetched batch."""
        callback = self.callback
        get_read_offset = self._read_offset.__getitem__
        set_read_offset = self._read_offset.__setitem__
        commit_every = self._commit_every
        acks_enabled_for = self.app.topics.acks_enabled_for
        for n, (tp, message) in enumerate(batch, 1):
            if n % 100 == 0:
                await asyncio.sleep(0)  # let the streams run on long batches
            offset = message.offset
            r_offset = get_read_offset(tp)
            if r_offset is None or offset >= r_offset:
                gap = offset - (r_offset or 0)
                if gap > 1 and r_offset and acks_enabled_for(message.topic):
                    await self._add_gap(tp, r_offset + 1, offset)
                if commit_every is not None and self._n_acked >= commit_every:
                    self._n_acked = 0
                    await self.commit()
                await callback(message)
                set_read_offset(tp, offset)


class Transport(driver.Transport):
    """faust-streaming 0.15.3 `faust.transport.drivers.aiokafka.Transport` with the
    Consumer above."""

    Consumer = Consumer
