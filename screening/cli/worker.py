"""`screening worker`: the stream processor (a Faust worker)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import TYPE_CHECKING, Any

from screening.settings import Settings

if TYPE_CHECKING:
    from screening.context import Reader


def add_parser(sub: Any) -> None:
    p = sub.add_parser("worker", help="run the stream processor (a Faust worker)")
    p.add_argument("--loglevel", default=None, help="Faust's log level (default: settings)")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return serve(settings, args.loglevel)


def serve(settings: Settings, loglevel: str | None = None, *,
          reader: Reader | None = None) -> int:
    """The worker's start-up and run. `reader`: what the screener reads the store
    through, when not the store itself (the benchmark's baseline worker; see Context)."""
    import mode.loop
    from faust.worker import Worker

    from screening.app import create_app
    from screening.audit.digests import require_key
    from screening.exceptions import ConfigurationError
    from screening.gcpolicy import freeze_start_up
    from screening.kafka_io import ensure_topics
    from screening.logs import kv, logging_config
    from screening.runtime.app import App
    from screening.sites import read_registry

    # uvloop (mode's own loop selection, as `faust -L uvloop` does); set before any loop
    # exists, so the worker's loop and the consumer thread's loop are both uvloop.
    if settings.audit_searches:
        # Every screened scan is audited (contract v2): a worker that could not write
        # its searches' records does not screen, rather than screen unaudited.
        try:
            require_key(settings)
        except ConfigurationError as exc:
            print(f"screening worker: {exc}; or SCREENING_AUDIT_SEARCHES=false to screen "
                  "without an audit of searches", file=sys.stderr)
            return 2
    mode.loop.use("uvloop")
    # Live updates run on a thread of their own (agents/updates.py): each of their steps
    # waits up to this long for the scan loop to hand over the interpreter.
    sys.setswitchinterval(settings.switch_interval_s)
    asyncio.run(ensure_topics(settings))
    try:
        sites = asyncio.run(read_registry(settings))
    except Exception as exc:  # Redis away at start: the worker reads the registry later
        logging.getLogger("screening.worker").warning(
            "site registry unreadable at start; v1 topics only until it is",
            extra=kv(error=type(exc).__name__))
        sites = None
    app, _ = create_app(settings, sites=sites, reader=reader)
    assert isinstance(app, App)
    app.stop_deadline_s = settings.stop_deadline_s  # this process ends with the app
    level = loglevel or settings.log_level
    worker = Worker(app, loglevel=level.lower(), quiet=True, redirect_stdouts=False,
                    logging_config=logging_config(level, settings.log_json))
    freeze_start_up()
    worker.execute_from_commandline()
    return 0
