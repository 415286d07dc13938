"""Watchlist benchmark: Redis memory per record, bulk-load rate, live-update latency.

    python -m screening_bench.watchlists [--ten-million] [--no-latency] [--out bench/results]

Memory and load rate are measured on a Redis server of its own (started here on a
free port, no persistence, stopped after), so that INFO's used_memory moves only with
what the load writes: each list is loaded alone into an empty server and its
used_memory delta divided by its records. MEMORY USAGE sampled over buckets (what
`screening watchlists stats` shows) is reported beside it.

Update latency needs the shared Kafka and Redis (`make services`): a worker screens
scans paced at --rate while updates are published with issued_at = now; the p50/p99
come from the worker's own histogram (screening_watchlist_update_latency_seconds),
interpolated within its buckets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from redis.asyncio import Redis

from screening.mockdata.lists import generate_lists
from screening.mockdata.scans import ScanFactory, sample_from_files
from screening.models import WatchlistUpdate
from screening.redis_client import make_redis
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from screening.watchlists import signing
from screening.watchlists.lists import LISTS
from screening.watchlists.loader import load_files
from screening.watchlists.stats import collect_stats, table_bytes
from screening.watchlists.store import WatchlistStore
from screening.watchlists.updates import apply_updates
from screening_bench.driver import Scan, create_topics, delete_topics, paced
from screening_bench.processes import WorkerProcess, free_port, with_audit_key
from screening_bench.report import machine

LIST_FILES = {"sltd": "sltd.ndjson", "notice": "notices.ndjson", "smv": "smv.ndjson"}


@contextlib.contextmanager
def own_redis(workdir: Path) -> Iterator[int]:
    """A redis-server of our own on a free port, stopped (and its files left) after."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no", "--dir", str(workdir),
                             # as scripts/redis.sh configures the project's Redis
                             "--hash-max-listpack-value", "128"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                             text=True).stdout.strip() != "PONG":
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the benchmark's own redis-server did not start")
            time.sleep(0.1)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def lists_for(sltd: int, notices: int, smv: int, cache: Path) -> dict[str, Path]:
    """Generated lists, kept under `cache` so a second run does not generate again."""
    out = cache / f"sltd{sltd}-notices{notices}-smv{smv}"
    if not all((out / name).is_file() for name in LIST_FILES.values()):
        generate_lists(out, sltd=sltd, notices=notices, smv=smv, seed=1)
    return {lst: out / name for lst, name in LIST_FILES.items()}


async def _redis_cpu(redis: Redis) -> float:
    info = await redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


async def measure_list(port: int, name: str, path: Path, workers: int | None) -> dict[str, Any]:
    redis = Redis(port=port)
    try:
        await redis.flushall()  # our own server: nobody else's data
        await asyncio.sleep(0.2)
        before = int((await redis.info("memory"))["used_memory"])
        cpu_before = await _redis_cpu(redis)
        own_before = time.process_time()
        store = WatchlistStore(redis, "bench")
        report = await load_files(store, [path], grace_s=0, workers=workers)
        own_cpu = time.process_time() - own_before
        redis_cpu = await _redis_cpu(redis) - cpu_before
        after = int((await redis.info("memory"))["used_memory"])
        stats = await collect_stats(store)
        config: dict[Any, Any] = dict(await redis.config_get("hash-max-listpack-*"))
        records = report.counts[name]
        max_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        grown = await _grow(redis, store, name, path, records)
        return {**grown,
            "list": name, "records": records, "used_memory_delta": after - before,
            "bytes_per_record": round((after - before) / records, 1) if records else None,
            "sampled_bytes_per_record": stats["lists"][name]["bytes_per_record"],
            "load_seconds": round(report.seconds, 2),
            "load_records_per_s": round(records / report.seconds) if report.seconds else None,
            "workers": workers, "redis_keys": await redis.dbsize(),
            # CPU per record: Redis's own (one thread: its ceiling is 1e6 / this records/s)
            # and this process's (all the parsing when workers == 0).
            "redis_cpu_us_per_record": round(redis_cpu / records * 1e6, 2) if records else None,
            "loader_cpu_us_per_record": round(own_cpu / records * 1e6, 2) if records else None,
            # Peak RSS of this process so far (loads run smallest first: a figure that
            # stays put from 1 M to 10 M records is memory bounded whatever the size).
            "loader_max_rss_mb": max_rss_mb,
            "server_config": {str(k): str(v) for k, v in config.items()},
        }
    finally:
        await redis.aclose()


def _new_records(path: Path, start: int, count: int) -> list[WatchlistUpdate]:
    """Upserts of the file's records start..start+count under new ids."""
    updates: list[WatchlistUpdate] = []
    with open(path, "rb") as fh:
        for n, line in enumerate(fh):
            if n < start:
                continue
            if n >= start + count:
                break
            data = orjson.loads(line)
            data["id"] = f"{data['id']}+"
            updates.append(WatchlistUpdate.model_validate({
                "update_id": uuid.uuid4().hex, "op": "upsert",
                "issued_at": datetime.now(UTC), "record": data}))
    return updates


GROWTH = 0.2  # live upserts of new records after the load, as a share of the records


async def _grow(redis: Redis, store: WatchlistStore, name: str, path: Path,
                records: int) -> dict[str, Any]:
    """Upsert GROWTH × records new records live (copies of the file's first lines under
    new ids), then memory per record again, and how many sampled buckets left the
    listpack encoding (buckets are sized for this growth at load time)."""
    want = int(records * GROWTH)
    if not want:
        return {}
    version = await store.current_version(refresh=True)
    before = await _encodings(redis, version.id, name, version.buckets)
    done = 0
    for start in range(0, want, 10_000):  # read and applied in parts: memory stays flat
        updates = await asyncio.to_thread(_new_records, path, start, min(10_000, want - start))
        for part in range(0, len(updates), 1000):
            await apply_updates(store, updates[part:part + 1000])
        done += len(updates)
    version = await store.current_version(refresh=True)
    # The list's tables only (sampled, as `stats` measures them): live updates also keep
    # their journal and stamps, which are not the layout's.
    size = 0.0
    for table in LISTS[name].layout.tables:
        size += await table_bytes(store, version.id, table, version.buckets[table])
    after = await _encodings(redis, version.id, name, version.buckets)
    # A bucket that left the listpack encoding with the growth (the question), apart
    # from those that were hashtables from the load on (a value over the server's
    # hash-max-listpack-value: a notice's profile, a name key shared by many notices).
    left = sum(1 for k, e in after.items() if e == "hashtable" and before.get(k) == "listpack")
    loaded = sum(1 for k in after if before.get(k) == "hashtable")
    return {"grown_records": records + done,
            "grown_sampled_bytes_per_record": round(size / (records + done), 1),
            "grown_hashtable_buckets": f"{left}/{len(after)}",
            "loaded_hashtable_buckets": loaded}


async def _encodings(redis: Redis, vid: str, name: str, buckets: dict[str, int]
                     ) -> dict[str, str]:
    """The encoding of a sample of the list's buckets (64 of each table, evenly spread)."""
    out = {}
    for table in LISTS[name].layout.tables:
        n = buckets[table]
        for b in range(0, n, max(1, n // 64)):
            key = f"bench:{vid}:{table}:{b}"
            encoding = await redis.object("encoding", key)
            if encoding is not None:
                out[key] = encoding.decode() if isinstance(encoding, bytes) else str(encoding)
    return out


async def memory_and_load(sizes: list[int], notices: int, smv: int, workers: int | None,
                          cache: Path, lists: tuple[str, ...] = tuple(LIST_FILES)
                          ) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp, own_redis(Path(tmp)) as port:
        for n in sizes:
            paths = lists_for(n, notices, smv, cache)
            runs = [(name, workers) for name in LIST_FILES if name in lists]
            if workers != 0 and n == sizes[0]:
                # Each list in-process too: all of its parsing's CPU per record in the
                # loader's column, a figure that other load on the machine hardly moves.
                runs = [run for name, w in runs for run in ((name, w), (name, 0))]
            for name, w in runs:
                row = await measure_list(port, name, paths[name], w)
                row["set"] = f"{n:,} SLTD"
                rows.append(row)
                print(f"{row['set']}: {name} {row['bytes_per_record']} B/record, "
                      f"{row['load_records_per_s']} records/s", file=sys.stderr)
    return rows


# -- live-update latency ------------------------------------------------------------

def _histogram(metrics: str, name: str) -> list[tuple[float, float]]:
    out = []
    for line in metrics.splitlines():
        if line.startswith(f"{name}_bucket{{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            out.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
    return sorted(out)


def quantile(buckets: list[tuple[float, float]], q: float) -> float | None:
    """Prometheus' histogram_quantile: linear within the bucket holding the rank."""
    if not buckets or buckets[-1][1] == 0:
        return None
    rank = q * buckets[-1][1]
    lower, below = 0.0, 0.0
    for upper, count in buckets:
        if count >= rank:
            if upper == float("inf"):
                return lower
            return lower + (upper - lower) * (rank - below) / max(count - below, 1e-9)
        lower, below = upper, count
    return lower


async def _publish_updates(settings: Settings, records: list[dict[str, Any]], rate: float,
                           seconds: float, key: Ed25519PrivateKey) -> int:
    producer = AIOKafkaProducer(**aiokafka_options(settings), linger_ms=0)
    await producer.start()
    sent = 0
    try:
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            record = records[sent % len(records)]
            op = "delete" if sent % 2 else "upsert"
            body = record if op == "upsert" else {"list": "sltd", "id": record["id"]}
            update = {"update_id": uuid.uuid4().hex, "op": op,
                      "issued_at": datetime.now(UTC).isoformat(), "record": body}
            await producer.send(settings.topic(settings.topic_updates),
                                orjson.dumps(signing.sign_update(update, key)),
                                key=f"sltd:{record['id']}".encode())
            sent += 1
            await asyncio.sleep(max(0.0, started + sent / rate - time.monotonic()))
        await producer.flush()
    finally:
        await producer.stop()
    return sent


async def update_latency(base: Settings, rate: float, *, seconds: float, update_rate: float,
                         sltd: int, cache: Path, logs: Path) -> dict[str, Any]:
    """One worker screening scans paced at `rate` for `seconds` while SLTD updates are
    published at `update_rate`, with `sltd` records loaded (lists cached in `cache`)."""
    rid = uuid.uuid4().hex[:6]
    feed_key = signing.new_key()  # the run's own feed key: its worker trusts it
    settings = base.model_copy(update={
        "topic_prefix": f"wlbench{rid}.", "app_id": f"screening-wlbench{rid}",
        "redis_prefix": f"scrwlbench{rid}", "web_port": free_port(), "version_grace_s": 0.0,
        "feed_keys": signing.trusted_line(feed_key.public_key(), "bench").decode()})
    paths = lists_for(sltd, 20_000, 50_000, cache)
    redis = make_redis(settings)
    # The load on a client of its own with a timeout for bulk writes: the scans' budget
    # (redis_timeout_s) is not a bulk write's on a machine others load too.
    loading = make_redis(settings.model_copy(update={"redis_timeout_s": 30.0}))
    worker = None
    try:
        try:
            await load_files(WatchlistStore(loading, settings.redis_prefix),
                             list(paths.values()), grace_s=0)
        finally:
            await loading.aclose()
        await create_topics(settings, settings.topic_partitions)
        factory = ScanFactory(seed=3, sample=sample_from_files(list(paths.values()), per_list=500,
                                                               seed=3))
        topics = {"traveller": settings.topic(settings.topic_traveller),
                  "vehicle": settings.topic(settings.topic_vehicle)}
        scans: list[Scan] = []
        for kind, payload, expect in factory.mixed(int(rate * seconds), hit_share=0.05,
                                                   vehicle_share=0.3):
            assert isinstance(payload, dict) and expect.event_id
            scans.append((topics[kind], str(payload["terminal_id"]).encode(),
                          orjson.dumps(payload), expect.event_id))
        fresh = [{"list": "sltd", "id": f"UPD-{i}", "document_number": f"UP{i:07d}",
                  "issuing_state": "FRA", "document_type": "P", "status": "stolen"}
                 for i in range(500)]
        worker = WorkerProcess(with_audit_key(settings), logs / f"wlbench-{rid}.log").start()
        worker.wait_ready()
        await asyncio.sleep(3)  # partitions assigned
        started = time.monotonic()
        _, updates = await asyncio.gather(paced(settings, scans, rate),
                                          _publish_updates(settings, fresh, update_rate, seconds,
                                                           feed_key))
        took = time.monotonic() - started
        await asyncio.sleep(3)
        metrics = worker.metrics()
        buckets = _histogram(metrics, "screening_watchlist_update_latency_seconds")
        screened = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                       if line.startswith("screening_scans_total{"))
        p50, p99 = quantile(buckets, 0.5), quantile(buckets, 0.99)
        return {
            "scan_rate_target": rate, "scans_sent": len(scans),
            "scan_rate_sent": round(len(scans) / took), "scans_screened": int(screened),
            "updates_sent": updates, "updates_applied": int(buckets[-1][1]) if buckets else 0,
            "p50_ms": round(p50 * 1000, 1) if p50 is not None else None,
            "p99_ms": round(p99 * 1000, 1) if p99 is not None else None,
            "buckets": [[le if le != float("inf") else "+Inf", c] for le, c in buckets],
            "sltd_records": sltd,
        }
    finally:
        if worker is not None:
            worker.stop()
        async for key in redis.scan_iter(match=f"{settings.redis_prefix}:*", count=1000):
            await redis.unlink(key)
        async for key in redis.scan_iter(match=f"{{{settings.redis_prefix}}}:*", count=1000):
            await redis.unlink(key)
        await redis.aclose()
        await delete_topics(settings)


def _at_load(row: dict[str, Any]) -> str:
    n = row.get("loaded_hashtable_buckets")
    return f" ({n} from the load)" if n else ""


def markdown(f: dict[str, Any]) -> str:
    m = f["machine"]
    lines = [
        "# Watchlist benchmark", "",
        f"Run {f['run_at']} on {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB, "
        f"Redis {m['redis']}, Python {m['python']}, load average "
        f"{'/'.join(f'{x:.2f}' for x in m['load_average'])} at the start.",
        "", "## Redis memory per record and load rate", "",
        *([f"(Kept from the run of {f['memory_run_at']}: this run skipped it.)", ""]
          if f.get("memory_run_at") else []),
        *([f"(Rows of {', '.join(f['memory_kept']['lists'])} kept from the run of "
           f"{f['memory_kept']['run_at']}: this run measured "
           f"{', '.join(sorted({r['list'] for r in f['memory']} - set(f['memory_kept']['lists'])))}"
           " only.)", ""] if f.get("memory_kept") else []),
        "Each list loaded alone into an empty redis-server of the benchmark's own; bytes per "
        "record = INFO used_memory delta / records (sampled MEMORY USAGE beside it).", "",
        "CPU µs/record: Redis's own (one thread, so its ceiling is 10⁶/that records/s) and "
        "the loading process's (all of the parsing when workers = 0). Loader max RSS: the "
        "benchmark process's peak so far, loads run smallest first.", "",
        f"After the load, {GROWTH:.0%} more records upserted live: the list's tables' bytes "
        "per record again (sampled; the updates' journal and stamps are not the layout's), "
        "and how many of the sampled buckets left the listpack encoding (none should: "
        "buckets are sized for that growth); in brackets, sampled buckets that were "
        "hashtables from the load on (a value longer than hash-max-listpack-value).", "",
        "| set | list | records | bytes/record | sampled | load s | records/s | workers "
        "| Redis CPU µs/rec | loader CPU µs/rec | loader max RSS MB | +20 %: sampled "
        "| +20 %: hashtable buckets |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in f["memory"]:
        workers = "auto" if r["workers"] is None else r["workers"]
        lines.append(f"| {r['set']} | {r['list']} | {r['records']:,} | {r['bytes_per_record']} | "
                     f"{r['sampled_bytes_per_record']} | {r['load_seconds']} | "
                     f"{r['load_records_per_s']:,} | {workers} | "
                     f"{r['redis_cpu_us_per_record']} | {r['loader_cpu_us_per_record']} | "
                     f"{r.get('loader_max_rss_mb', '?')} | "
                     f"{r.get('grown_sampled_bytes_per_record', '–')} | "
                     f"{r.get('grown_hashtable_buckets', '–')}"
                     f"{_at_load(r)} |")
    if f["memory"]:
        cfg = f["memory"][0]["server_config"]
        lines += ["", "Server listpack limits: " + ", ".join(f"{k} {v}" for k, v in cfg.items())]
    if f.get("update_latency"):
        lines += ["", "## Live-update latency (issued_at to applied)", "",
                  *([f"(Kept from the run of {f['update_latency_run_at']}: this run skipped "
                     "it.)", ""] if f.get("update_latency_run_at") else []),
                  "One worker; scans paced at the rate shown while updates (upserts and "
                  "deletes of SLTD records) are published; p50/p99 from the worker's "
                  "histogram, interpolated within buckets. Screened: scans answered by 3 s "
                  "after the last was sent (fewer than sent: the worker fell behind).", "",
                  "| scans/s target | sent/s | screened / sent | updates applied | "
                  "SLTD loaded | p50 ms | p99 ms |", "|---:|---:|---:|---:|---:|---:|---:|"]
        for u in f["update_latency"]:
            lines.append(f"| {u['scan_rate_target']:,.0f} | {u['scan_rate_sent']:,} | "
                         f"{u['scans_screened']:,} / {u['scans_sent']:,} | "
                         f"{u['updates_applied']} / {u['updates_sent']} | "
                         f"{u['sltd_records']:,} | {u['p50_ms']} | {u['p99_ms']} |")
    return "\n".join(lines) + "\n"


async def run(args: argparse.Namespace) -> dict[str, Any]:
    cache = Path(args.cache)
    sizes = [1_000_000, 10_000_000] if args.ten_million else [1_000_000]
    figures: dict[str, Any] = {"run_at": datetime.now(UTC).isoformat(timespec="seconds"),
                               "machine": machine()}
    figures["memory"] = ([] if args.no_memory else
                         await memory_and_load(sizes, args.notices, args.smv, args.workers, cache,
                                               tuple(args.lists)))
    figures["update_latency"] = []
    if not args.no_latency:
        for rate in args.rate:
            figures["update_latency"].append(await update_latency(
                Settings(), rate, seconds=args.seconds, update_rate=args.update_rate,
                sltd=args.latency_sltd, cache=cache, logs=cache / "logs"))
    return figures


def _set_size(name: str) -> int:
    """The SLTD records of a set's name ("1,000,000 SLTD")."""
    head = name.split()[0].replace(",", "") if name else ""
    return int(head) if head.isdigit() else 0


def _keep_skipped(figures: dict[str, Any], previous: Path, args: argparse.Namespace) -> None:
    """A part this run skipped (--no-memory, --no-latency) keeps the last run's figures,
    marked with that run's time, instead of being written out empty; so do the memory
    rows of the lists a --lists run left out."""
    lists = getattr(args, "lists", None) or list(LIST_FILES)
    partial = not args.no_memory and set(lists) != set(LIST_FILES)
    if not (args.no_memory or args.no_latency or partial) or not previous.exists():
        return
    old = orjson.loads(previous.read_bytes())
    if partial and (kept := [r for r in old.get("memory") or [] if r["list"] not in lists]):
        order = {name: n for n, name in enumerate(LIST_FILES)}
        # Rows by set then list, as a run of every list writes them (each list's own
        # rows, auto then in-process, stay in their order: the sort is stable).
        figures["memory"] = sorted(kept + figures["memory"],
                                   key=lambda r: (_set_size(r["set"]),
                                                  order.get(r["list"], 9)))
        figures["memory_kept"] = {"lists": sorted({r["list"] for r in kept},
                                                  key=lambda x: order.get(x, 9)),
                                  "run_at": old.get("memory_run_at") or old["run_at"]}
    for skipped, part in ((args.no_memory, "memory"), (args.no_latency, "update_latency")):
        if skipped and old.get(part):
            figures[part] = old[part]
            figures[f"{part}_run_at"] = old.get(f"{part}_run_at") or old["run_at"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screening_bench.watchlists",
                                description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--ten-million", action="store_true", help="also 10 M SLTD (minutes)")
    p.add_argument("--notices", type=int, default=20_000, help="notices per set")
    p.add_argument("--smv", type=int, default=100_000, help="stolen vehicles per set")
    p.add_argument("--workers", type=int, default=None, help="loader processes (default auto)")
    p.add_argument("--lists", nargs="+", choices=list(LIST_FILES), default=list(LIST_FILES),
                   help="the lists whose memory and load rate are measured (default all)")
    p.add_argument("--no-latency", action="store_true", help="skip the update-latency run")
    p.add_argument("--no-memory", action="store_true", help="skip the memory and load runs")
    p.add_argument("--rate", type=float, nargs="+", default=[5000.0, 1000.0],
                   help="scans/s during the latency runs, one run each")
    p.add_argument("--seconds", type=float, default=30, help="length of the latency run")
    p.add_argument("--update-rate", type=float, default=20, help="updates/s in the latency run")
    p.add_argument("--latency-sltd", type=int, default=1_000_000,
                   help="SLTD records loaded for the latency run")
    p.add_argument("--cache", default=".local/bench-watchlists", help="generated lists go here")
    p.add_argument("--out", default="bench/results", help="where watchlists.json/.md go")
    args = p.parse_args(argv)
    figures = asyncio.run(run(args))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    _keep_skipped(figures, out / "watchlists.json", args)
    (out / "watchlists.json").write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2) + b"\n")
    (out / "watchlists.md").write_text(markdown(figures))
    print(markdown(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
