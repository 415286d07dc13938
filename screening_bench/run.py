"""The benchmark: realistic lists, real workers, real Kafka and Redis, one session.

1. Throughput: the workers start and join their group, N scans are published as fast
   as the client can, and the backlog left when publishing ends is timed as a
   consumer of the results sees it; the workers' CPU time over that window gives
   CPU µs per scan. Repeated on fresh
   topics (--repeats); the median is reported.
2. Latency: scans are published at half that rate while the last drain's workers run;
   each scan's latency is from just before its send to its result's arrival at a
   consumer of the results topic. Before it, runs at an eighth, a quarter and three
   eighths of the rate (unless --rate sets one rate): the highest rate within the
   latency targets is reported too.
3. Baseline: the same scans drained one at a time with awaited look-ups (baseline.py:
   the worker's start-up, batches of one, a per-scan reader), so figures are ratios.
4. Kafka ceiling: the same backlog drained by the pass-through (passthrough.py),
   started on it, so the worker's rate reads against what Kafka I/O alone allows.
5. Lean job against the worker (issue 25): the same backlog drained in turns by the
   lean job (lean.py: exact look-ups only) and by a worker, each started on it and
   timed alike (drains.backlog); the worker's rate as a share of the lean job's.
6. CPU by stage: the worker's stages run offline over the same scans (stages.py), and
   the rest of its CPU in those drains.
7. Scaling: the same drain with --scale-workers workers on as many times the partitions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from screening.mockdata.lists import generate_lists
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.redis_client import make_redis
from screening.security.provision import worker_settings
from screening.settings import Settings
from screening.watchlists.loader import load_files
from screening.watchlists.store import WatchlistStore
from screening_bench.baseline import BaselineWorkerProcess
from screening_bench.drains import (
    Drain,
    Session,
    backlog,
    drain_runs,
    in_turns,
    retarget,
    run_settings,
    summary,
)
from screening_bench.driver import ResultWatcher, Scan, delete_topics, paced
from screening_bench.lean import LeanProcess
from screening_bench.passthrough import PassThroughProcess
from screening_bench.processes import WorkerProcess, env_for, with_audit_key
from screening_bench.report import (
    machine,
    meets_targets,
    percentiles,
    table,
    within_targets,
    write,
)

CACHE = Path(".local/bench")
# Latency runs, as fractions of the sustained rate, when no --rate is given: the last is
# the half rate, the second a quarter.
SWEEP = (0.125, 0.25, 0.375, 0.5)


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


def _part_cost(name: str, off: dict[str, Any], on: dict[str, Any]) -> dict[str, Any]:
    """The figures of a part of the worker measured off and on in turns (in_turns)."""
    return {
        f"{name}_off_throughput_scans_per_s": off.get("throughput_scans_per_s"),
        f"{name}_off_runs_scans_per_s": off.get("runs_scans_per_s", []),
        f"{name}_off_cpu_us_per_scan": off.get("cpu_us_per_scan"),
        f"{name}_on_throughput_scans_per_s": on.get("throughput_scans_per_s"),
        f"{name}_on_runs_scans_per_s": on.get("runs_scans_per_s", []),
        f"{name}_on_cpu_us_per_scan": on.get("cpu_us_per_scan"),
        f"{name}_cost": (round(1 - on["throughput_scans_per_s"]
                               / off["throughput_scans_per_s"], 3)
                         if off.get("throughput_scans_per_s") else None),
        f"{name}_cpu_cost": (round(on["cpu_us_per_scan"] / off["cpu_us_per_scan"] - 1, 3)
                             if off.get("cpu_us_per_scan") else None),
    }


async def _latency(session: Session, settings: Settings, procs: list[WorkerProcess],
                   rate: float, *, paths: list[Path], args: argparse.Namespace,
                   seed: int) -> dict[str, Any]:
    """Scans published at `rate` while the workers run; each timed from just before
    its send to its result's arrival."""
    n = args.latency_scans or int(min(max(rate * 10, 1000), 200_000))
    origin = session.origin
    scans = retarget(_scans(origin, paths, n, args.hit_share, seed=seed), origin, settings)
    print(f"latency: {n:,} scans at {rate:,.0f}/s ...", file=sys.stderr)
    watcher = ResultWatcher(settings)
    await watcher.start()
    arrivals = watcher.expect([s[3] for s in scans])
    # The instrument must not pause: no collector passes in this process while it
    # stamps sends and arrivals (a full pass over its scans took ~100 ms).
    gc.freeze()
    gc.disable()
    cpu0 = sum(p.cpu_seconds() for p in procs)
    try:
        sent = await paced(settings, scans, rate)
        await watcher.wait(60)
    finally:
        gc.enable()
        gc.unfreeze()
    await watcher.stop()
    cpu_us = 1e6 * (sum(p.cpu_seconds() for p in procs) - cpu0) / n
    latencies = [arrivals.at[e] - sent[e] for e in sent if e in arrivals.at]
    # Where the time goes: up to the worker's decision (the send, the broker, the
    # worker's fetch, batching and screening) and after it (its produce, the broker,
    # the fetch here), split by the result's decided_at.
    split = [(arrivals.at[e] - sent[e], arrivals.after_decision[e]) for e in sent
             if e in arrivals.after_decision]
    return {"rate_scans_per_s": round(rate, 1), "scans": n,
            "latency_ms": percentiles(latencies), "results_missing": len(sent) - len(latencies),
            "to_decision_ms": percentiles([total - after for total, after in split]),
            "after_decision_ms": percentiles([after for _, after in split]),
            "worker_cpu_us_per_scan": round(cpu_us, 1)}


def _swept(run: dict[str, Any]) -> dict[str, Any]:
    return {"rate_scans_per_s": run["rate_scans_per_s"], "latency_ms": run["latency_ms"],
            "results_missing": run["results_missing"],
            "worker_cpu_us_per_scan": run["worker_cpu_us_per_scan"],
            "within_targets": meets_targets(run)}


def _lean_figures(lean: dict[str, Any], worker: dict[str, Any]) -> dict[str, Any]:
    """The lean job against the worker, drained in turns (issue 25's ratio: the
    worker's rate over the lean job's, the goal at least one half)."""
    if not lean:
        return {"lean_throughput_scans_per_s": None}
    return {
        "lean_throughput_scans_per_s": lean["throughput_scans_per_s"],
        "lean_runs_scans_per_s": lean["runs_scans_per_s"],
        "lean_cpu_us_per_scan": lean["cpu_us_per_scan"],
        "lean_redis_cpu_us_per_scan": lean["redis_cpu_us_per_scan"],
        "lean_outcomes": lean["outcomes"],
        "lean_worker_throughput_scans_per_s": worker["throughput_scans_per_s"],
        "lean_worker_runs_scans_per_s": worker["runs_scans_per_s"],
        "lean_worker_cpu_us_per_scan": worker["cpu_us_per_scan"],
        "lean_worker_redis_cpu_us_per_scan": worker["redis_cpu_us_per_scan"],
        "lean_worker_outcomes": worker["outcomes"],
        "worker_share_of_lean": round(worker["throughput_scans_per_s"]
                                      / lean["throughput_scans_per_s"], 3),
        "worker_cpu_over_lean": round(worker["cpu_us_per_scan"] / lean["cpu_us_per_scan"], 1)
        if lean["cpu_us_per_scan"] else None,
    }


def _stages(session: Session, settings: Settings, scans: list[Scan], worker_cpu_us: float,
            source: str) -> dict[str, Any]:
    """The worker's CPU per scan by stage (stages.py, in a process of its own with the
    worker's settings, over the same scans), and the rest of its CPU in a drain."""
    path = session.logs / "stages-scans.ndjson"
    path.write_bytes(b"".join(value + b"\n" for _, _, value, _ in scans))
    done = subprocess.run([sys.executable, "-m", "screening_bench.stages", str(path)],
                          env=env_for(worker_settings(settings)), capture_output=True,
                          timeout=session.limit_s, check=False)
    if done.returncode != 0:
        raise RuntimeError("stages.py failed:\n" + done.stderr.decode()[-3000:])
    figures: dict[str, Any] = orjson.loads(done.stdout.splitlines()[-1])
    figures["worker_drain_cpu_us_per_scan"] = worker_cpu_us
    figures["worker_drain_source"] = source
    figures["rest_cpu_us_per_scan"] = round(worker_cpu_us - figures["total_cpu_us_per_scan"], 1)
    return figures


async def bench(base: Settings, args: argparse.Namespace) -> dict[str, Any]:
    sizes = _lists(args)
    lists_dir = CACHE / f"lists-{sizes['sltd']}-{sizes['notice']}-{sizes['smv']}"
    if not (lists_dir / "sltd.ndjson").exists():
        print(f"generating lists into {lists_dir} ...", file=sys.stderr)
        generate_lists(lists_dir, sltd=sizes["sltd"], notices=sizes["notice"], smv=sizes["smv"],
                       seed=42)
    paths = [lists_dir / n for n in ("sltd.ndjson", "notices.ndjson", "smv.ndjson")]
    # Under the deployment prefix `scr`: the keys the worker's Redis user may touch.
    base = base.model_copy(update={"redis_prefix": f"scrbench{int(time.time()) % 100000}"})
    base = with_audit_key(base)
    redis = make_redis(base, socket_timeout=60)
    store = WatchlistStore(redis, base.redis_prefix)
    origin = run_settings(base, args.partitions, "o")
    session = Session(origin, Path(tempfile.mkdtemp(prefix="screening-bench-")), args.timeout,
                      redis)
    load_before = os.getloadavg()
    report = None
    try:
        print(f"loading lists ({sizes}) ...", file=sys.stderr)
        report = await load_files(store, paths, grace_s=0)
        scans = _scans(origin, paths, args.scans, args.hit_share, seed=1)

        print(f"throughput: {args.scans:,} scans, {args.workers} worker(s), "
              f"{args.repeats} run(s) ...", file=sys.stderr)
        drains, settings = await drain_runs(session, base, scans, "a", repeats=args.repeats,
                                         workers=args.workers, partitions=args.partitions,
                                         keep_last=True)
        one = summary(drains)
        procs = drains[-1].procs
        try:
            half = args.rate or max(1.0, one["throughput_scans_per_s"] / 2)
            # Below half the rate too (a quarter among them): where latency stands with
            # headroom to spare, and the highest of these rates within the targets.
            rates = [half] if args.rate else [half * f / SWEEP[-1] for f in SWEEP]
            runs_lat = [await _latency(session, settings, procs, rate, paths=paths, args=args,
                                       seed=2 + i)
                        for i, rate in enumerate(rates)]
            lat = runs_lat[-1]
            rss = max([one["rss_mb"]] + [p.peak_rss_mb() for p in procs])
        finally:
            for p in procs:
                p.stop()
            with contextlib.suppress(Exception):
                await delete_topics(settings)

        async def one_drain(on: Settings, tag: str, **env: str) -> list[Drain]:
            """One drain of the scans, on `on`'s broker, with the workers' extra env."""
            drains, _ = await drain_runs(session, on, scans, tag, repeats=1, workers=args.workers,
                                      partitions=args.partitions, env=env)
            return drains

        async def part_cost(name: str, setting: str, tags: str) -> dict[str, Any]:
            """A part of the worker off (`setting`=false) and on, drained in turns, each
            pair back to back, so that a busy moment of a shared machine weighs on both
            sides alike (the first drains above run straight after the list load, the
            latency runs in between). Nothing when not asked for."""
            if not getattr(args, f"compare_{name}", False):
                return _part_cost(name, {}, {})
            print(f"{name} cost: {args.scans:,} scans, {args.repeats} pair(s) of drains, "
                  f"{setting}=false then true ...", file=sys.stderr)
            off, on = await in_turns(
                args.repeats, lambda tag: one_drain(base, f"{tags[0]}{tag}", **{setting: "false"}),
                lambda tag: one_drain(base, f"{tags[1]}{tag}"))
            return _part_cost(name, off, on)

        audit = await part_cost("audit", "SCREENING_AUDIT_SEARCHES", "nm")
        correlation = await part_cost("correlation", "SCREENING_CORRELATION", "xy")

        baseline: dict[str, Any] = {}
        if not args.no_baseline:
            b_scans = scans[:args.baseline_scans]
            print(f"baseline: {len(b_scans):,} scans, per-scan look-ups ...", file=sys.stderr)
            bdrains, _ = await drain_runs(session, base, b_scans, "b", repeats=args.repeats,
                                       workers=1, partitions=args.partitions,
                                       worker=BaselineWorkerProcess)
            baseline = summary(bdrains)

        async def started_on_backlog(process: type[WorkerProcess], name: str,
                                     tag: str) -> list[Drain]:
            """One drain of the scans by `process` started on them (drains.backlog)."""
            settings = run_settings(base, args.partitions, tag)
            session.runs.append(settings)
            d = await backlog(session, settings, retarget(scans, origin, settings), process,
                              name)
            print(f"  {tag}: {name} {d.rate:,.0f} scans/s, {d.cpu_us_per_scan:.1f} µs CPU/scan",
                  file=sys.stderr)
            with contextlib.suppress(Exception):
                await delete_topics(settings)
            return [d]

        ceiling: dict[str, Any] = {}
        if not args.no_ceiling:
            print(f"Kafka ceiling: {args.scans:,} scans, {args.repeats} run(s) through a "
                  "pass-through process ...", file=sys.stderr)
            ceiling = summary([d for r in range(args.repeats) for d in
                               await started_on_backlog(PassThroughProcess, "pass-through",
                                                        f"c{r}")])

        lean: dict[str, Any] = {}
        paired: dict[str, Any] = {}
        if not args.no_lean:
            print(f"lean job and worker: {args.scans:,} scans, {args.repeats} pair(s) of "
                  "drains, each process started on the backlog ...", file=sys.stderr)
            lean, paired = await in_turns(
                args.repeats, lambda tag: started_on_backlog(LeanProcess, "lean job", f"l{tag}"),
                lambda tag: started_on_backlog(WorkerProcess, "worker", f"k{tag}"))

        stages: dict[str, Any] = {}
        if not args.no_stages:
            print(f"worker CPU by stage: {args.scans:,} scans offline ...", file=sys.stderr)
            stages = _stages(session, base, scans,
                             paired.get("cpu_us_per_scan") or one["cpu_us_per_scan"],
                             "lean pairs" if paired else "throughput drains")

        insecure: dict[str, Any] = {}
        secured: dict[str, Any] = {}
        if args.plaintext_broker:
            # Secured and plaintext drains interleaved, pair by pair, after one warm-up
            # drain on the plaintext broker (its JVM starts cold): a shared machine's load
            # drifts over minutes, and would be timed as the cost of security.
            print(f"security off: {args.scans:,} scans through the plaintext broker "
                  f"{args.plaintext_broker} and Redis without TLS, interleaved with secured "
                  "drains ...", file=sys.stderr)
            plain = base.model_copy(update={
                "broker": args.plaintext_broker, "kafka_security": "plaintext",
                "redis_url": args.plaintext_redis, "redis_ca_file": None})
            await drain_runs(session, plain, scans[:len(scans) // 4], "w", repeats=1,
                          workers=args.workers, partitions=args.partitions)
            secured, insecure = await in_turns(
                args.repeats, lambda tag: one_drain(base, f"s{tag}"),
                lambda tag: one_drain(plain, f"p{tag}"))

        scaling: dict[str, Any] = {}
        if args.scale_workers > 1:
            n, parts = args.scale_workers, args.partitions * args.scale_workers
            print(f"scaling: {args.scans:,} scans, {n} workers, {parts} partitions ...",
                  file=sys.stderr)
            sdrains, _ = await drain_runs(session, base, scans, "s", repeats=1, workers=n,
                                       partitions=parts)
            two = summary(sdrains)
            scaling = {"workers": n, "partitions": parts, **two,
                       "speedup_vs_one_worker": round(
                           two["throughput_scans_per_s"] / one["throughput_scans_per_s"], 2)}

        rate = one["throughput_scans_per_s"]
        base_rate = baseline.get("throughput_scans_per_s", 0.0)
        return {
            "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "throughput_scans_per_s": rate,
            "throughput_runs_scans_per_s": one["runs_scans_per_s"],
            "worker_cpu_us_per_scan": one["cpu_us_per_scan"],
            "redis_cpu_us_per_scan": one["redis_cpu_us_per_scan"],
            "kafka_cpu_us_per_scan": one["kafka_cpu_us_per_scan"],
            "baseline_throughput_scans_per_s": base_rate,
            "baseline_runs_scans_per_s": baseline.get("runs_scans_per_s", []),
            "baseline_cpu_us_per_scan": baseline.get("cpu_us_per_scan", 0.0),
            "speedup_vs_baseline": round(rate / base_rate, 2) if base_rate else None,
            "security": {"kafka": base.kafka_security,
                         "redis_tls": base.redis_url.startswith("rediss://")},
            "security_off_throughput_scans_per_s": insecure.get("throughput_scans_per_s"),
            "security_off_runs_scans_per_s": insecure.get("runs_scans_per_s", []),
            "security_off_cpu_us_per_scan": insecure.get("cpu_us_per_scan"),
            "security_on_runs_scans_per_s": secured.get("runs_scans_per_s", []),
            "security_on_throughput_scans_per_s": secured.get("throughput_scans_per_s"),
            "security_cost": (round(1 - secured["throughput_scans_per_s"]
                                    / insecure["throughput_scans_per_s"], 3)
                              if insecure.get("throughput_scans_per_s") else None),
            "audit_searches": base.audit_searches,
            **audit,
            **correlation,
            "kafka_ceiling_scans_per_s": ceiling.get("throughput_scans_per_s", 0.0),
            "kafka_ceiling_runs_scans_per_s": ceiling.get("runs_scans_per_s", []),
            "kafka_ceiling_cpu_us_per_scan": ceiling.get("cpu_us_per_scan", 0.0),
            "kafka_ceiling_broker_cpu_us_per_scan": ceiling.get("kafka_cpu_us_per_scan", 0.0),
            "share_of_kafka_ceiling": (round(rate / ceiling["throughput_scans_per_s"], 3)
                                       if ceiling.get("throughput_scans_per_s") else None),
            **_lean_figures(lean, paired),
            "worker_stages": stages,
            "latency_ms": lat["latency_ms"],
            "latency_rate_scans_per_s": lat["rate_scans_per_s"],
            "latency_results_missing": lat["results_missing"],
            "latency_worker_cpu_us_per_scan": lat["worker_cpu_us_per_scan"],
            "latency_split": {k: lat[k] for k in ("to_decision_ms", "after_decision_ms")},
            "latency_quarter_rate": runs_lat[SWEEP.index(0.25)] if len(runs_lat) > 1 else {},
            "latency_sweep": [_swept(r) for r in runs_lat],
            "within_targets_scans_per_s": within_targets(runs_lat),
            "worker_rss_mb": round(rss, 1),
            "workers": args.workers,
            "partitions": args.partitions,
            "repeats": args.repeats,
            "scaling": scaling,
            "scans": args.scans,
            "latency_scans": lat["scans"],
            "baseline_scans": 0 if args.no_baseline else min(args.baseline_scans, len(scans)),
            "hit_share": args.hit_share,
            "lists": report.counts,
            "load_seconds": round(report.seconds, 2),
            "batch_size": settings.batch_size,
            "load_average_before": [round(x, 2) for x in load_before],
            "machine": machine(),
        }
    finally:
        for run in session.runs:
            with contextlib.suppress(Exception):
                await delete_topics(run)
        if report is not None:
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
