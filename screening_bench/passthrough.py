"""The Kafka ceiling: scans read and a result-sized answer written, and nothing else.

`screening bench` drains the same backlog through this process as through the worker,
so the worker's rate reads against what the Kafka client alone can move in one Python
process on this machine: the worker's client and settings (kafkajob.py), without
Faust, Redis or any screening. Each scan is parsed (orjson) for its ids and answered
`unverified` with the worker's result fields: no list was consulted, and the answers go
to the benchmark's own throwaway topics.

Run as `python -m screening_bench.passthrough` with the worker's environment; it joins
the worker's consumer group (`SCREENING_APP_ID`) and prints "ready" once it has its
partitions.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import orjson
import uvloop

from screening.models import ScanKind
from screening.settings import Settings
from screening_bench.kafkajob import Answer, JobProcess, scan_fields, serve


def answer(raw: bytes | None, kind: str, now: str) -> Answer:
    """(key, value) of the answer to one scan: its ids and the fields of a result."""
    scan = scan_fields(raw)
    terminal = str(scan.get("terminal_id") or "")
    value = orjson.dumps({
        "event_id": scan.get("event_id"), "checkpoint_id": scan.get("checkpoint_id"),
        "terminal_id": terminal, "kind": kind, "outcome": "unverified", "hits": [],
        "warnings": ["NOT_SCREENED"], "decided_at": now, "watchlist_version": "passthrough"})
    return terminal.encode() or None, value


async def answers(scans: Sequence[tuple[ScanKind, bytes | None]], now: str) -> list[Answer]:
    return [answer(raw, kind, now) for kind, raw in scans]


class PassThroughProcess(JobProcess):
    """This module as a subprocess, in place of a worker (same settings, same group)."""

    module = __name__


def main() -> int:
    uvloop.run(serve(Settings(), answers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
