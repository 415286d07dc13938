"""The benchmark: realistic lists, real workers, real Kafka and Redis, one session.

1. Throughput: N scans are published first, then the workers start and drain them;
   the rate is results / (last result − first result) as a consumer sees them.
2. Latency: scans are published at half that rate while the workers run; each scan's
   latency is from its send to its result's arrival.
3. Baseline: the same drain with one scan at a time and awaited look-ups
   (SCREENING_LOOKUP_MODE=per_scan, SCREENING_BATCH_SIZE=1), so figures are ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from screening.bench.driver import ResultWatcher, Scan, create_topics, delete_topics, paced, preload
from screening.bench.processes import WorkerProcess, free_port
from screening.bench.report import machine, percentiles, table, write
from screening.mockdata.lists import generate_lists
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.loader import load_files
from screening.watchlists.store import WatchlistStore

CACHE = Path(".local/bench")


def _lists(args: argparse.Namespace) -> dict[str, int]:
    if args.full_lists:
        return {"sltd": 10_000_000, "notice": 120_000, "smv": 1_000_000}
    return {"sltd": args.sltd, "notice": args.notices, "smv": args.smv}


def _scans(settings: Settings, paths: list[Path], n: int, hit_share: float,
           seed: int) -> list[Scan]:
    factory = ScanFactory(seed=seed, sample=sample_from_files(paths, per_list=500, seed=seed))
    topics = {"traveller": settings.topic(settings.topic_traveller),
              "vehicle": settings.topic(settings.topic_vehicle)}
    out = []
    for kind, payload, expect in factory.mixed(n, hit_share=hit_share, vehicle_share=0.3):
        assert isinstance(payload, dict) and expect.event_id
        out.append((topics[kind], str(payload["terminal_id"]).encode(), orjson.dumps(payload),
                    expect.event_id))
    return out


def _run_settings(base: Settings, partitions: int, tag: str) -> Settings:
    rid = f"{tag}{int(time.time()) % 100000}"
    return base.model_copy(update={
        "topic_prefix": f"bench{rid}.", "app_id": f"screening-bench{rid}",
        "topic_partitions": partitions, "web_port": free_port()})


async def _drain(settings: Settings, scans: list[Scan], workers: int, logs: Path,
                 limit_s: float, **env: str) -> tuple[float, float, list[WorkerProcess]]:
    """Preload, then start workers and time the drain; returns (rate, max RSS, workers)."""
    await create_topics(settings, settings.topic_partitions)
    await preload(settings, scans)
    watcher = ResultWatcher(settings)
    await watcher.start()
    arrivals = watcher.expect([s[3] for s in scans])
    procs = []
    for i in range(workers):
        s = settings.model_copy(update={"web_port": free_port()})
        procs.append(WorkerProcess(s, logs / f"{settings.app_id}-{i}.log", **env).start())
    rss = 0.0
    deadline = time.monotonic() + limit_s
    while not arrivals.complete and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        rss = max([rss] + [p.rss_mb() for p in procs])
        if any(p.proc is not None and p.proc.poll() is not None for p in procs):
            raise RuntimeError("a worker died:\n" + procs[0].log_tail())
    await watcher.stop()
    if not arrivals.complete:
        raise RuntimeError(f"only {len(arrivals.at)} of {len(scans)} results in {limit_s}s")
    times = sorted(arrivals.at.values())
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return rate, rss, procs


async def bench(base: Settings, args: argparse.Namespace) -> dict[str, Any]:
    sizes = _lists(args)
    lists_dir = CACHE / f"lists-{sizes['sltd']}-{sizes['notice']}-{sizes['smv']}"
    if not (lists_dir / "sltd.ndjson").exists():
        print(f"generating lists into {lists_dir} ...", file=sys.stderr)
        generate_lists(lists_dir, sltd=sizes["sltd"], notices=sizes["notice"], smv=sizes["smv"],
                       seed=42)
    paths = [lists_dir / n for n in ("sltd.ndjson", "notices.ndjson", "smv.ndjson")]
    base = base.model_copy(update={"redis_prefix": f"bench{int(time.time()) % 100000}"})
    redis = make_redis(base, socket_timeout=60)
    store = WatchlistStore(redis, base.redis_prefix)
    logs = Path(tempfile.mkdtemp(prefix="screening-bench-"))
    settings = _run_settings(base, args.partitions, "a")
    baseline_settings = _run_settings(base, args.partitions, "b")
    try:
        print(f"loading lists ({sizes}) ...", file=sys.stderr)
        report = await load_files(store, paths, grace_s=0)
        scans = _scans(settings, paths, args.scans, args.hit_share, seed=1)

        print(f"throughput: {args.scans:,} scans, {args.workers} worker(s) ...", file=sys.stderr)
        rate, rss, procs = await _drain(settings, scans, args.workers, logs, args.timeout)
        try:
            lat_rate = args.rate or max(1.0, rate / 2)
            n_lat = args.latency_scans or int(min(max(lat_rate * 10, 1000), 200_000))
            lat_scans = _scans(settings, paths, n_lat, args.hit_share, seed=2)
            print(f"latency: {n_lat:,} scans at {lat_rate:,.0f}/s ...", file=sys.stderr)
            watcher = ResultWatcher(settings)
            await watcher.start()
            arrivals = watcher.expect([s[3] for s in lat_scans])
            sent = await paced(settings, lat_scans, lat_rate)
            await watcher.wait(60)
            await watcher.stop()
            rss = max([rss] + [p.rss_mb() for p in procs])
            latencies = [arrivals.at[e] - sent[e] for e in sent if e in arrivals.at]
            missing = len(sent) - len(latencies)
        finally:
            for p in procs:
                p.stop()

        baseline = 0.0
        if not args.no_baseline:
            b_scans = _scans(baseline_settings, paths, args.baseline_scans, args.hit_share, seed=3)
            print(f"baseline: {args.baseline_scans:,} scans, per-scan look-ups ...",
                  file=sys.stderr)
            baseline, _, bprocs = await _drain(baseline_settings, b_scans, 1, logs, args.timeout,
                                               SCREENING_LOOKUP_MODE="per_scan",
                                               SCREENING_BATCH_SIZE="1")
            for p in bprocs:
                p.stop()
        return {
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "throughput_scans_per_s": round(rate, 1),
            "baseline_throughput_scans_per_s": round(baseline, 1),
            "speedup_vs_baseline": round(rate / baseline, 2) if baseline else None,
            "latency_ms": percentiles(latencies),
            "latency_rate_scans_per_s": round(lat_rate, 1),
            "latency_results_missing": missing,
            "worker_rss_mb": round(rss, 1),
            "workers": args.workers,
            "partitions": args.partitions,
            "scans": args.scans,
            "latency_scans": n_lat,
            "baseline_scans": 0 if args.no_baseline else args.baseline_scans,
            "hit_share": args.hit_share,
            "lists": report.counts,
            "load_seconds": round(report.seconds, 2),
            "batch_size": settings.batch_size,
            "machine": machine(),
        }
    finally:
        for s in (settings, baseline_settings):
            with contextlib.suppress(Exception):
                await delete_topics(s)
        with contextlib.suppress(Exception):
            await store.drop_version(report.version)
        await redis.aclose()


def main(settings: Settings, args: argparse.Namespace) -> int:
    figures = asyncio.run(bench(settings, args))
    path = write(figures, args.out)
    if args.json:
        sys.stdout.buffer.write(orjson.dumps(figures) + b"\n")
    else:
        print(table(figures))
        print(f"written to {path}")
    return 0
