"""`screening screen`: scans as NDJSON on stdin, one CheckResult a line on stdout.

No Kafka: the same decision code as the worker, against the lists loaded in Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any, BinaryIO

import orjson

from screening.core.engine import RawScan, Screener
from screening.models import ScanKind
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.store import WatchlistStore

BATCH = 500


def add_parser(sub: Any) -> None:
    p = sub.add_parser("screen", help="screen NDJSON scans from stdin, results on stdout")
    p.add_argument("--kind", choices=("auto", "traveller", "vehicle"), default="auto",
                   help="kind of every scan; auto: a scan with a 'vehicle' object is a vehicle")
    p.add_argument("--alerts", metavar="FILE", help="also write the alerts, NDJSON, to FILE")
    p.set_defaults(func=run)


def infer_kind(line: bytes, default: str) -> ScanKind:
    if default != "auto":
        return default  # type: ignore[return-value]
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return "traveller"
    return "vehicle" if isinstance(data, dict) and "vehicle" in data else "traveller"


async def screen_stream(settings: Settings, source: BinaryIO, sink: BinaryIO,
                        alerts_sink: BinaryIO | None, kind: str, err: Any = sys.stderr) -> int:
    redis = make_redis(settings)
    screener = Screener(WatchlistStore(redis, settings.redis_prefix), settings)
    unanswered = 0
    try:
        batch: list[RawScan] = []
        lineno = 0

        async def flush() -> int:
            missing = 0
            for item in await screener.screen(batch):
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
            batch.clear()
            return missing

        for line in source:
            lineno += 1
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            batch.append(RawScan(kind=infer_kind(line, kind), value=line, topic="stdin",
                                 partition=None, offset=lineno))
            if len(batch) >= BATCH:
                unanswered += await flush()
        if batch:
            unanswered += await flush()
        sink.flush()
    finally:
        await redis.aclose()
    return unanswered


def run(settings: Settings, args: argparse.Namespace) -> int:
    alerts_fh = open(args.alerts, "wb") if args.alerts else None  # noqa: SIM115
    try:
        missing = asyncio.run(screen_stream(settings, sys.stdin.buffer, sys.stdout.buffer,
                                            alerts_fh, args.kind))
    finally:
        if alerts_fh:
            alerts_fh.close()
    return 0 if missing >= 0 else 1
