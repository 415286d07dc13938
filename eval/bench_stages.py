"""CPU per scan of each stage of `screening screen`'s path, against lists already loaded.

    python eval/bench_stages.py SCANS.ndjson [--repeats 3] [--batch 1000]

With a principal's settings and SCREENING_REDIS_PREFIX naming loaded lists (e.g. those
`bench_screen.py --keep` leaves); another tree's code is measured with PYTHONPATH set to
it (a worktree's own too: the script's folder, not the current one, leads sys.path).
The scans are screened as the command screens them (batches, the same functions in the
same order), each stage timed by process CPU time; each repeat starts with the matching
caches emptied, as a new process does, and the least time of each stage over the
repeats is reported (the machine is shared). Redis's own time is not counted; the
client's (packing, reply parsing) is, under `fetch`.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from itertools import chain, compress
from pathlib import Path
from typing import Any

from screening.cli.screen import infer_kind
from screening.core.codec import decode_scan
from screening.core.decide import blob_refs, decide, decode_records
from screening.core.prepare import Prepared, prepare
from screening.exceptions import InvalidScan
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.watchlists.store import WatchlistStore


def clear_caches() -> None:
    """Every functools cache of the package emptied: a repeat starts as a process does."""
    for name, module in list(sys.modules.items()):
        if name.startswith("screening"):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


async def one_pass(settings: Settings, store: WatchlistStore, lines: list[bytes], batch: int,
                   spent: defaultdict[str, float]) -> int:  # fmt: skip
    clock = time.process_time
    threshold = settings.name_threshold

    def timed(stage: str, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        started = clock()
        out = fn(*args, **kw)
        spent[stage] += clock() - started
        return out

    def answered(fields: list[Any], values: list[Any]) -> dict[Any, Any]:
        return dict(compress(zip(fields, values, strict=True), values))

    def refs_of(prepared: list[Prepared], answers: dict[Any, Any]) -> list[Any]:
        return list(dict.fromkeys(chain.from_iterable([blob_refs(p, answers)
                                                       for p in prepared])))

    n = 0
    for start in range(0, len(lines), batch):
        prepared: list[Prepared] = []
        for line in lines[start:start + batch]:
            kind, refused = timed("infer", infer_kind, line, "auto")
            if refused:
                continue
            try:
                scan = timed("decode", decode_scan, kind, line,
                             max_bytes=settings.max_scan_bytes)
                prepared.append(timed("prepare", prepare, scan, settings))
            except InvalidScan:
                pass
        started = clock()
        fields = list(chain.from_iterable([p.lookups for p in prepared]))
        version, values = await store.fetch(fields)
        answers = answered(fields, values)
        spent["fetch"] += clock() - started
        refs = timed("blob_refs", refs_of, prepared, answers)
        started = clock()
        blobs = await store.fetch_blobs(version, refs)
        spent["fetch"] += clock() - started
        records = timed("decode_records", decode_records, dict(zip(refs, blobs, strict=True)))
        now = datetime.now(UTC)
        for p in prepared:
            result, alerts = timed("decide", decide, p, answers, records, version=version.id,
                                   now=now, threshold=threshold)
            timed("serialise", result.model_dump_json)
            for alert in alerts:
                timed("serialise", alert.model_dump_json, exclude_none=True)
            n += 1
    return n


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scans", type=Path)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    gc.disable()  # as `screening screen` runs (gcpolicy.stop_automatic_collection)
    settings = Settings()
    redis = make_redis(settings)
    store = WatchlistStore(redis, settings.redis_prefix)
    lines = [line.rstrip(b"\r\n") for line in args.scans.read_bytes().splitlines()
             if line.strip()]
    best: dict[str, float] = {}
    n = 0
    try:
        for _ in range(args.repeats):
            clear_caches()
            spent: defaultdict[str, float] = defaultdict(float)
            n = await one_pass(settings, store, lines, args.batch, spent)
            for stage, seconds in spent.items():
                best[stage] = min(best.get(stage, seconds), seconds)
    finally:
        await redis.aclose()
    for stage, least in sorted(best.items(), key=lambda kv: -kv[1]):
        print(f"{stage:16s} {least / n * 1e6:7.1f} µs/scan")
    print(f"{'total':16s} {sum(best.values()) / n * 1e6:7.1f} µs/scan over {n} scans "
          f"(least of {args.repeats} per stage)")


if __name__ == "__main__":
    asyncio.run(main())
