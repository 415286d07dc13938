"""Bulk loads: stream NDJSON files into a new version, then switch to it atomically.

Memory stays bounded whatever the file size: records are read, checked and written
in chunks. A bad line is reported with its file and line number and skipped; a load
that fails half-way drops its partial version and leaves the old one serving.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError

from screening.exceptions import InvalidRecord
from screening.logs import kv
from screening.models import WatchlistRecord
from screening.watchlists.indexer import upsert_records
from screening.watchlists.keys import next_pow2
from screening.watchlists.registry import LISTS
from screening.watchlists.store import Version, WatchlistStore
from screening.watchlists.updates import replay_journal

log = logging.getLogger("screening.watchlists.load")

RECORD = TypeAdapter(WatchlistRecord)
CHUNK = 2000
# Rough bytes per NDJSON line by list, to size bucket counts before reading.
_LINE_BYTES = 160
# Fields per hash bucket: under Redis's default hash-max-listpack-entries (128).
_PER_BUCKET = 64
MAX_LINE_BYTES = 1 << 20


@dataclass
class LoadReport:
    version: str = ""
    previous: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    seconds: float = 0.0

    @property
    def loaded(self) -> int:
        return sum(self.counts.values())


def new_version_id() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def bucket_plan(total_bytes: int) -> dict[str, int]:
    """Bucket counts per table, sized from the input so buckets stay small listpacks."""
    records = max(1, total_bytes // _LINE_BYTES)
    plan: dict[str, int] = {"rev": next_pow2(records / _PER_BUCKET)}
    for lst in LISTS.values():
        for table, per_record in lst.tables.items():
            plan[table] = max(plan.get(table, 1), next_pow2(records * per_record / _PER_BUCKET))
    plan["seen"] = 256
    return plan


def parse_record(line: bytes, where: str) -> Any:
    """One NDJSON line into a validated record, or InvalidRecord saying why."""
    if len(line) > MAX_LINE_BYTES:
        raise InvalidRecord("line longer than 1 MiB", where=where)
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        raise InvalidRecord(f"not JSON ({exc.msg})", where=where) from None
    if not isinstance(data, dict):
        raise InvalidRecord("not a JSON object", where=where)
    if data.get("list") not in LISTS:
        raise InvalidRecord(f"unknown list {str(data.get('list'))[:20]!r}", where=where)
    try:
        return RECORD.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"][1:]) or "record"
        raise InvalidRecord(f"{loc}: {first['msg']}", where=where) from None


def read_records(paths: Sequence[Path], report: LoadReport,
                 max_errors_listed: int = 100) -> Iterator[Any]:
    for path in paths:
        with open(path, "rb") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    yield parse_record(line, f"{path}:{lineno}")
                except InvalidRecord as exc:
                    report.error_count += 1
                    if len(report.errors) < max_errors_listed:
                        report.errors.append(str(exc))


async def load_files(store: WatchlistStore, paths: Sequence[Path], *, grace_s: float = 30.0,
                     progress: Callable[[int, int], None] | None = None) -> LoadReport:
    """Load files into a new version and make it current; returns what was loaded."""
    started = time.perf_counter()
    total_bytes = sum(os.path.getsize(p) for p in paths)
    report = LoadReport(version=new_version_id())
    version = await store.create_version(report.version, bucket_plan(total_bytes))
    position = await store.begin_load(version)
    log.info("load started", extra=kv(version=version.id, files=len(paths), bytes=total_bytes))
    counts = dict.fromkeys(LISTS, 0)
    read_bytes = 0
    try:
        chunk: list[Any] = []
        for record in read_records(paths, report):
            chunk.append(record)
            if len(chunk) >= CHUNK:
                await _flush(store, version, chunk, counts, report)
                chunk = []
                if progress:
                    read_bytes = sum(counts.values()) * _LINE_BYTES
                    progress(min(read_bytes, total_bytes), total_bytes)
        await _flush(store, version, chunk, counts, report)
        # Live updates applied to the old version while this one was filling.
        await replay_journal(store, version, position)
        version = await store.set_counts(version, counts)
        report.previous = await store.switch(version, grace_s)
        # Updates that raced with the switch (applied to the old version just before it).
        await replay_journal(store, version, position)
    except BaseException:
        await store.abandon_load(version)
        raise
    await store.collect_retired()
    report.counts = counts
    report.seconds = time.perf_counter() - started
    log.info("load finished", extra=kv(version=version.id, records=report.loaded,
                                       bad_lines=report.error_count, seconds=round(report.seconds, 2)))
    return report


async def _flush(store: WatchlistStore, version: Version, chunk: list[Any],
                 counts: dict[str, int], report: LoadReport) -> None:
    if not chunk:
        return
    # The same id twice in one chunk: the later line wins, as it would across chunks.
    latest = {(r.list, r.id): r for r in chunk}
    failed: set[tuple[str, str]] = set()

    def on_error(record: Any, exc: Exception) -> None:
        failed.add((record.list, record.id))
        report.error_count += 1
        if len(report.errors) < 100:
            report.errors.append(f"{record.list} {record.id}: cannot be indexed "
                                 f"({type(exc).__name__}: {str(exc)[:120]})")
        log.error("record cannot be indexed", extra=kv(list=record.list, id=record.id,
                                                       error=type(exc).__name__))

    await upsert_records(store, version, list(latest.values()), on_error=on_error)
    for key in latest:
        if key not in failed:
            counts[key[0]] += 1
