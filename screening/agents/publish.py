"""Writing results, alerts, dead letters and search audit records: one place that
encodes and keys them.

Each scan's `search` audit record goes out with its result, in the same produce batch
(at_least_once: a replay writes it again with the same audit_id) or the same
transaction (exactly_once: both or neither)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import faust
from faust.types import TP

from screening.audit.digests import Digester, audit_key
from screening.audit.records import SearchAudit
from screening.context import Context
from screening.core.engine import Screened
from screening.runtime.producing import (
    commits_held,
    default_partition,
    kafka_producer,
    transactional_id,
)
from screening.security.roles import DEFAULT_SITE, site_topics
from screening.settings import Settings

# (topic, key, value, partition): partition None is the key's (the default partitioner);
# a number is taken modulo the topic's partitions.
Out = tuple[str, bytes | None, bytes, int | None]


class Outputs:
    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.app = app
        # With Kafka transactions each send names the transaction of its scan's input
        # partition (see _publish_in_transactions); otherwise a batch's messages go to the
        # producer as one record batch per partition, which costs a fraction of one send
        # per message. Either way offsets are committed only after a producer flush, and
        # Faust's flush waits for these batches too.
        self.direct = settings.processing_guarantee != "exactly_once"
        self.declare_outputs = settings.kafka_security == "plaintext"
        self.settings = settings
        self._results_topics: dict[str, str] = {}

        def topic(name: str) -> faust.TopicT:
            return app.topic(settings.topic(name), key_type=bytes, value_type=bytes,
                             partitions=settings.topic_partitions)

        self.results = topic(settings.topic_results)
        self.alerts = topic(settings.topic_alerts)
        self.deadletter = topic(settings.topic_deadletter)
        self.audit = topic(settings.topic_audit)
        # None: searches are not audited (turned off, or no key: `screening worker`
        # refuses to start that way unless SCREENING_AUDIT_SEARCHES=false).
        key = audit_key(settings) if settings.audit_searches else None
        self.searches = SearchAudit(Digester(key), settings) if key is not None else None
        self._partitions: dict[tuple[str, bytes], int] = {}
        self._known: dict[str, int] = {}  # topic -> partition count the cache was built on

    async def declare(self) -> None:
        """Create the output topics at start, so consumers can subscribe before any output.

        Only on a plaintext development broker: a secured one has them from `screening
        security init` (checked by `kafka_io.ensure_topics` at start), and refuses the
        worker's CreateTopics even for a topic that exists."""
        if not self.declare_outputs:
            return
        for topic in (self.results, self.alerts, self.deadletter, self.audit):
            await topic.maybe_declare()

    def _messages(self, ctx: Context, items: list[Screened]) -> Iterator[Out]:
        m = ctx.metrics
        results_of = self._results_topics
        searches = self.searches
        audit_topic = self.audit.get_topic_name()
        for item in items:
            if item.deadletter is not None:
                dl = item.deadletter
                m.deadletters.labels(dl.topic, dl.reason.code).inc()
                yield (self.deadletter.get_topic_name(), None, dl.model_dump_json().encode(),
                       None)
            if item.result is not None:
                r = item.result
                # Answered on the site's own results topic (v1's for `default`).
                results = results_of.get(item.raw.site or DEFAULT_SITE)
                if results is None:
                    results = results_of[item.raw.site or DEFAULT_SITE] = site_topics(
                        self.settings, item.raw.site or DEFAULT_SITE).results
                yield (results, r.terminal_id.encode() or None, r.model_dump_json().encode(),
                       None)
                if searches is not None:
                    record = searches.record(item)
                    if record is not None:
                        # Keyed by event id, placed by the scan's own partition: the
                        # same on a replay, and no murmur2 in Python per scan (costly,
                        # and a cache would only ever miss: event ids never repeat).
                        yield audit_topic, record[0], record[1], item.raw.partition or 0
            for alert in item.alerts:
                if not alert.exercise:
                    m.alerts.labels(alert.priority).inc()
                yield (self.alerts.get_topic_name(), alert.alert_id.encode(),
                       alert.model_dump_json(exclude_none=True).encode(), None)

    async def publish(self, ctx: Context, items: list[Screened]) -> None:
        if not self.direct:
            await self._publish_in_transactions(ctx, items)
            return
        producer = kafka_producer(self.app)
        batches: dict[tuple[str, int], Any] = {}
        checked: set[str] = set()
        for topic, key, value, hint in self._messages(ctx, items):
            if topic not in checked:
                await self._check_partitions(producer, topic)
                checked.add(topic)
            partition = (self._partition(producer, topic, key) if hint is None
                         else hint % self._known[topic])
            batch = batches.get((topic, partition))
            if batch is None:
                batch = batches[(topic, partition)] = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=None) is None:  # full
                await producer.send_batch(batch, topic, partition=partition)
                batch = batches[(topic, partition)] = producer.create_batch()
                batch.append(key=key, value=value, timestamp=None)
        for (topic, partition), batch in batches.items():
            await producer.send_batch(batch, topic, partition=partition)

    async def _publish_in_transactions(self, ctx: Context, items: list[Screened]) -> None:
        """exactly_once: each output in the transaction of its scan's input partition.

        Faust's topic.send picks the transaction from the *output* partition, which for
        results keyed by terminal is unrelated to the scan's partition (and unknown to
        the consumer, so the send went out of any transaction): a crash repeated them.
        Commits wait while a batch is sent; the batch's events are acked as soon as
        publish returns, without yielding, so a commit takes a batch's outputs and its
        offsets together or neither."""
        consumer: Any = self.app.consumer
        producer: Any = self.app.producer
        async with commits_held(consumer):
            tids: dict[TP, str] = {}
            for item in items:
                tp = TP(item.raw.topic, item.raw.partition or 0)
                tid = tids.get(tp)
                if tid is None:
                    tid = tids[tp] = transactional_id(consumer, tp)
                for topic, key, value, hint in self._messages(ctx, [item]):
                    if hint is not None:
                        if topic not in self._known:
                            self._known[topic] = len(
                                await kafka_producer(self.app).partitions_for(topic))
                        hint %= self._known[topic]
                    await producer.send(topic, key, value, hint, None, None,
                                        transactional_id=tid)

    async def _check_partitions(self, producer: Any, topic: str) -> None:
        """Forget the remembered partitions of a topic whose partition count changed."""
        known = producer.client.cluster.partitions_for_topic(topic)
        if known is None or len(known) != self._known.get(topic):
            count = len(await producer.partitions_for(topic))
            self._partitions = {k: v for k, v in self._partitions.items() if k[0] != topic}
            self._known[topic] = count

    def _partition(self, producer: Any, topic: str, key: bytes | None) -> int:
        """The producer's own partitioner (murmur2 of the key, as for a plain send),
        remembered per key: terminals are few and hashing in Python is not free."""
        if key is None:
            return default_partition(producer, topic, None)
        part = self._partitions.get((topic, key))
        if part is None:
            if len(self._partitions) > 100_000:
                self._partitions.clear()
            part = self._partitions[(topic, key)] = default_partition(producer, topic, key)
        return part
