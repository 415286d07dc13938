"""The `screening` console script: one sub-command per module in this package."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from screening.cli import (
    alerts,
    audit,
    bench,
    console,
    deadletters,
    edge,
    mode,
    purge,
    screen,
    security,
    simulate,
    watchlists,
    worker,
)
from screening.logs import setup_logging
from screening.settings import Settings

COMMANDS = (worker, watchlists, screen, simulate, alerts, console, bench, security, audit,
            deadletters, purge, edge, mode)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="screening",
        description="Real-time screening of traveller and vehicle scans against watchlists.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = Settings()
    setup_logging(settings.log_level, settings.log_json)
    try:
        rc = int(args.func(settings, args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    if getattr(args, "exit_at_once", False):
        _exit_at_once(rc)
    return rc


def _exit_at_once(rc: int) -> None:
    """End the process without the interpreter's teardown, once every output is flushed.

    A command that fills the matching caches (`screen`: hundreds of thousands of small
    objects) spent a third of a second freeing them one by one at exit, memory the
    operating system takes back at once anyway (mypy ends the same way)."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader left: as the BrokenPipeError above
        pass
    logging.shutdown()
    os._exit(rc)


if __name__ == "__main__":
    sys.exit(main())
