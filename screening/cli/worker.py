"""`screening worker`: the stream processor (a Faust worker)."""

from __future__ import annotations

import argparse
from typing import Any

from screening.settings import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("worker", help="run the stream processor (a Faust worker)")
    p.add_argument("--loglevel", default=None, help="Faust's log level (default: settings)")
    p.set_defaults(func=run)


def run(settings: Settings, args: argparse.Namespace) -> int:
    from faust.worker import Worker

    from screening.app import create_app
    from screening.logs import setup_logging

    app, _ = create_app(settings)
    worker = Worker(app, loglevel=args.loglevel or settings.log_level.lower(), quiet=True,
                    redirect_stdouts=False)
    # Faust configures logging when it starts: put ours (masked, key=value) back on top.
    app.on_startup_finished = lambda: setup_logging(settings.log_level, settings.log_json)
    worker.execute_from_commandline()
    return 0
