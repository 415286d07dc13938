"""The Faust application: topics, agents, timers and the /metrics page."""

from __future__ import annotations

import os
import tempfile

import faust
from mode import Service
from prometheus_client import generate_latest

from screening.agents.control import register_control_agent
from screening.agents.escalation import register_escalation
from screening.agents.housekeeping import register_housekeeping
from screening.agents.scans import register_scan_agents
from screening.agents.updates import register_update_agent
from screening.context import Context, Reader
from screening.gcpolicy import FREEZE_EVERY_S
from screening.metrics import Metrics
from screening.runtime.app import App
from screening.security.clients import faust_credentials
from screening.settings import Settings
from screening.sites import Sites


def create_app(settings: Settings, metrics: Metrics | None = None,
               sites: Sites | None = None, *,
               reader: Reader | None = None) -> tuple[faust.App, Context]:
    """A Faust app wired to the settings; nothing connects until the worker starts.
    `sites`: the declared sites at start (the worker follows new ones by itself);
    `reader`: what the screener reads the store through (Context.reader)."""
    ctx = Context(settings=settings, metrics=metrics or Metrics.create(),
                  sites=sites or Sites(), reader=reader)
    datadir = settings.data_dir or os.path.join(tempfile.gettempdir(), "screening-faust")
    os.makedirs(datadir, exist_ok=True)  # Faust creates only the last level
    app = App(
        settings.app_id,
        broker=settings.broker,
        # TLS and SCRAM as every other client (security/clients.py).
        broker_credentials=faust_credentials(settings),
        store="memory://",
        autodiscover=False,
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=True,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_in_thread=False,
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        # Larger buffers let a stream batch; see README "Performance".
        stream_buffer_maxsize=settings.stream_buffer_maxsize,
        broker_commit_every=settings.commit_every,
        broker_commit_interval=settings.commit_interval_s,
        producer_linger_ms=settings.producer_linger_ms,
        producer_max_batch_size=1 << 20,
        producer_compression_type=None,
        consumer_max_fetch_size=4 << 20,
        processing_guarantee=settings.processing_guarantee,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=settings.heartbeat_interval_s,
        stream_wait_empty=True,
        table_standby_replicas=0,
        # No leader-only timers: no leader topic to declare, fetch and count as lag.
        topic_disable_leader=True,
        datadir=os.path.join(datadir, "{conf.id}-data"),
    )

    @app.service
    class Resources(Service):
        async def on_stop(self) -> None:
            await ctx.close()

    @app.page("/metrics")
    async def metrics_page(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return web.bytes(generate_latest(ctx.metrics.registry),
                         content_type="text/plain; version=0.0.4")

    @app.page("/health")
    async def health_page(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        screener = await ctx.screener()
        healthy = screener.last_error is None
        return web.json({"ok": healthy, "watchlist_version": screener.last_version,
                         "last_error": screener.last_error}, status=200 if healthy else 503)

    app.fetch_min_bytes = settings.fetch_min_bytes
    app.consumer_in_loop = settings.consumer_in_loop
    register_scan_agents(app, ctx)
    register_update_agent(app, ctx)
    register_housekeeping(app, ctx)
    register_escalation(app, ctx)
    register_control_agent(app, ctx)

    @app.timer(FREEZE_EVERY_S)
    async def freeze_heap() -> None:
        ctx.heap.tick()

    return app, ctx
