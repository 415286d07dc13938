"""Edge benchmark: the HTTPS round trip through `screening edge` against the direct Kafka
path in the same run, offline answers from the snapshot, and the snapshot's memory.

    python -m screening_bench.edge [--rate 500] [--seconds 20] [--out bench/results]

Needs the shared Kafka and Redis (`make services`) and runs as `admin` (the Makefile's
bench targets export `screening security client-config admin --format env`). One worker
(subprocess) answers both paths; the edge (subprocess) connects as `site-default`.

- online: scans paced at --rate, first posted to the edge by keep-alive HTTPS clients
  (latency: request sent to answer read), then the same number published straight to
  Kafka (latency: send to the result read off the results topic);
- offline: a second edge whose broker address answers nothing, answering from its copy
  of the lists' current version in Redis (edge/copy.py; it starts from the signed files
  and swaps): paced at --offline-rate (p50/p99), then a closed loop of --concurrency
  clients for the most it answers a second;
- memory: the edge process's resident memory with --snapshot-sltd SLTD records, less
  an edge with 100, scaled to a million: once from the signed files (snapshot.py, one
  Python object per entry) and once copied from Redis (copy.py, packed digests); then
  the copy's signed file on disk (saved.py) and an edge restarted from it without Redis.

The machine's load average is written with the figures (at each phase's start).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import ssl
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import orjson

from screening.edge.terminals import add_terminal
from screening.mockdata.lists import generate_lists
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.redis_client import make_redis
from screening.security.provision import worker_settings
from screening.security.secretsdir import (
    SecretsDir,
    principal_settings,
    redis_user_settings,
)
from screening.settings import Settings
from screening.watchlists import signing
from screening.watchlists.loader import load_files
from screening.watchlists.store import WatchlistStore
from screening_bench.driver import ResultWatcher, create_topics, delete_topics, paced
from screening_bench.processes import (
    EdgeProcess,
    WorkerProcess,
    free_port,
    with_audit_key,
)
from screening_bench.report import machine, percentiles

IDS = ("terminal_id", "checkpoint_id")
Post = tuple[str, dict[str, Any]]  # (kind, scan without the ids the edge sets)


def _scans(paths: list[Path], n: int, seed: int) -> list[Post]:
    factory = ScanFactory(seed=seed, sample=sample_from_files(paths, per_list=300, seed=seed))
    return [(kind, {k: v for k, v in payload.items() if k not in IDS})
            for kind, payload, _ in factory.mixed(n, hit_share=0.05, vehicle_share=0.3)
            if isinstance(payload, dict)]


class Client:
    """Keep-alive HTTPS terminals: one connection pool, one token."""

    def __init__(self, edge: EdgeProcess, token: str, ca: Path, connections: int) -> None:
        self.edge, self.token = edge, token
        self.ssl = ssl.create_default_context(cafile=str(ca))
        self.connections = connections
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Client:
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(
            ssl=self.ssl, limit=self.connections, keepalive_timeout=60))
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def post(self, kind: str, scan: dict[str, Any]) -> tuple[float, int, str]:
        """(seconds, status, outcome): `hit_offline` and the like for offline answers."""
        assert self.session is not None
        began = time.monotonic()
        async with self.session.post(
                f"{self.edge.url}/v1/scans/{kind}", data=orjson.dumps(scan),
                headers={"Authorization": f"Bearer {self.token}",
                         "Content-Type": "application/json"}) as resp:
            body = orjson.loads(await resp.read())
        outcome = str(body.get("outcome", body.get("code")))
        if "OFFLINE" in body.get("warnings", ()):
            outcome += "_offline"
        return time.monotonic() - began, resp.status, outcome


async def _paced_posts(client: Client, scans: list[Post], rate: float) -> dict[str, Any]:
    loop_start = time.monotonic()

    async def one(i: int, kind: str, scan: dict[str, Any]) -> tuple[float, int, str]:
        await asyncio.sleep(max(0.0, loop_start + i / rate - time.monotonic()))
        return await client.post(kind, scan)

    done = await asyncio.gather(*(one(i, k, s) for i, (k, s) in enumerate(scans)))
    took = time.monotonic() - loop_start
    return _summary(done, took, rate)


def _summary(done: list[tuple[float, int, str]], took: float,
             rate: float | None) -> dict[str, Any]:
    outcomes: dict[str, int] = {}
    for _, status, outcome in done:
        key = outcome if status == 200 else f"http_{status}"
        outcomes[key] = outcomes.get(key, 0) + 1
    return {"rate_target": rate, "scans": len(done), "rate_achieved": round(len(done) / took),
            "latency_ms": percentiles([t for t, status, _ in done if status == 200]),
            "outcomes": outcomes}


async def _closed_loop(client: Client, scans: list[Post], concurrency: int) -> dict[str, Any]:
    queue = list(reversed(scans))
    done: list[tuple[float, int, str]] = []

    async def worker() -> None:
        while queue:
            kind, scan = queue.pop()
            done.append(await client.post(kind, scan))

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    summary = _summary(done, time.monotonic() - started, None)
    summary["concurrency"] = concurrency
    return summary


async def _direct(settings: Settings, posts: list[Post], rate: float) -> dict[str, Any]:
    """The same scans published straight to Kafka, timed to their result."""
    topics = {"traveller": settings.topic(settings.topic_traveller),
              "vehicle": settings.topic(settings.topic_vehicle)}
    scans = []
    for kind, scan in posts:
        body = {**scan, "terminal_id": "T-DIRECT", "checkpoint_id": "CP-BENCH"}
        scans.append((topics[kind], b"T-DIRECT", orjson.dumps(body), str(scan["event_id"])))
    watcher = ResultWatcher(settings)
    await watcher.start()
    try:
        arrivals = watcher.expect([s[3] for s in scans])
        started = time.monotonic()
        sent = await paced(settings, scans, rate)
        took = time.monotonic() - started
        await watcher.wait(60)
    finally:
        await watcher.stop()
    latencies = [arrivals.at[e] - sent[e] for e in arrivals.at if e in sent]
    return {"rate_target": rate, "scans": len(scans), "rate_achieved": round(len(scans) / took),
            "answered": len(arrivals.at), "latency_ms": percentiles(latencies),
            "outcomes": arrivals.outcomes}


def _fresh(posts: list[Post]) -> list[Post]:
    """The same scans under new event ids (a scan is answered once per event id)."""
    return [(k, {**s, "event_id": uuid.uuid4().hex}) for k, s in posts]


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rid = uuid.uuid4().hex[:6]
    work = Path(tempfile.mkdtemp(prefix=f"edgebench-{rid}-"))
    feed_key = signing.new_key()
    base = Settings()
    settings = base.model_copy(update={
        "topic_prefix": f"edgebench{rid}.", "app_id": f"screening-edgebench{rid}",
        "redis_prefix": f"scredgebench{rid}", "web_port": free_port(), "version_grace_s": 0.0,
        "feed_keys": signing.trusted_line(feed_key.public_key(), "bench").decode()})
    secrets = SecretsDir(Path(settings.secrets_dir))
    lists = work / "lists"
    paths = list(generate_lists(lists, sltd=args.sltd, notices=2000, smv=5000,
                                seed=7).values())
    signing.sign_files(paths, feed_key)
    redis = make_redis(settings)
    store = WatchlistStore(redis, settings.redis_prefix)
    started: list[Any] = []
    figures: dict[str, Any] = {"machine": machine(), "at": datetime.now(UTC).isoformat(),
                               "rate": args.rate, "seconds": args.seconds,
                               "sltd_records": args.sltd}
    # The machine is shared: its load average as each phase begins, beside the figures.
    load = figures["load"] = {"start": os.getloadavg()}
    try:
        await load_files(store, paths, grace_s=0)
        await create_topics(settings, settings.topic_partitions)
        worker = WorkerProcess(with_audit_key(worker_settings(settings)),
                               work / "worker.log").start()
        started.append(worker)
        worker.wait_ready()
        terminals = work / "terminals"
        token = add_terminal(terminals, "T-BENCH", "CP-BENCH")
        site = principal_settings(settings, "site-default")
        online = EdgeProcess(site.model_copy(update={
            "edge_refresh_s": 0.0,  # the worker answers: its files suffice
            "edge_port": free_port(), "edge_terminals_file": terminals,
            "edge_data_dir": work / "edge-online", "edge_snapshot_dir": lists,
            "edge_rate_per_terminal": 1e6, "edge_burst_per_terminal": 1_000_000}),
            work / "edge-online.log").start()
        started.append(online)
        online.wait_serving()
        await asyncio.sleep(3)  # the worker's partitions assigned
        n = int(args.rate * args.seconds)
        posts = _scans(paths, n, seed=11)
        async with Client(online, token, secrets.ca_cert, args.concurrency) as client:
            await _paced_posts(client, _fresh(posts[:200]), 100.0)  # warm up
            load["online"] = os.getloadavg()
            figures["online_edge"] = await _paced_posts(client, _fresh(posts), args.rate)
        figures["online_direct_kafka"] = await _direct(settings, _fresh(posts), args.rate)

        offline = EdgeProcess(redis_user_settings(site, "edge").model_copy(update={
            "broker": f"kafka://127.0.0.1:{free_port()}", "edge_port": free_port(),
            "edge_terminals_file": terminals, "edge_data_dir": work / "edge-offline",
            "edge_snapshot_dir": lists, "edge_rate_per_terminal": 1e6, "edge_refresh_s": 1.0,
            "edge_burst_per_terminal": 1_000_000}), work / "edge-offline.log").start()
        started.append(offline)
        offline.wait_serving(120)
        current = (await store.current_version()).id
        await _until_version(offline, secrets.ca_cert, current)
        figures["offline_reader"] = f"copy of Redis version {current}"
        figures["snapshot_edge_rss_mb"] = round(offline.rss_mb(), 1)
        off_posts = _scans(paths, int(args.offline_rate * args.seconds), seed=12)
        async with Client(offline, token, secrets.ca_cert, args.concurrency) as client:
            await _paced_posts(client, _fresh(off_posts[:200]), 100.0)
            load["offline"] = os.getloadavg()
            figures["offline_paced"] = await _paced_posts(client, _fresh(off_posts),
                                                          args.offline_rate)
            figures["offline_max"] = await _closed_loop(client, _fresh(off_posts),
                                                        args.concurrency)
        load["offline_end"] = os.getloadavg()
        figures["snapshot"] = await _snapshot_memory(site, work, args.snapshot_sltd)
        figures["copy"] = await _copy_memory(settings, site, work, args.snapshot_sltd)
    finally:
        for proc in reversed(started):
            proc.stop()
        async for key in redis.scan_iter(match=f"{settings.redis_prefix}:*", count=1000):
            await redis.unlink(key)
        async for key in redis.scan_iter(match=f"{{{settings.redis_prefix}}}:*", count=1000):
            await redis.unlink(key)
        await redis.aclose()
        await delete_topics(settings)
    return figures


async def _snapshot_memory(site: Settings, work: Path, sltd: int) -> dict[str, Any]:
    """Resident memory of an edge holding `sltd` SLTD records, less one holding 100."""
    feed_key = signing.new_key()
    rss: dict[int, float] = {}
    for size in (100, sltd):
        folder = work / f"snap-{size}"
        generate_lists(folder, sltd=size, notices=0, smv=0, event=0, seed=5)
        for empty in [p for p in folder.glob("*.ndjson") if p.stat().st_size == 0]:
            empty.unlink()
        signing.sign_files(folder.glob("*.ndjson"), feed_key)
        edge = EdgeProcess(site.model_copy(update={
            "broker": f"kafka://127.0.0.1:{free_port()}", "edge_port": free_port(),
            "edge_refresh_s": 0.0,  # the files alone
            "edge_data_dir": work / f"edge-snap-{size}", "edge_snapshot_dir": folder,
            "feed_keys": signing.trusted_line(feed_key.public_key(), "bench").decode()}),
            work / f"edge-snap-{size}.log").start()
        began = time.monotonic()
        try:
            edge.wait_serving(1800)
            load_s = time.monotonic() - began
            rss[size] = edge.rss_mb()
        finally:
            edge.stop()
    file_mb = sum(p.stat().st_size for p in (work / f"snap-{sltd}").glob("*.ndjson")) / 1e6
    per_million = (rss[sltd] - rss[100]) * 1_000_000 / (sltd - 100)
    return {"sltd_records": sltd, "rss_mb": round(rss[sltd], 1),
            "rss_mb_per_million_sltd": round(per_million), "load_s": round(load_s, 1),
            "files_mb_per_million_sltd": round(file_mb * 1_000_000 / sltd)}


async def _until_version(edge: EdgeProcess, ca: Path, version: str,
                         within_s: float = 600.0) -> None:
    """Until the edge screens with `version` (its health says so)."""
    deadline = time.monotonic() + within_s
    context = ssl.create_default_context(cafile=str(ca))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=context)) as http:
        while True:
            async with http.get(f"{edge.url}/v1/health") as resp:
                now = (await resp.json())["snapshot_version"]
            if now == version:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the edge screens with {now}, not {version}")
            await asyncio.sleep(0.5)


async def _copy_memory(settings: Settings, site: Settings, work: Path,
                       sltd: int) -> dict[str, Any]:
    """Resident memory of an edge screening with its copy of a Redis version of `sltd`
    SLTD records (no files), less one whose version holds 100; and the copy's time."""
    rss: dict[int, float] = {}
    took: dict[int, float] = {}
    saved: dict[str, Any] = {}
    for size in (100, sltd):
        prefix = f"{settings.redis_prefix}c{size}"
        folder = work / f"copy-{size}"
        paths = [p for p in generate_lists(folder, sltd=size, notices=0, smv=0, event=0,
                                           seed=5).values() if p.stat().st_size]
        redis = make_redis(settings)
        try:
            store = WatchlistStore(redis, prefix)
            await load_files(store, paths, grace_s=0)
            version = (await store.current_version()).id
            copying = redis_user_settings(site, "edge").model_copy(update={
                "redis_prefix": prefix, "broker": f"kafka://127.0.0.1:{free_port()}",
                "edge_port": free_port(), "edge_data_dir": work / f"edge-copy-{size}",
                "edge_snapshot_dir": None, "edge_refresh_s": 1.0,
                "edge_snapshot_key_file": work / "snapshot.key"})
            edge = EdgeProcess(copying, work / f"edge-copy-{size}.log").start()
            try:
                edge.wait_serving(120)
                began = time.monotonic()
                await _until_version(edge, SecretsDir(Path(settings.secrets_dir)).ca_cert,
                                     version)
                took[size] = time.monotonic() - began
                rss[size] = edge.rss_mb()
            finally:
                edge.stop()
            if size == sltd:
                saved = await _restart_from_saved(copying, version, work / "edge-saved.log")
        finally:
            async for key in redis.scan_iter(match=f"{prefix}:*", count=1000):
                await redis.unlink(key)
            async for key in redis.scan_iter(match=f"{{{prefix}}}:*", count=1000):
                await redis.unlink(key)
            await redis.aclose()
    per_million = (rss[sltd] - rss[100]) * 1_000_000 / (sltd - 100)
    return {"sltd_records": sltd, "rss_mb": round(rss[sltd], 1),
            "rss_mb_per_million_sltd": round(per_million), "copy_s": round(took[sltd], 1),
            "saved": saved}


async def _restart_from_saved(edge_settings: Settings, version: str,
                              log: Path) -> dict[str, Any]:
    """The saved copy (edge/saved.py) of the edge that just copied `version`: its size,
    and an edge restarted without Redis and broker: time to serve with that version."""
    path = Path(edge_settings.edge_data_dir) / f"{edge_settings.edge_site}.lists"
    for _ in range(600):  # written just after the swap
        if path.exists():
            break
        await asyncio.sleep(0.1)
    size = path.stat().st_size
    cut = edge_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})
    began = time.monotonic()
    edge = EdgeProcess(cut, log).start()
    try:
        edge.wait_serving(600)
        await _until_version(edge, SecretsDir(Path(edge_settings.secrets_dir)).ca_cert,
                             version)
        return {"bytes": size, "restored_s": round(time.monotonic() - began, 1),
                "rss_mb": round(edge.rss_mb(), 1)}
    finally:
        edge.stop()


def markdown(f: dict[str, Any]) -> str:
    def row(name: str, r: dict[str, Any]) -> str:
        lat = r["latency_ms"]
        return (f"| {name} | {r.get('rate_target') or 'max'} | {r['rate_achieved']} | "
                f"{lat['p50']} | {lat['p99']} | {lat['max']} |")

    s, c = f["snapshot"], f["copy"]
    return "\n".join([
        f"# Edge benchmark ({f['at'][:19]}Z)", "",
        f"{f['sltd_records']} SLTD records (+ notices, SMV, event lists) loaded; one worker; "
        "HTTPS keep-alive clients on the same machine.", "",
        "| path | target scans/s | achieved | p50 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
        row("edge, online (HTTPS to the worker's answer)", f["online_edge"]),
        row("direct Kafka (send to result read)", f["online_direct_kafka"]),
        row("edge, offline (snapshot), paced", f["offline_paced"]),
        row(f"edge, offline, {f['offline_max']['concurrency']} clients closed loop",
            f["offline_max"]), "",
        f"Snapshot: {s['sltd_records']} SLTD records: edge RSS {s['rss_mb']} MB, loaded in "
        f"{s['load_s']} s; **{s['rss_mb_per_million_sltd']} MB of memory per million SLTD "
        f"records** (signed NDJSON files: {s['files_mb_per_million_sltd']} MB per million).",
        "",
        f"Copy of the Redis version (packed digests, edge/copy.py): {c['sltd_records']} SLTD "
        f"records: edge RSS {c['rss_mb']} MB, copied in {c['copy_s']} s; **"
        f"{c['rss_mb_per_million_sltd']} MB of memory per million SLTD records**. Offline "
        f"answers above: {f.get('offline_reader', 'the files')}.",
        "",
        *([f"Saved copy (edge/saved.py, signed, on disk): {c['saved']['bytes'] / 1e6:.1f} MB "
           f"for {c['sltd_records']} SLTD records "
           f"({c['saved']['bytes'] * 1_000_000 / c['sltd_records'] / 1e6:.0f} MB per "
           f"million); an edge restarted from it without Redis and broker answered with "
           f"its version {c['saved']['restored_s']} s after its start (RSS "
           f"{c['saved']['rss_mb']} MB).", ""] if c.get("saved") else []),
        "Load average (1, 5, 15 min) of the shared machine at each phase: "
        + "; ".join(f"{phase} {' '.join(f'{x:.1f}' for x in load)}"
                    for phase, load in f.get("load", {}).items()) + ".",
        ""])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screening_bench.edge")
    p.add_argument("--rate", type=float, default=500.0, help="online scans/s (default 500)")
    p.add_argument("--offline-rate", type=float, default=200.0,
                   help="offline paced scans/s (default 200)")
    p.add_argument("--seconds", type=float, default=20.0, help="length of each phase")
    p.add_argument("--concurrency", type=int, default=32, help="HTTPS connections")
    p.add_argument("--sltd", type=int, default=50_000, help="SLTD records of the run's lists")
    p.add_argument("--snapshot-sltd", type=int, default=200_000,
                   help="SLTD records of the snapshot whose memory is measured")
    p.add_argument("--out", type=Path, default=Path("bench/results"))
    args = p.parse_args(argv)
    figures = asyncio.run(run(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "edge.json").write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))
    (args.out / "edge.md").write_text(markdown(figures))
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
