"""`screening watchlists load|generate|stats` (and `keygen|sign|publish`, in feed.py)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

from screening.cli import feed
from screening.exceptions import FeedKeyError
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.loader import load_files
from screening.watchlists.registry import LIST_NAMES
from screening.watchlists.stats import collect_stats
from screening.watchlists.store import WatchlistStore


def add_parser(sub: Any) -> None:
    p = sub.add_parser("watchlists", help="load, generate and inspect watchlists")
    wsub = p.add_subparsers(dest="watchlists_command", required=True, metavar="ACTION")

    load = wsub.add_parser("load",
                           help="bulk-load NDJSON files as a new version, switch atomically; "
                                "each FILE needs its signed manifest FILE.sig")
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--quiet", action="store_true", help="no progress line")
    load.add_argument("--progress", action="store_true",
                      help="progress on stderr even when it is not a terminal")
    load.add_argument("--workers", type=int, default=None, metavar="N",
                      help="parsing processes (default: one per core for inputs over 32 MiB)")
    load.add_argument("--no-retroactive", action="store_true",
                      help="do not check the loaded records against the scans of the "
                           "retroactive window (done by default after the switch, when a "
                           "version was loaded before: alerts of kind `retroactive`)")
    load.add_argument("--no-wait", action="store_true",
                      help="leave the previous version to the worker's housekeeping instead "
                           "of waiting out SCREENING_VERSION_GRACE_S and removing it")
    load.set_defaults(func=run_load)

    gen = wsub.add_parser("generate", help="write a realistic mock file per list")
    gen.add_argument("--out", required=True, type=Path, metavar="DIR")
    for name in LIST_NAMES:  # --sltd, --notices, --smv, --events, ...
        flag = name if name in ("sltd", "smv") else f"{name}s"
        gen.add_argument(f"--{flag}", dest=f"count_{name}", type=int, metavar="N",
                         help=f"{name} records (default: the list's own, mock.py)")
    gen.add_argument("--seed", type=int, default=1, help="random seed (same seed, same files)")
    gen.set_defaults(func=run_generate)

    stats = wsub.add_parser("stats", help="records, version, memory per record, last update")
    stats.add_argument("--json", action="store_true", help="one JSON object for machines")
    stats.set_defaults(func=run_stats)

    feed.add_parsers(wsub)


class _Progress:
    """A one-line progress display on a terminal (or anywhere, when forced); bytes
    read, their share of the input, and the rate so far."""

    def __init__(self, label: str, enabled: bool, forced: bool = False) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.enabled = forced or (enabled and self.tty)
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self.last < (0.2 if self.tty else 2.0) and done < total):
            return
        self.last = now
        pct = 100.0 * done / total if total else 100.0
        rate = done / (now - self.started) / 1e6 if now > self.started else 0.0
        line = (f"{self.label}: {pct:5.1f}%  {done / 1e6:,.0f}/{total / 1e6:,.0f} MB  "
                f"{rate:5.1f} MB/s  {now - self.started:6.1f}s")
        sys.stderr.write(f"\r{line}" if self.tty else f"{line}\n")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\n")


def run_load(settings: Settings, args: argparse.Namespace) -> int:
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        print(f"screening watchlists load: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    refused = feed.check_manifests(settings, args.files)
    if refused:
        for why in refused:
            print(f"screening watchlists load: {why}", file=sys.stderr)
        print("screening watchlists load: refused; nothing was loaded", file=sys.stderr)
        return 1

    async def go() -> Any:
        redis = make_redis(settings, socket_timeout=30)
        progress = _Progress("loading", not args.quiet, forced=args.progress)
        store = WatchlistStore(redis, settings.redis_prefix)
        try:
            started = datetime.now(UTC)
            report = await load_files(store, args.files, grace_s=settings.version_grace_s,
                                      progress=progress, workers=args.workers)
            progress.close()
            if report.loaded and report.previous and not args.no_retroactive:
                await _retroactive(settings, redis, args.files, started, quiet=args.quiet)
            if report.previous and not args.no_wait and settings.version_grace_s > 0:
                # Batches in flight may still read the old version for the grace period.
                if progress.enabled:
                    print(f"removing version {report.previous} in "
                          f"{settings.version_grace_s:.0f}s", file=sys.stderr)
                await asyncio.sleep(settings.version_grace_s)
                await store.collect_retired()
            return report
        finally:
            await redis.aclose()

    report = asyncio.run(go())
    for err in report.errors:
        print(f"skipped {err}", file=sys.stderr)
    if report.error_count > len(report.errors):
        print(f"... and {report.error_count - len(report.errors)} more bad lines", file=sys.stderr)
    counts = ", ".join(f"{k}={v}" for k, v in report.counts.items())
    rate = report.loaded / report.seconds if report.seconds else 0
    if report.loaded:  # audited: who switched the lists to which version (audit/emit.py)
        from screening.audit import emit

        emit.emit(settings, [(report.version.encode(), emit.list_loaded(
            settings, version=report.version, previous=report.previous,
            counts=dict(report.counts), files=len(args.files)))], "list_loaded")
    print(f"loaded version {report.version} ({counts}) in {report.seconds:.1f}s, "
          f"{rate:,.0f} records/s; {report.error_count} bad lines skipped; "
          f"previous version {report.previous or 'none'}")
    return 0 if report.loaded or not report.error_count else 1


async def _retroactive(settings: Settings, redis: Any, files: list[Path], loaded_at: datetime,
                       *, quiet: bool) -> None:
    """The loaded records checked against the scans of the retroactive window; each
    earlier scan a record matches that no list hit raises an alert (kind `retroactive`).
    The lists are switched already: this only tells analysts who is inside."""
    from screening.agents.updates import retroactive_history
    from screening.correlation.retroactive import after_load
    from screening.kafka_io import producer

    history = retroactive_history(settings, redis)
    if history is None:  # no audit key, correlation off or no window: nothing remembered
        return
    state, digests = history
    out = producer(settings)
    topic = settings.topic(settings.topic_alerts)
    t0 = time.monotonic()

    async def send(alert: Any) -> None:
        await out.send(topic, alert.model_dump_json(exclude_none=True).encode(),
                       key=alert.alert_id.encode())

    try:
        await out.start()
        sent = await after_load(state, digests, _records(files), loaded_at=loaded_at,
                                window_h=settings.retroactive_window_h, send=send)
        await out.flush()
    except Exception as exc:  # the load stands; the check is said to have failed
        print(f"screening watchlists load: retroactive check failed ({type(exc).__name__}); "
              "the lists are loaded", file=sys.stderr)
        return
    finally:
        await out.stop()
    if not quiet:
        print(f"retroactive check: {sent} alert(s) for earlier scans, "
              f"{time.monotonic() - t0:.1f}s", file=sys.stderr)


def _records(files: list[Path]) -> Iterator[Any]:
    """The files' records as attribute views (read as the retroactive check reads them,
    without a model each: the load validated them; a line it refused finds nothing)."""
    for path in files:
        with path.open("rb") as f:
            for line in f:
                try:
                    body = orjson.loads(line)
                except orjson.JSONDecodeError:
                    continue
                if isinstance(body, dict) and "list" in body and "id" in body:
                    yield _view(body)


def _view(value: Any) -> Any:
    if isinstance(value, dict):
        return SimpleNamespace(**{str(k): _view(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_view(v) for v in value]
    return value


def run_generate(settings: Settings, args: argparse.Namespace) -> int:
    from screening.mockdata.lists import MOCKS, generate_lists

    started = time.monotonic()
    counts = {name: n if (n := getattr(args, f"count_{name}")) is not None
              else MOCKS[name].default_count for name in LIST_NAMES}
    paths = generate_lists(args.out, counts, seed=args.seed)
    took = time.monotonic() - started
    for name, path in paths.items():
        print(f"{name}: {path}")
    try:  # signed when this machine holds a feed key (SCREENING_FEED_SIGNING_KEY_FILE)
        for sig in feed.sign_generated(settings, list(paths.values())):
            print(f"signed: {sig}")
    except FeedKeyError as exc:
        print(f"screening watchlists generate: not signed: {exc}", file=sys.stderr)
        return 1
    print(f"generated in {took:.1f}s")
    return 0


def run_stats(settings: Settings, args: argparse.Namespace) -> int:
    async def go() -> dict[str, Any]:
        redis = make_redis(settings, socket_timeout=30)
        try:
            return await collect_stats(WatchlistStore(redis, settings.redis_prefix))
        finally:
            await redis.aclose()

    stats = asyncio.run(go())
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(stats) + b"\n")
        return 0 if stats.get("version") else 1
    if not stats.get("version"):
        print("no watchlist version is loaded")
        return 1
    print(f"version {stats['version']} (loaded {stats['loaded_at']})")
    print(f"{'list':<8} {'records':>12} {'bytes/record':>14} {'last update':>28}")
    for name, s in stats["lists"].items():
        bpr = f"{s['bytes_per_record']:.1f}" if s["bytes_per_record"] is not None else "-"
        print(f"{name:<8} {s['records']:>12,} {bpr:>14} {s['last_update'] or '-':>28}")
    return 0
