"""Bulk-load blocks: many NDJSON lines in, SLTD writes packed for Redis out.

Runs in worker processes (or in the loading process for small files): a block is
parsed, its SLTD lines checked (fast path, else the model) and turned into the
compact layout's write ops, already packed for the batch script and grouped by the
cluster node that serves them. Notice and SMV lines go back to the loading process
as they are (there are few of them; their layout needs the models).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter, ValidationError
from redis.crc import key_slot

from screening.models import SltdRecord
from screening.watchlists.sltd import layout
from screening.watchlists.sltd.fast import Sltd, fast_line, fast_sltd

MAX_LINE_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20
OPS_PER_CALL = 4000  # ops per script call: long calls would stall scans being answered
SAMPLES_PER_BLOCK = 2
KNOWN_LISTS = frozenset({"sltd", "notice", "smv"})
_SLTD = TypeAdapter(SltdRecord)


@dataclass(frozen=True)
class Plan:
    """What a packing process needs to know of the version being loaded."""

    prefix: str
    version: str
    doc_buckets: int
    id_buckets: int
    node_of_slot: list[str] | None = None  # None: one server


@dataclass
class BlockResult:
    # New entries per compact table: bucket numbers, and field, value pairs flattened.
    doc_buckets: array[int] = field(default_factory=lambda: array("I"))
    doc_parts: list[bytes] = field(default_factory=list)
    id_buckets: array[int] = field(default_factory=lambda: array("I"))
    id_parts: list[bytes] = field(default_factory=list)
    sltd: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    others: list[tuple[str, bytes]] = field(default_factory=list)  # (where, line)
    samples: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0  # bytes of input


def read_blocks(paths: list[Path], block_bytes: int = BLOCK_BYTES
                ) -> Iterator[tuple[Path, int, bytes]]:
    """(path, number of the block's first line, block) with whole lines only."""
    for path in paths:
        line = 1
        with open(path, "rb") as fh:
            rest = b""
            while True:
                chunk = fh.read(block_bytes)
                if not chunk:
                    if rest:
                        yield path, line, rest
                    break
                data = rest + chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data  # a line longer than the block: keep reading
                    continue
                block, rest = data[:cut], data[cut:]
                yield path, line, block
                line += block.count(b"\n")


def _model_sltd(data: dict[str, Any]) -> Sltd:
    record = _SLTD.validate_python(data)
    return Sltd(record.id, record.document_number, record.issuing_state,
                record.document_type, record.status)


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{loc}: {first['msg']}"


class Packer:
    """Records into the compact tables' entries (runs in the packing processes)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan

    def pack(self, records: list[Sltd], out: BlockResult) -> None:
        doc_buckets, id_buckets = self.plan.doc_buckets, self.plan.id_buckets
        db, dp, ib, ip = out.doc_buckets, out.doc_parts, out.id_buckets, out.id_parts
        for r in records:
            digest = layout.doc_digest(layout.document_field(r.document_number, r.issuing_state))
            b, dfield = layout.doc_slot(digest, doc_buckets)
            db.append(b)
            dp += (dfield, bytes((layout.code_of(r.status, r.document_type),)) + r.id.encode())
            b, ifield = layout.id_slot(layout.id_digest(r.id), id_buckets)
            ib.append(b)
            ip += (ifield, digest)


class Groups:
    """New entries gathered by bucket across many blocks (in the loading process), so
    that each bucket is written with few calls; then packed for the bulk script and
    split by the cluster node serving each bucket."""

    def __init__(self, plan: Plan, max_pairs: int = OPS_PER_CALL) -> None:
        self.plan = plan
        self.max_pairs = max_pairs
        self.doc: dict[int, list[bytes]] = {}
        self.ids: dict[int, list[bytes]] = {}
        self.pending = 0
        base = f"{plan.prefix}:{plan.version}:"
        self._doc_keys = _KeyCache(base + layout.DOC_TABLE + ":", plan.node_of_slot)
        self._id_keys = _KeyCache(base + layout.ID_TABLE + ":", plan.node_of_slot)

    def add(self, result: BlockResult) -> None:
        for table, buckets, parts in ((self.doc, result.doc_buckets, result.doc_parts),
                                      (self.ids, result.id_buckets, result.id_parts)):
            for i, b in enumerate(buckets):
                group = table.get(b)
                if group is None:
                    table[b] = parts[2 * i:2 * i + 2]
                else:
                    group += parts[2 * i:2 * i + 2]
        self.pending += len(result.doc_buckets)

    def drain(self) -> list[tuple[str | None, bytes]]:
        """Packed calls for everything gathered, each under max_pairs pairs."""
        calls: list[tuple[str | None, bytes]] = []
        by_node: dict[str | None, tuple[list[bytes], list[int]]] = {}
        tables = ((self.doc, self._doc_keys, b"q"), (self.ids, self._id_keys, b"a"))
        for table, keys, mode in tables:
            for b, pairs in table.items():
                node, key = keys.get(b)
                parts, size = by_node.setdefault(node, ([], [0]))
                for start in range(0, len(pairs), 2 * self.max_pairs):
                    chunk = pairs[start:start + 2 * self.max_pairs]
                    parts += (key, mode, str(len(chunk) // 2).encode())
                    parts += chunk
                    size[0] += len(chunk) // 2
                    if size[0] >= self.max_pairs:
                        calls.append((node, b"\0".join(parts)))
                        parts.clear()
                        size[0] = 0
            table.clear()
        for node, (parts, _) in by_node.items():
            if parts:
                calls.append((node, b"\0".join(parts)))
        self.pending = 0
        return calls


class _KeyCache:
    def __init__(self, base: str, node_of_slot: list[str] | None) -> None:
        self.base = base
        self.node_of_slot = node_of_slot
        self.cache: dict[int, tuple[str | None, bytes]] = {}

    def get(self, bucket: int) -> tuple[str | None, bytes]:
        hit = self.cache.get(bucket)
        if hit is None:
            key = f"{self.base}{bucket}".encode()
            node = self.node_of_slot[key_slot(key)] if self.node_of_slot else None
            hit = self.cache[bucket] = (node, key)
        return hit


_packer: Packer | None = None


def init_process(plan: Plan) -> None:
    """Pool initializer: one packer per process, built once."""
    global _packer
    _packer = Packer(plan)


def parse_block(block: bytes, first_line: int, where: str, packer: Packer | None = None
                ) -> BlockResult:
    """Check a block's lines; pack its SLTD records (the later of two equal ids wins)."""
    packer = packer or _packer
    assert packer is not None, "init_process was not called"
    out = BlockResult(size=len(block))
    latest: dict[str, Sltd] = {}
    for n, raw in enumerate(block.split(b"\n"), first_line):
        line = raw.strip()
        if not line:
            continue
        record = fast_line(line)
        if record is not None:
            latest[record.id] = record
            if len(out.samples) < SAMPLES_PER_BLOCK:
                out.samples.append({"list": "sltd", **record._asdict()})
            continue
        if len(line) > MAX_LINE_BYTES:
            out.errors.append((f"{where}:{n}", "line longer than 1 MiB"))
            continue
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            out.errors.append((f"{where}:{n}", f"not JSON ({exc.msg})"))
            continue
        if not isinstance(data, dict):
            out.errors.append((f"{where}:{n}", "not a JSON object"))
            continue
        lst = data.get("list")
        if lst != "sltd":
            if lst in KNOWN_LISTS:
                out.others.append((f"{where}:{n}", line))
            else:
                out.errors.append((f"{where}:{n}", f"unknown list {str(lst)[:20]!r}"))
            continue
        record = fast_sltd(data)
        if record is None:
            try:
                record = _model_sltd(data)
            except ValidationError as exc:
                out.errors.append((f"{where}:{n}", _why(exc)))
                continue
        latest[record.id] = record
        if len(out.samples) < SAMPLES_PER_BLOCK:
            out.samples.append({"list": "sltd", **record._asdict()})
    out.sltd = len(latest)
    packer.pack(list(latest.values()), out)
    return out
