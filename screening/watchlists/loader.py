"""Bulk loads: stream NDJSON files into a new version, then switch to it atomically.

Memory stays bounded whatever the file size: records are read, checked and written
in chunks. A bad line is reported with its file and line number and skipped; a load
that fails half-way drops its partial version and leaves the old one serving.
"""

from __future__ import annotations

import asyncio
import logging
import math
import multiprocessing
import os
import random
import re
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError
from redis.exceptions import RedisError

from screening.exceptions import InvalidRecord
from screening.logs import kv
from screening.models import WatchlistRecord
from screening.watchlists.batch import unpack_ops
from screening.watchlists.bulk_entries import EntryGroups
from screening.watchlists.generic import EntriesLayout
from screening.watchlists.indexer import upsert_records
from screening.watchlists.lists import LISTS
from screening.watchlists.sltd import compact, layout
from screening.watchlists.sltd.blocks import (
    SMV_WEIGHT,
    BlockResult,
    Grouped,
    Groups,
    Packer,
    Plan,
    group_entries,
    init_process,
    parse_block,
    parse_range,
    read_blocks,
)
from screening.watchlists.smv import compact as smv
from screening.watchlists.store import Version, WatchlistStore
from screening.watchlists.updates import replay_journal

log = logging.getLogger("screening.watchlists.load")

RECORD = TypeAdapter(WatchlistRecord)
CHUNK = 2000
# SLTD records gathered before they are grouped by bucket and written: half the
# input's, within these bounds. More per bucket is cheaper (a bucket reached again costs
# a COPY and a DEL); half, so that the first half is written while the second is read.
# The packed entries of a group are held in the loading process, twice while one group
# is written and the next gathered: the bound keeps that memory flat.
GROUP_RECORDS = (250_000, 1_000_000)
MAX_LINE_BYTES = 1 << 20
NOTICES_FOR_WORKERS = 5000
# Entries-layout puts gathered before they are written (bulk_entries.py): a bucket
# written again costs a COPY, and a field already there a merge in the bulk script; held,
# they cost the loader about 200 bytes each (some 25 a notice).
HOLD_ENTRY_OPS = 600_000
# Blocks of mostly notices or event records are this much smaller than the others:
# a megabyte of notices is some 3000 of them, near a second of a process's work, and a
# load of 20,000 (seven blocks) left one of two processes idle for its last block.
PERSON_BLOCK_DIVISOR = 4
# Stolen vehicles are parsed compiled (about 10 µs each, in a thread of the loading
# process): a pool's start (about a second, each process importing the package) pays
# from some hundreds of thousands on.
SMV_FOR_WORKERS = 500_000


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

    def note_error(self, message: str, max_listed: int = 100) -> None:
        self.error_count += 1
        if len(self.errors) < max_listed:
            self.errors.append(message)


def new_version_id() -> str:
    return datetime.now(UTC).strftime("v%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


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


def estimate_counts(paths: Sequence[Path], sample_bytes: int = 1 << 20) -> dict[str, int]:
    """Records per list, from each file's line count and the mix of its first MiB:
    enough to size buckets (which have a wide margin) without parsing twice."""
    est = dict.fromkeys(LISTS, 0)
    for path in paths:
        lines = 0
        with open(path, "rb") as fh:
            head = fh.read(sample_bytes)
            lines = head.count(b"\n")
            while chunk := fh.read(1 << 22):
                lines += chunk.count(b"\n")
        if head and not head.endswith(b"\n") and lines == 0:
            lines = 1
        seen = {name: len(re.findall(rb'"list"\s*:\s*"' + name.encode() + rb'"', head))
                for name in LISTS}
        total = sum(seen.values())
        for name, n in seen.items():
            # No list named in the sample (an unusual layout): size every list for all
            # the lines; too many buckets cost a little memory, too few cost much more.
            est[name] += math.ceil(lines * n / total) if total else lines
    return est


def bucket_plan_for(counts: dict[str, int], max_entries: int, max_value: int = 64
                    ) -> dict[str, int]:
    """Bucket counts per table, each list's from its own count (its layout sizes them),
    and `seen` for live updates."""
    plan: dict[str, int] = {"seen": 256}
    for name, lst in LISTS.items():
        plan.update(lst.layout.buckets(counts.get(name, 0), max_entries, max_value))
    return plan


async def _config_int(store: WatchlistStore, name: str, default: int) -> int:
    try:
        got: dict[Any, Any] = dict(await store.redis.config_get(name))
        value = got.get(name.encode()) or got.get(name)
        return max(8, int(value)) if value is not None else default
    except (RedisError, ValueError, TypeError):
        return default


async def listpack_limit(store: WatchlistStore) -> int:
    """The server's hash-max-listpack-entries (Redis's default 128 when it won't say)."""
    return await _config_int(store, "hash-max-listpack-entries", 128)


async def listpack_value_limit(store: WatchlistStore) -> int:
    """The server's hash-max-listpack-value (Redis's default 64 when it won't say)."""
    return await _config_int(store, "hash-max-listpack-value", 64)


async def load_files(store: WatchlistStore, paths: Sequence[Path], *, grace_s: float = 30.0,
                     progress: Callable[[int, int], None] | None = None,
                     workers: int | None = None) -> LoadReport:
    """Load files into a new version and make it current; returns what was loaded.

    Lines are parsed and packed in `workers` processes (default: one per core for
    inputs over 32 MiB or with many notices or stolen vehicles; with none, in a thread)
    while the loading process writes the packed blocks to Redis; at most two blocks
    per worker are in flight, so memory stays bounded whatever the file size."""
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    total_bytes = sum(await asyncio.gather(*(asyncio.to_thread(os.path.getsize, p)
                                             for p in paths)))
    estimate = await asyncio.to_thread(estimate_counts, list(paths))
    report = LoadReport(version=new_version_id())
    plan = bucket_plan_for(estimate, await listpack_limit(store),
                           await listpack_value_limit(store))
    version = await store.create_version(report.version, plan)
    position = await store.begin_load(version)
    log.info("load started", extra=kv(version=version.id, files=len(paths), bytes=total_bytes,
                                       sltd_buckets=plan[layout.DOC_TABLE]))
    if workers is None:
        # Notices cost about half a millisecond each to index (the matching code's
        # profiles and keys): a few thousand are worth a pool's start; stolen vehicles
        # some hundreds of thousands (SMV_FOR_WORKERS).
        big = (total_bytes > 32 << 20 or estimate.get("notice", 0) >= NOTICES_FOR_WORKERS
               or estimate.get("smv", 0) >= SMV_FOR_WORKERS)
        workers = (os.cpu_count() or 1) if big else 0
    block_plan = Plan(store.data_prefix, version.id, plan[layout.DOC_TABLE],
                      plan[layout.ID_TABLE], store.batch.node_of_slot(),
                      (plan[smv.RECORDS], plan[smv.VINS], plan[smv.PLATES]), plan)
    pool = (ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"),
                                initializer=init_process, initargs=(block_plan,))
            if workers > 0 else None)
    packer = Packer(block_plan) if pool is None else None
    # Without a pool, blocks are parsed (and groups grouped) in one thread of this
    # process, in order: the compiled parts let go of the GIL, so that the writes go on
    # meanwhile (an SMV load's parsing and writing overlap: 1.2 -> 0.8 s for 100,000).
    thread = ThreadPoolExecutor(1, thread_name_prefix="load-parse") if pool is None else None
    groups = Groups(block_plan)
    counts = dict.fromkeys(LISTS, 0)
    sampler = _Reservoir(1000)
    done_bytes = 0
    pending: deque[asyncio.Future[BlockResult]] = deque()
    writing: asyncio.Task[None] | None = None  # the group being written, while the next fills
    repeats: list[tuple[bytes, bytes]] = []  # fields where an id was met again (bulk.lua)
    weight = estimate.get("sltd", 0) + SMV_WEIGHT * estimate.get("smv", 0)
    group_records = min(GROUP_RECORDS[1], max(GROUP_RECORDS[0], weight // 2))

    async def write(jobs: list[tuple[int, asyncio.Future[Grouped]]]) -> None:
        for table, grouped in jobs:
            calls = groups.writes(table, await grouped)
            for met in await asyncio.gather(*(store.batch.write_bulk(writes, node)
                                              for node, writes in calls)):
                repeats.extend(met)

    async def write_group(final: bool = False) -> None:
        """Group what was gathered (in the pool), and write it while the next fills."""
        nonlocal writing
        if writing is not None:
            await writing
        jobs: list[tuple[int, asyncio.Future[Grouped]]] = []
        for table, chunks in groups.take(final):
            mode = groups.mode(table)
            jobs.append((table, loop.run_in_executor(pool or thread, group_entries, chunks,
                                                     mode)))
        writing = asyncio.create_task(write(jobs))

    # Entries-layout records indexed by the parsing processes, by list then id (the
    # later line of an id wins), as their writes (batch.pack_ops), gathered CHUNK at a
    # time; the ids each list loaded.
    indexed: dict[str, dict[str, bytes]] = {}
    loaded: dict[str, set[str]] = {}
    entries = EntryGroups(store.batch.node_of_slot())

    async def write_entries() -> None:
        for node, writes in entries.take():
            await store.batch.write_bulk(writes, node)

    async def write_indexed(lst: str) -> None:
        chunk = indexed.pop(lst, {})
        if not chunk:
            return
        done = loaded.setdefault(lst, set())
        # An id met in an earlier chunk replaces what that one wrote (its stored record
        # is read back, once what was gathered is written); any other is new to the
        # version, and its writes are all: gathered by bucket (bulk_entries.py).
        again = [(rid, unpack_ops(puts)) for rid, puts in chunk.items() if rid in done]
        for rid, puts in chunk.items():
            if rid not in done:
                entries.add(puts)
        if again or entries.ops >= HOLD_ENTRY_OPS:
            await write_entries()
        if again:
            layout = LISTS[lst].layout
            assert isinstance(layout, EntriesLayout)  # blocks index no other layout's
            await store.batch.write((await layout.indexed_changes(store, version, again,
                                                                  ())).ops)
        done.update(chunk)

    try:
        others: list[Any] = []

        async def drain() -> None:
            nonlocal done_bytes, others
            result = await pending.popleft()
            groups.add(result)
            if groups.pending >= group_records:
                await write_group()
            counts["sltd"] += result.sltd
            counts["smv"] += result.smv
            for where, why in result.errors:
                report.note_error(f"{where}: {why}")
            for lst, rid, puts in result.indexed:
                chunk = indexed.setdefault(lst, {})
                chunk.pop(rid, None)
                chunk[rid] = puts
                if len(chunk) >= CHUNK:
                    await write_indexed(lst)
            for where, line in result.others:
                try:
                    others.append(parse_record(line, where))
                except InvalidRecord as exc:
                    report.note_error(str(exc))
            if len(others) >= CHUNK:
                await _flush(store, version, others, counts, report)
                others = []
            sampler.add_all(result.samples)
            done_bytes += result.size
            if progress:
                progress(done_bytes, total_bytes)

        persons = estimate.get("notice", 0) + estimate.get("event", 0)
        divisor = PERSON_BLOCK_DIVISOR if 2 * persons > sum(estimate.values()) else 1
        for block in read_blocks(list(paths), divisor=divisor):
            if pool is None:
                assert packer is not None
                pending.append(loop.run_in_executor(thread, parse_block, block.data,
                                                    block.first_line, str(block.path), packer))
            else:
                pending.append(loop.run_in_executor(pool, parse_range, str(block.path),
                                                    block.offset, len(block.data),
                                                    block.first_line))
            while len(pending) > 2 * max(1, workers):
                await drain()
        while pending:
            await drain()
        await write_group(final=True)
        assert writing is not None
        await writing
        # An id listed twice (in blocks or files apart): the later record wins, as it
        # does within a block and as a live update would.
        # SMV bodies were replaced in place by the later line (their earlier index
        # entries stay, harmless: a candidate is verified against the body it finds).
        id_fields = f":{layout.ID_TABLE}:".encode()
        counts["smv"] -= sum(1 for key, _ in repeats if id_fields not in key)
        counts["sltd"] -= await compact.settle_repeats(
            store, version, [r for r in repeats if id_fields in r[0]])
        await _flush(store, version, others, counts, report)
        for lst in list(indexed):
            await write_indexed(lst)
        await write_entries()
        for lst, ids in loaded.items():
            counts[lst] += len(ids)
        await store.redis.set(store.sample_key(version.id), orjson.dumps(sampler.items))
        # Live updates applied to the old version while this one was filling.
        await replay_journal(store, version, position)
        version = await store.set_counts(version, counts)
        report.previous = await store.switch(version, grace_s)
        # Updates that raced with the switch (applied to the old version just before it).
        await replay_journal(store, version, position)
    except BaseException:
        for fut in pending:  # blocks still being parsed: their results no longer matter
            fut.cancel()
        if writing is not None:  # stopped before the partial version is dropped, not after
            writing.cancel()
            await asyncio.gather(writing, return_exceptions=True)
        await store.abandon_load(version)
        raise
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if thread is not None:
            thread.shutdown(wait=True, cancel_futures=True)
    await store.collect_retired()
    report.counts = counts
    report.seconds = time.perf_counter() - started
    log.info("load finished", extra=kv(version=version.id, records=report.loaded,
                                       bad_lines=report.error_count,
                                       seconds=round(report.seconds, 2)))
    return report


class _Reservoir:
    """A uniform sample of the SLTD records, whatever their number (for simulators)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: list[dict[str, Any]] = []
        self.seen = 0
        self.rng = random.Random(0)

    def add_all(self, items: list[dict[str, Any]]) -> None:
        for item in items:
            self.seen += 1
            if len(self.items) < self.size:
                self.items.append(item)
            else:
                j = self.rng.randrange(self.seen)
                if j < self.size:
                    self.items[j] = item


async def _flush(store: WatchlistStore, version: Version, chunk: list[Any],
                 counts: dict[str, int], report: LoadReport) -> None:
    if not chunk:
        return
    # The same id twice in one chunk: the later line wins, as it would across chunks.
    latest = {(r.list, r.id): r for r in chunk}
    failed: set[tuple[str, str]] = set()

    def on_error(record: Any, exc: Exception) -> None:
        failed.add((record.list, record.id))
        report.note_error(f"{record.list} {record.id}: cannot be indexed "
                          f"({type(exc).__name__}: {str(exc)[:120]})")
        log.error("record cannot be indexed", extra=kv(list=record.list, id=record.id,
                                                       error=type(exc).__name__))

    await upsert_records(store, version, list(latest.values()), on_error=on_error)
    for key in latest:
        if key not in failed:
            counts[key[0]] += 1
