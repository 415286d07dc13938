"""`screening edge`: HTTPS for one site's terminals, with answers when the link fails.

Terminals post scans with a token of their own (terminals.py); the edge publishes them
to the site's scan topic and answers with the worker's CheckResult (central.py), or,
when none comes within the budget, screens them itself against its signed snapshot
(snapshot.py, or a copy of the lists' current version from Redis: copy.py, refresh.py,
kept on disk signed for a start without Redis: saved.py)
with the worker's engine, answers `OFFLINE`, and keeps them on disk (outbox.py) until
it can forward them (service.py).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from aiohttp import web

from screening.edge.central import Central
from screening.edge.copy import RedisCopy
from screening.edge.feed import SnapshotFeed
from screening.edge.limits import RateLimiter
from screening.edge.outbox import Outbox
from screening.edge.refresh import Refresher
from screening.edge.routes import make_app
from screening.edge.saved import restore_for
from screening.edge.service import Edge
from screening.edge.snapshot import NoSnapshot, Snapshot
from screening.edge.terminals import TerminalRegistry, terminals_file
from screening.edge.tls import server_context
from screening.logs import kv
from screening.metrics import EdgeMetrics
from screening.settings import Settings
from screening.watchlists.signing import TrustedKeys, load_trusted_keys
from screening.watchlists.store import ListReader

log = logging.getLogger("screening.edge")


def load_reader(settings: Settings) -> ListReader:
    """The snapshot, or NoSnapshot when none is configured; refuses (SignatureRefused)
    when a file's signature or manifest does not match."""
    if settings.edge_snapshot_dir is None:
        return NoSnapshot()
    return Snapshot.load(Path(settings.edge_snapshot_dir), trusted_keys(settings))


def trusted_keys(settings: Settings) -> TrustedKeys:
    return load_trusted_keys(settings.feed_keys_file, settings.feed_keys)


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    site = settings.edge_site
    # The copy of Redis's version saved last, when it verifies; else the feed's files.
    saved = restore_for(settings) if settings.edge_refresh_s > 0 else None
    reader: ListReader = saved if saved is not None else load_reader(settings)
    outbox = Outbox(Path(settings.edge_data_dir) / f"{site}.sqlite")
    central = Central(settings, site)
    edge = Edge(settings, central, outbox, reader)
    metrics = EdgeMetrics.create()
    app = make_app(edge, TerminalRegistry(terminals_file(settings, site), site),
                   RateLimiter(settings.edge_rate_per_terminal,
                               settings.edge_burst_per_terminal), metrics)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site_ = web.TCPSite(runner, settings.edge_host, settings.edge_port,
                        ssl_context=server_context(settings))
    # A first try before serving, so that a healthy site starts online; a broker out of
    # reach fails it within 15 s at most (central.py bounds each step), then the gate is
    # answered offline while the link loop keeps trying.
    await central.connect()
    link = asyncio.create_task(edge.keep_link(stop), name="edge-link")
    tasks = [link]
    feed = None
    if isinstance(reader, Snapshot | RedisCopy) or settings.edge_refresh_s > 0:
        feed = SnapshotFeed(settings, reader if isinstance(reader, Snapshot | RedisCopy)
                            else None, outbox, trusted_keys(settings), metrics)
        tasks.append(asyncio.create_task(feed.run(stop), name="edge-feed"))
    if settings.edge_refresh_s > 0:
        refresher = Refresher(settings, edge, feed, metrics,
                              copied=saved.base if saved is not None else None)
        tasks.append(asyncio.create_task(refresher.run(stop), name="edge-refresh"))
    try:
        await site_.start()
        log.info("edge serving", extra=kv(site=site, host=settings.edge_host,
                                           port=settings.edge_port,
                                           snapshot=edge.snapshot_version or "none"))
        await stop.wait()
    finally:
        await runner.cleanup()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await central.close()
        outbox.close()
