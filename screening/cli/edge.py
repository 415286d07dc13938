"""`screening edge`: the HTTPS service for one site's terminals (contract v2, "Edge")."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from typing import Any

from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "edge", help="serve one site's terminals over HTTPS, answering offline when the "
                     "link to the centre fails",
        description="Connects to Kafka as the site's principal (SCREENING_KAFKA_*; "
                    "`screening security client-config site-SITE --format env`).")
    p.add_argument("--site", default=None, help="site id (default: SCREENING_EDGE_SITE)")
    p.add_argument("--host", default=None, help="bind address (default: SCREENING_EDGE_HOST)")
    p.add_argument("--port", type=int, default=None,
                   help="port (default: SCREENING_EDGE_PORT, 8443)")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from screening.edge import serve
    from screening.exceptions import ScreeningError
    from screening.security.roles import check_site

    overrides = {k: v for k, v in (("edge_site", args.site), ("edge_host", args.host),
                                   ("edge_port", args.port)) if v is not None}
    settings = settings.model_copy(update=overrides)
    try:
        check_site(settings.edge_site)
    except ValueError as exc:
        print(f"screening edge: {exc}", file=sys.stderr)
        return 2

    # As the worker: the outbox's disk thread hands back to the event loop within 1 ms,
    # not Python's default 5 ms (screening/settings.py, switch_interval_s).
    sys.setswitchinterval(settings.switch_interval_s)

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(settings, stop)

    try:
        asyncio.run(main())
    except ScreeningError as exc:  # a snapshot that does not verify, bad settings
        print(f"screening edge: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"screening edge: {exc}", file=sys.stderr)
        return 1
    return 0
