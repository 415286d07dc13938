"""Writing results, alerts and dead letters: one place that encodes and keys them."""

from __future__ import annotations

import faust

from screening.context import Context
from screening.core.engine import Screened
from screening.settings import Settings


class Outputs:
    def __init__(self, app: faust.App, settings: Settings) -> None:
        self.app = app
        # With Kafka transactions the sends must go through Faust's topics (they carry the
        # transactional id); otherwise straight to the producer, which costs a third as
        # much per message. Either way offsets are committed only after a producer flush.
        self.direct = settings.processing_guarantee != "exactly_once"

        def topic(name: str) -> faust.TopicT:
            return app.topic(settings.topic(name), key_type=bytes, value_type=bytes,
                             partitions=settings.topic_partitions)

        self.results = topic(settings.topic_results)
        self.alerts = topic(settings.topic_alerts)
        self.deadletter = topic(settings.topic_deadletter)

    async def declare(self) -> None:
        """Create the output topics at start, so consumers can subscribe before any output."""
        for topic in (self.results, self.alerts, self.deadletter):
            await topic.maybe_declare()

    async def _send(self, topic: faust.TopicT, key: bytes | None, value: bytes) -> None:
        if self.direct:
            await self.app.producer.send(topic.get_topic_name(), key, value, None, None, None)
        else:
            await topic.send(key=key, value=value)

    async def publish(self, ctx: Context, items: list[Screened]) -> None:
        m = ctx.metrics
        for item in items:
            if item.deadletter is not None:
                dl = item.deadletter
                m.deadletters.labels(dl.topic, dl.reason.code).inc()
                await self._send(self.deadletter, None, dl.model_dump_json().encode())
            if item.result is not None:
                r = item.result
                await self._send(self.results, r.terminal_id.encode() or None,
                                 r.model_dump_json().encode())
            for alert in item.alerts:
                m.alerts.labels(alert.priority).inc()
                await self._send(self.alerts, alert.alert_id.encode(),
                                 alert.model_dump_json(exclude_none=True).encode())
