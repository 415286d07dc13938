"""Correlation's cost, alone: what filing a batch's scans and finding their patterns
adds per scan, and what the state holds in Redis per sighting.

    set -a; source <(screening security client-config worker --format env); set +a
    python -m screening_bench.correlation [--scans 40000] [--out bench/results]

Scans come from the simulator's factory (mock travellers and vehicles, a few repeated
at another checkpoint so that patterns are found), are prepared as the worker prepares
them and answered `clear`; the correlator then runs on batches of 500 against the
configured Redis under a prefix of its own (deleted after). Worker CPU per scan is the
process's CPU time over the correlate calls; the figure to set it against is the
worker's CPU per scan in bench/results/latest.json (the whole screening path).
Memory is MEMORY USAGE summed over the keys written, per sighting filed.

`--history N` (issue 23: "designed for 2 million scans of history, at most 200 bytes a
remembered scan, a new record checked in at most 50 ms") fills a redis-server of the
benchmark's own (a measuring instance on loopback, as the watchlists benchmark's; the
shared one is left alone) with N scans' sightings, filed through the state script as the
worker files them: four in five travellers (a document and a person each), one in five
vehicles (a plate and a VIN), UUID event ids, the mock sites' checkpoints and terminals.
Bytes per remembered scan = the server's used_memory after, less before, over N; then
records are checked against that history as retroactive screening checks them.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from redis.asyncio import Redis

from screening.audit.digests import Digester
from screening.core.codec import decode_scan
from screening.core.engine import RawScan, Screened
from screening.core.prepare import prepare
from screening.correlation.correlator import Correlator
from screening.correlation.retroactive import check_record
from screening.correlation.sightings import Filed, Sighting, filings, short_digest
from screening.correlation.state import CorrelationState
from screening.matching.documents import document_field
from screening.metrics import Metrics
from screening.mockdata.scans import ScanFactory
from screening.models import CheckResult, ScanKind
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.sites import Sites
from screening.watchlists.lists import LISTS
from screening_bench.watchlists import own_redis

BATCH = 500


def screened(factory: ScanFactory, n: int) -> list[Screened]:
    """`n` scans answered `clear`; one in 50 repeats an earlier document elsewhere."""
    out: list[Screened] = []
    travellers: list[Any] = []
    now = datetime.now(UTC)
    for i in range(n):
        vehicle = i % 5 == 4
        body: Any = factory.vehicle() if vehicle else factory.traveller()
        if not vehicle and i % 50 == 0 and travellers:
            body = dict(travellers[-7], event_id=uuid.uuid4().hex, checkpoint_id="CP-99")
        elif not vehicle:
            travellers.append(body)
        kind: ScanKind = "vehicle" if vehicle else "traveller"
        raw = orjson.dumps(body)
        scan = decode_scan(kind, raw, max_bytes=1 << 16)
        # One site (v1's `default`): a document again at another checkpoint within a
        # minute is DOCUMENT_SIMULTANEOUS_USE.
        item = Screened(RawScan(kind=kind, value=raw, site="default"), scan=scan,
                        prepared=prepare(scan, Settings()))
        item.result = CheckResult(event_id=scan.event_id, checkpoint_id=scan.checkpoint_id,
                                  terminal_id=scan.terminal_id, kind=kind, outcome="clear",
                                  decided_at=now, watchlist_version="bench")
        out.append(item)
    return out


async def run(settings: Settings, scans: int) -> dict[str, Any]:
    redis = make_redis(settings)
    items = screened(ScanFactory(seed=23), scans)
    digests = Digester(uuid.uuid4().hex.encode())
    correlator = Correlator(redis, settings, digests, Sites, metrics=Metrics.create())
    filed = sum(len(filings(i.prepared, i.result, None, digests)) for i in items
                if i.prepared is not None and i.result is not None)
    cpu = wall = 0.0
    alerts = 0
    before = await _evalsha_usec(redis)
    try:
        for start in range(0, len(items), BATCH):
            part = items[start:start + BATCH]
            c0, w0 = time.process_time(), time.perf_counter()
            alerts += len(await correlator.correlate(part))
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
        after = await _evalsha_usec(redis)
        keys = [k async for k in redis.scan_iter(match=f"{settings.redis_prefix}:corr:*",
                                                 count=5000)]
        memory = 0
        for start in range(0, len(keys), 1000):
            pipe = redis.pipeline(transaction=False)
            for k in keys[start:start + 1000]:
                pipe.memory_usage(k, samples=0)
            memory += sum(x or 0 for x in await pipe.execute())
    finally:
        async for k in redis.scan_iter(match=f"{settings.redis_prefix}:corr:*", count=5000):
            await redis.unlink(k)
        await redis.aclose()
    return {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "scans": scans, "batch": BATCH, "sightings_filed": filed, "keys": len(keys),
        "alerts": alerts,
        "worker_cpu_us_per_scan": round(cpu / scans * 1e6, 1),
        "wall_us_per_scan": round(wall / scans * 1e6, 1),
        "wall_ms_per_batch": round(wall / -(-scans // BATCH) * 1e3, 2),
        "redis_bytes_per_sighting": round(memory / max(filed, 1), 1),
        # Redis CPU in the state script (INFO commandstats; needs a user allowed INFO,
        # e.g. admin; None otherwise). The shared Redis runs other scripts too: a bound.
        "redis_us_per_scan": (round((after - before) / scans, 1)
                              if before is not None and after is not None else None),
    }


async def _evalsha_usec(redis: Any) -> int | None:
    try:
        stats = await redis.info("commandstats")
    except Exception:  # not allowed INFO: the figure is left out
        return None
    return int(stats.get("cmdstat_evalsha", {}).get("usec", 0))


async def history(port: int, scans: int, checks: int = 500) -> dict[str, Any]:
    """Fills the own Redis on `port` with `scans` scans of history; see the docstring."""
    redis = Redis(port=port)
    digests = Digester(uuid.uuid4().hex.encode())
    state = CorrelationState(redis, "bench", cap=32)
    ttl = 14 * 24 * 3600.0
    start_at = time.time() - 3 * 24 * 3600
    checkpoints = [f"{site}-{gate}" for site in ("arena", "air", "hotel", "fan")
                   for gate in ("n", "s", "e", "w", "vip")]
    before = int((await redis.info("memory"))["used_memory"])
    usec_before = await _evalsha_usec(redis) or 0
    kept_docs: list[str] = []
    t0 = time.perf_counter()
    batch: list[Filed] = []
    for i in range(scans):
        cp = checkpoints[i % len(checkpoints)]
        base = Sighting(str(uuid.uuid4()), cp, f"{cp}-t{i % 7:02d}", cp.split("-")[0],
                        start_at + i * (3 * 24 * 3600 / scans))
        if i % 5 == 4:
            plate = digests.digest("plate", f"B{i:07d}|DEU")
            vin = digests.digest("vin", f"WVWZZZ1JZ{i:08d}")
            batch += [Filed("plate", plate, replace(base, vin=short_digest(vin))),
                      Filed("vin", vin, base)]
        else:
            doc = digests.digest("document", document_field(f"C{i:08d}", "DEU"))
            person = digests.digest("person_nationality", f"SURNAME{i}<<GIVEN|1980-01-01|DEU")
            batch += [Filed("document", doc, base),
                      Filed("person", person, replace(base, document=short_digest(doc)))]
            if i % 997 == 0:
                kept_docs.append(f"C{i:08d}")
        if len(batch) >= 2000:
            await state.observe(batch, [ttl] * len(batch), [ttl] * len(batch))
            batch = []
    if batch:
        await state.observe(batch, [ttl] * len(batch), [ttl] * len(batch))
    fill_s = time.perf_counter() - t0
    used = int((await redis.info("memory"))["used_memory"]) - before
    script_us = (await _evalsha_usec(redis) or 0) - usec_before
    filed = scans * 2
    # Records checked against the history: half of them were scanned (a hit each).
    model = LISTS["sltd"].model
    took: list[float] = []
    hits = 0
    now = datetime.now(UTC)
    for j in range(checks):
        number = kept_docs[j % len(kept_docs)] if j % 2 == 0 else f"X{j:08d}"
        record = model.model_validate({"list": "sltd", "id": f"S{j}", "document_number": number,
                                       "issuing_state": "DEU", "document_type": "P",
                                       "status": "stolen", "reported_at": "2026-01-01"})
        c0 = time.perf_counter()
        hits += len(await check_record(state, digests, record, issued_at=now,
                                       window_h=72.0, now=now))
        took.append(time.perf_counter() - c0)
    await redis.aclose()
    took.sort()
    return {"history_scans": scans, "fill_s": round(fill_s, 1),
            "redis_bytes_per_remembered_scan": round(used / scans, 1),
            "redis_used_memory_mb": round(used / 2**20, 1),
            # Redis CPU in the state script, per scan filed (two filings each), the whole
            # fill: the later the scan, the fuller its bucket.
            "redis_script_us_per_scan": round(script_us / scans, 1),
            "redis_script_us_per_filing": round(script_us / filed, 1),
            "record_checks": checks, "record_check_hits": hits,
            "record_check_ms_p50": round(took[len(took) // 2] * 1000, 2),
            "record_check_ms_p99": round(took[int(len(took) * 0.99)] * 1000, 2)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screening_bench.correlation")
    p.add_argument("--scans", type=int, default=40_000)
    p.add_argument("--history", type=int, default=0,
                   help="also fill a redis-server of our own with this many scans of history")
    p.add_argument("--out", default="bench/results")
    args = p.parse_args(argv)
    settings = Settings()
    settings = settings.model_copy(update={
        "redis_prefix": f"{settings.redis_prefix}bench{uuid.uuid4().hex[:6]}"})
    figures = asyncio.run(run(settings, args.scans)) if args.scans else {}
    if args.history:
        with tempfile.TemporaryDirectory() as tmp, own_redis(Path(tmp)) as port:
            figures["history"] = asyncio.run(history(port, args.history))
    out = Path(args.out)
    (out / "correlation.json").write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2)
                                           + b"\n")
    print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
