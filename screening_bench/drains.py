"""Drains of one backlog: through started workers, or through a process started on it.

Shared by every stage of `screening bench` that times a drain (run.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from screening.security.provision import worker_settings
from screening.settings import Settings
from screening_bench.driver import (
    ResultWatcher,
    Scan,
    create_topics,
    delete_topics,
    preload,
    wait_group_stable,
)
from screening_bench.processes import (
    WorkerProcess,
    free_port,
    kafka_broker_pid,
    proc_cpu_seconds,
)


def run_settings(base: Settings, partitions: int, tag: str) -> Settings:
    rid = f"{tag}{int(time.time()) % 100000}"
    return base.model_copy(update={
        "topic_prefix": f"bench{rid}.", "app_id": f"screening-bench{rid}",
        "topic_partitions": partitions, "web_port": free_port()})


def retarget(scans: list[Scan], old: Settings, new: Settings) -> list[Scan]:
    """The same scans, addressed to another run's topics."""
    topics = {old.topic(t): new.topic(t) for t in (old.topic_traveller, old.topic_vehicle)}
    return [(topics[t], k, v, e) for t, k, v, e in scans]


@dataclass
class Session:
    """What every drain of one benchmark run shares."""

    origin: Settings  # the settings the scans were first addressed with (retarget)
    logs: Path  # the workers' logs
    limit_s: float  # a drain taking longer fails the run (--timeout)
    redis: Any  # for the Redis server's CPU time
    runs: list[Settings] = field(default_factory=list)  # each run's topics, deleted at the end


@dataclass
class Drain:
    """One preload-and-drain: the rate a consumer saw and what the workers spent."""

    rate: float
    rss_mb: float
    cpu_us_per_scan: float
    procs: list[WorkerProcess]
    redis_us_per_scan: float = 0.0  # the Redis server's CPU (shared: others' load included)
    kafka_us_per_scan: float = 0.0  # the local broker's CPU, when it runs here
    outcomes: dict[str, int] = field(default_factory=dict)  # results by outcome


async def services_cpu(redis: Any) -> tuple[float, float]:
    info = await redis.info("cpu")
    redis_s = float(info.get("used_cpu_user", 0)) + float(info.get("used_cpu_sys", 0))
    pid = kafka_broker_pid()
    return redis_s, proc_cpu_seconds(pid) if pid else 0.0


async def drain(session: Session, settings: Settings, scans: list[Scan], workers: int, *,
                 keep: bool = False, worker: type[WorkerProcess] = WorkerProcess,
                 env: dict[str, str] | None = None) -> Drain:
    """Start the workers, wait until their group is stable, publish every scan as fast
    as the client can, and time the drain of the backlog left when publishing ends.

    The rate and the workers' CPU time are taken over that window (from the end of
    publishing to the last result), so neither start-up nor the publisher's own CPU
    use is counted. With `keep` the workers are left running."""
    limit_s, redis = session.limit_s, session.redis
    await create_topics(settings, settings.topic_partitions)
    procs = []
    for i in range(workers):
        s = worker_settings(settings).model_copy(update={"web_port": free_port()})
        log = session.logs / f"{settings.app_id}-{i}.log"
        procs.append(worker(s, log, **(env or {})).start())
    try:
        for p in procs:
            p.wait_ready(limit_s)
        await wait_group_stable(settings, workers, limit_s)
        watcher = ResultWatcher(settings)
        await watcher.start()
        arrivals = watcher.expect([s[3] for s in scans])
        await preload(settings, scans)
        published = time.monotonic()
        cpu0 = sum(p.cpu_seconds() for p in procs)
        services0 = await services_cpu(redis)
        deadline = published + limit_s
        while not arrivals.complete and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            if any(p.proc is not None and p.proc.poll() is not None for p in procs):
                raise RuntimeError("a worker died:\n" + procs[0].log_tail())
        cpu1 = sum(p.cpu_seconds() for p in procs)
        rss = max(p.peak_rss_mb() for p in procs)
        services1 = await services_cpu(redis)
        await watcher.stop()
        if not arrivals.complete:
            raise RuntimeError(f"only {len(arrivals.at)} of {len(scans)} results in {limit_s}s")
    except BaseException:
        for p in procs:
            p.stop()
        raise
    if not keep:
        for p in procs:
            p.stop()
    times = sorted(arrivals.at.values())
    after = [t for t in times if t > published]
    if len(after) >= max(2, len(times) // 5):
        start, n = published, len(after)  # a backlog was left: time its drain
    else:
        start, n = times[0], len(times) - 1  # the workers kept up with publishing
    rate = n / (times[-1] - start) if len(times) > 1 and times[-1] > start else 0.0
    per_scan = 1e6 / len(after) if after else 0.0
    return Drain(rate, rss, (cpu1 - cpu0) * per_scan, procs,
                 (services1[0] - services0[0]) * per_scan, (services1[1] - services0[1]) * per_scan)



async def backlog(session: Session, settings: Settings, scans: list[Scan],
                  process: type[WorkerProcess], name: str) -> Drain:
    """The backlog published first, then drained by one process (`process`: a worker,
    or a job of kafkajob.py) started on it: a measure the worker and the hand-written
    jobs take alike, however fast they are (a job outruns any publisher).

    Timed by the results' arrivals, from the first to the last (the rate counts those
    after the first), and the process's CPU from the moment the first arrived: neither
    start-up nor joining the group is counted."""
    limit_s = session.limit_s
    await create_topics(settings, settings.topic_partitions)
    watcher = ResultWatcher(settings)
    await watcher.start()
    arrivals = watcher.expect([s[3] for s in scans])
    await preload(settings, scans)
    as_worker = worker_settings(settings)
    proc = process(as_worker.model_copy(update={"web_port": free_port()}),
                   session.logs / f"{settings.app_id}-{name}.log").start()
    try:
        deadline = time.monotonic() + limit_s
        while not arrivals.at and time.monotonic() < deadline:
            await asyncio.sleep(0.002)
            if proc.proc is not None and proc.proc.poll() is not None:
                raise RuntimeError(f"the {name} died:\n" + proc.log_tail())
        early, cpu0 = len(arrivals.at), proc.cpu_seconds()
        services0 = await services_cpu(session.redis)
        while not arrivals.complete and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
            if proc.proc is not None and proc.proc.poll() is not None:
                raise RuntimeError(f"the {name} died:\n" + proc.log_tail())
        cpu1, services1 = proc.cpu_seconds(), await services_cpu(session.redis)
        rss = proc.peak_rss_mb()
        await watcher.stop()
        if not arrivals.complete:
            raise RuntimeError(f"only {len(arrivals.at)} of {len(scans)} answers in {limit_s}s")
    finally:
        proc.stop()
    times = sorted(arrivals.at.values())
    after = sum(1 for t in times if t > times[0])
    rate = after / (times[-1] - times[0]) if after else 0.0
    per_scan = 1e6 / max(1, len(scans) - early)
    return Drain(rate, rss, (cpu1 - cpu0) * per_scan, [proc],
                 (services1[0] - services0[0]) * per_scan, (services1[1] - services0[1]) * per_scan,
                 outcomes=dict(arrivals.outcomes))

async def drain_runs(session: Session, base: Settings, scans: list[Scan], tag: str, *,
                  repeats: int, workers: int, partitions: int, keep_last: bool = False,
                  worker: type[WorkerProcess] = WorkerProcess,
                  env: dict[str, str] | None = None) -> tuple[list[Drain], Settings]:
    """`repeats` drains on fresh topics under `base`, each by `workers` workers (of class
    `worker`, with `env` added). With `keep_last` the last drain's workers keep running
    and its topics stay, for the latency runs; the settings returned are that drain's."""
    out = []
    settings = session.origin
    for r in range(repeats):
        settings = run_settings(base, partitions, f"{tag}{r}")
        session.runs.append(settings)
        keep = keep_last and r == repeats - 1
        d = await drain(session, settings, retarget(scans, session.origin, settings), workers,
                         keep=keep, worker=worker, env=env)
        print(f"  {tag}{r}: {d.rate:,.0f} scans/s, {d.cpu_us_per_scan:.0f} µs CPU/scan",
              file=sys.stderr)
        out.append(d)
        if not keep:
            with contextlib.suppress(Exception):
                await delete_topics(settings)
    return out, settings



async def in_turns(repeats: int, first: Callable[[str], Awaitable[list[Drain]]],
                    second: Callable[[str], Awaitable[list[Drain]]],
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two set-ups' drains in turns, pair by pair: a shared machine's load drifts over
    minutes, and a busy moment then weighs on both sides alike."""
    firsts: list[Drain] = []
    seconds: list[Drain] = []
    for r in range(repeats):
        firsts += await first(f"{r}-")
        seconds += await second(f"{r}-")
    return summary(firsts), summary(seconds)



def summary(drains: list[Drain]) -> dict[str, Any]:
    return {"throughput_scans_per_s": round(statistics.median(d.rate for d in drains), 1),
            "runs_scans_per_s": [round(d.rate, 1) for d in drains],
            "cpu_us_per_scan": round(statistics.median(d.cpu_us_per_scan for d in drains), 1),
            "redis_cpu_us_per_scan": round(
                statistics.median(d.redis_us_per_scan for d in drains), 1),
            "kafka_cpu_us_per_scan": round(
                statistics.median(d.kafka_us_per_scan for d in drains), 1),
            "rss_mb": round(max(d.rss_mb for d in drains), 1),
            "outcomes": drains[0].outcomes}  # the same scans: the same outcomes each time
