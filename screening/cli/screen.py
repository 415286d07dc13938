"""`screening screen`: scans as NDJSON on stdin, one CheckResult a line on stdout.

No Kafka: the same decision code as the worker, against the lists loaded in Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, BinaryIO

import orjson

from screening.core.codec import without_bom
from screening.core.engine import NO_VERSION, RawScan, Screened, Screener
from screening.gcpolicy import HeapFreezer, stop_automatic_collection
from screening.models import ScanKind
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.store import WatchlistStore

BATCH = 1000


def add_parser(sub: Any) -> None:
    p = sub.add_parser("screen", help="screen NDJSON scans from stdin, results on stdout")
    p.add_argument("--kind", choices=("auto", "traveller", "vehicle"), default="auto",
                   help="kind of every scan; auto: a scan with a 'vehicle' object is a vehicle "
                        "(one with a document or holder too is rejected: AMBIGUOUS_KIND)")
    p.add_argument("--alerts", metavar="FILE", help="also write the alerts, NDJSON, to FILE")
    p.add_argument("--batch", type=int, default=BATCH, metavar="N",
                   help=f"scans per Redis round trip (default {BATCH})")
    p.set_defaults(func=run, exit_at_once=True)


AMBIGUOUS = ("AMBIGUOUS_KIND", "the scan has both a vehicle and a document or holder: "
             "screen it with --kind traveller or --kind vehicle, or split it")


def infer_kind(line: bytes, default: str) -> tuple[ScanKind, tuple[str, str] | None]:
    """The kind of a line, and a reason to refuse it when that cannot be told: a line
    with a vehicle and a document (or holder) is not screened as either, since either
    choice would leave the other unchecked and could answer `clear`."""
    if default != "auto":
        return default, None  # type: ignore[return-value]
    if b"vehicle" not in line and b"\\u" not in line:
        return "traveller", None  # no such key, not even escaped: no need to parse
    try:
        data = orjson.loads(without_bom(line))
    except orjson.JSONDecodeError:  # rejected by the codec, as the kind it seems to be
        vehicle = b'"vehicle"' in line and not any(k in line for k in (b'"document"',
                                                                          b'"holder"'))
        return ("vehicle" if vehicle else "traveller"), None
    if not isinstance(data, dict) or data.get("vehicle") is None:
        return "traveller", None
    if data.get("document") is not None or data.get("holder") is not None:
        return "traveller", AMBIGUOUS
    return "vehicle", None


async def screen_stream(settings: Settings, source: BinaryIO, sink: BinaryIO,
                        alerts_sink: BinaryIO | None, kind: str, *, err: Any = sys.stderr,
                        batch_size: int = BATCH, gc_policy: HeapFreezer | None = None) -> int:
    """Screen every line; returns how many got no result (event id unreadable).

    Two batches are in flight: while one waits for Redis, the next is decoded and
    prepared, so the round trips cost no CPU time. Results keep the input order."""
    redis = make_redis(settings)
    screener = Screener(WatchlistStore(redis, settings.redis_prefix), settings)
    unanswered = 0

    def write(items: list[Screened]) -> int:
        missing = 0
        for item in items:
            if item.result is None:
                missing += 1
                reason = item.deadletter.reason if item.deadletter else None
                print(f"line {item.raw.offset}: no result, event_id unreadable"
                      f" ({reason.code + ': ' + reason.message if reason else 'unknown'})",
                      file=err)
                continue
            sink.write(item.result.model_dump_json().encode() + b"\n")
            if alerts_sink is not None:
                for alert in item.alerts:
                    alerts_sink.write(alert.model_dump_json(exclude_none=True).encode() + b"\n")
        return missing

    in_flight: asyncio.Task[list[Screened]] | None = None
    started: asyncio.Task[list[Screened]] | None = None
    try:
        batch: list[RawScan] = []
        lineno = 0
        for line in source:
            lineno += 1
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            line_kind, refused = infer_kind(line, kind)
            batch.append(RawScan(kind=line_kind, value=line, topic="stdin",
                                 partition=None, offset=lineno, refused=refused))
            if len(batch) >= batch_size:
                if gc_policy is not None:
                    gc_policy.maybe_tick()
                started = asyncio.ensure_future(screener.screen(batch))
                batch = []
                if in_flight is not None:
                    unanswered += write(await in_flight)
                in_flight = started
                if screener.last_version == NO_VERSION:
                    # The first batch learns the version that rejected scans report.
                    unanswered += write(await in_flight)
                    in_flight = None
        if in_flight is not None:
            unanswered += write(await in_flight)
        if batch:
            unanswered += write(await screener.screen(batch))
        sink.flush()
    finally:
        for task in (in_flight, started):  # a failure left one behind
            if task is not None and not task.done():
                task.cancel()
        await redis.aclose()
    return unanswered


def run(settings: Settings, args: argparse.Namespace) -> int:
    # The cyclic collector took a third of the time with its default thresholds and 17 %
    # with rarer young passes (eval/RESULTS.md): scans make almost no cycles.
    freezer = stop_automatic_collection()
    alerts_fh = open(args.alerts, "wb") if args.alerts else None  # noqa: SIM115
    try:
        missing = asyncio.run(screen_stream(settings, sys.stdin.buffer, sys.stdout.buffer,
                                            alerts_fh, args.kind,
                                            batch_size=max(1, args.batch), gc_policy=freezer))
    finally:
        if alerts_fh:
            alerts_fh.close()
    return 0 if missing >= 0 else 1
