"""The worker's CPU per scan by stage, measured offline with the engine's own functions.

The worker has no per-stage timers (a timer around each stage of each scan would cost
what it measures), so `screening bench` runs this module in a fresh process (cold name
caches, as a worker starting on a backlog) over the same scans it drains, in batches of
SCREENING_BATCH_SIZE, against the same loaded lists in Redis, calling what
core/engine.py and agents/publish.py call, stage by stage over each whole batch:

    decode      JSON parsing and pydantic validation (core.codec.decode_scan)
    prepare     MRZ parsing and check digits, normalisation, name keys, variants,
                the look-up keys (core.prepare.prepare)
    lookup      this process's CPU for both round trips: locating the hashes and
                fields, the client's requests and replies, decoding the entries and
                records (the engine's own Screener._lookup: WatchlistStore.fetch,
                blob_refs, fetch_blobs, decode_records); Redis's own CPU is not in it
    decide      hits, person scoring, the result and alert models (core.decide.decide)
    serialise   the result's and alerts' JSON (model_dump_json, as Outputs does)
    audit       the search audit record: query digests and its JSON (SearchAudit)
    correlation the keys each answered scan is filed under (Correlator._filings: the
                digests and sightings; its one Redis round trip a batch is not timed)

each as process CPU time (time.process_time) around the stage for a whole batch, with
the garbage collector off (its passes are the worker's, in the rest). What the worker
spends beyond these (Faust's delivery and acks, the Kafka client's fetches and
produces, batching, metrics, correlation, garbage collection) is its CPU per scan in a
drain of the same scans minus their sum: `screening bench` reports it as "the rest".
With the audit key absent or SCREENING_CORRELATION=false, correlation is not timed.
Not timed here: the namesake digests of scans with alerts (rare) and the edge's
retroactive alerts (none in the benchmark).

Run as `python -m screening_bench.stages SCANS.ndjson` with the worker's environment
(a scan a line, its kind told as `screening screen` tells it); prints JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import Any

import orjson
import uvloop

from screening.audit.digests import Digester, audit_key
from screening.audit.records import SearchAudit
from screening.cli.screen import infer_kind
from screening.core.codec import decode_scan
from screening.core.decide import decide
from screening.core.engine import RawScan, Screened, Screener
from screening.core.prepare import Prepared, prepare
from screening.correlation.correlator import Correlator
from screening.exceptions import InvalidScan
from screening.models import ScanKind
from screening.redis_client import make_redis
from screening.settings import Settings
from screening.sites import Sites
from screening.watchlists.store import WatchlistStore

STAGES = ("decode", "prepare", "lookup", "decide", "serialise", "audit", "correlation")


class Clock:
    """Process CPU seconds per stage."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._stage = ""
        self._at = 0.0

    def start(self, stage: str) -> None:
        self._stage, self._at = stage, time.process_time()

    def stop(self) -> None:
        self.spent[self._stage] += time.process_time() - self._at


async def _batch(screener: Screener, settings: Settings, searches: SearchAudit | None,
                 correlator: Correlator | None, batch: Sequence[tuple[ScanKind, bytes]],
                 clock: Clock) -> int:
    """One batch, stage after stage; the scans answered (the rejected are not)."""
    clock.start("decode")
    scans = []
    for kind, raw in batch:
        with contextlib.suppress(InvalidScan):  # rejected: answered, not screened
            scans.append((kind, raw, decode_scan(kind, raw, max_bytes=settings.max_scan_bytes)))
    clock.stop()
    clock.start("prepare")
    prepared: list[tuple[ScanKind, bytes, Prepared]] = []
    for kind, raw, scan in scans:
        with contextlib.suppress(InvalidScan):
            prepared.append((kind, raw, prepare(scan, settings)))
    clock.stop()
    clock.start("lookup")
    # As Screener._answer calls it: every scan's look-ups in order, not deduplicated.
    fields = list(chain.from_iterable([p.lookups for _, _, p in prepared]))
    version, answers, records = await screener._lookup(
        [(Screened(RawScan(kind, raw)), p) for kind, raw, p in prepared], fields)
    clock.stop()
    clock.start("decide")
    now = datetime.now(UTC)
    decided = [(kind, raw, p, *decide(p, answers, records, version=version.id, now=now,
                                      threshold=settings.name_threshold))
               for kind, raw, p in prepared]
    clock.stop()
    clock.start("serialise")
    for *_, result, alerts in decided:
        result.model_dump_json().encode()
        for alert in alerts:
            alert.model_dump_json(exclude_none=True).encode()
    clock.stop()
    screened = [Screened(RawScan(kind, raw), result, alerts, scan=p.scan, prepared=p)
                for kind, raw, p, result, alerts in decided]
    if searches is not None:
        clock.start("audit")
        for item in screened:
            searches.record(item)
        clock.stop()
    if correlator is not None:
        clock.start("correlation")
        correlator._filings(screened)
        clock.stop()
    return len(decided)


async def measure(settings: Settings, scans: Sequence[tuple[ScanKind, bytes]]
                  ) -> dict[str, Any]:
    """CPU µs per answered scan by stage, over `scans` in the worker's batches."""
    redis = make_redis(settings)
    key = audit_key(settings) if settings.audit_searches else None
    searches = SearchAudit(Digester(key), settings) if key is not None else None
    # As the worker makes it (context.py): none when correlation is off or keyless. Its
    # sites (here the default one alone) are read only after the round trip, not timed.
    ckey = audit_key(settings) if settings.correlation else None
    correlator = (Correlator(redis, settings, Digester(ckey), Sites)
                  if ckey is not None else None)
    clock = Clock()
    answered = 0
    try:
        store = WatchlistStore(redis, settings.redis_prefix)
        await store.current_version()
        screener = Screener(store, settings)
        gc.collect()
        gc.freeze()
        gc.disable()
        started = time.process_time()
        for i in range(0, len(scans), settings.batch_size):
            answered += await _batch(screener, settings, searches, correlator,
                                     scans[i:i + settings.batch_size], clock)
        total = time.process_time() - started
    finally:
        gc.enable()
        gc.unfreeze()
        await redis.aclose()
    per = 1e6 / answered if answered else 0.0
    return {"scans": len(scans), "answered": answered, "batch_size": settings.batch_size,
            "audit": searches is not None, "correlation": correlator is not None,
            "cpu_us_per_scan": {s: round(clock.spent[s] * per, 1) for s in STAGES},
            "total_cpu_us_per_scan": round(total * per, 1)}


def read_scans(path: Path) -> list[tuple[ScanKind, bytes]]:
    out = []
    for line in path.read_bytes().splitlines():
        if line.strip():
            kind, _ = infer_kind(line, "auto")
            out.append((kind, line))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m screening_bench.stages",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("scans", type=Path, help="NDJSON, a scan a line")
    args = p.parse_args(argv)
    figures = uvloop.run(measure(Settings(), read_scans(args.scans)))
    sys.stdout.buffer.write(orjson.dumps(figures) + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
