"""Bulk-load blocks: many NDJSON lines in, compact-layout writes packed for Redis out.

Runs in worker processes (or in the loading process for small files): a block is
parsed, its SLTD and SMV lines checked (each list's fast path, else its model) and
turned into their compact tables' new entries, already in RESP for native HSETs and
partitioned by bucket (Groups gathers them, groups them by bucket and by the cluster
node that serves them). Notice and event lines go back to the loading process as they
are (their layout needs the models and the matching code's profiles).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import orjson
import screening_native
from pydantic import TypeAdapter, ValidationError
from redis.crc import key_slot
from screening_native import SmvPacker

from screening.gcpolicy import HeapFreezer, stop_automatic_collection
from screening.matching.normalize import COUNTRY_ALIASES
from screening.watchlists.batch import BucketWrite, spare_key
from screening.watchlists.generic import EntriesLayout
from screening.watchlists.keys import Keys
from screening.watchlists.lists import LISTS
from screening.watchlists.records import MODELS
from screening.watchlists.registry import LIST_NAMES
from screening.watchlists.sltd import layout
from screening.watchlists.sltd.fast import LINES, Sltd, fast_line, fast_sltd, real_date
from screening.watchlists.sltd.record import SltdRecord
from screening.watchlists.smv import compact as smv
from screening.watchlists.smv.fast import INDEX_ENTRY, fast_smv, model_smv, smv_packer
from screening.watchlists.store import Version

MAX_LINE_BYTES = 1 << 20
BLOCK_BYTES = 1 << 20
SAMPLES_PER_BLOCK = 2
_SLTD = TypeAdapter(SltdRecord)


@dataclass(frozen=True)
class Plan:
    """What a packing process needs to know of the version being loaded."""

    prefix: str
    version: str
    doc_buckets: int
    id_buckets: int
    node_of_slot: list[str] | None = None  # None: one server
    # The SMV's tables: records, VIN index, plate index (smv/compact.py).
    smv_buckets: tuple[int, int, int] = (1, 1, 1)
    # Every table's bucket count (the version's): entries-layout records are turned into
    # their writes here.
    buckets: dict[str, int] = field(default_factory=dict)

    @property
    def target(self) -> tuple[Version, Keys]:
        """The version being loaded and its keys, as the layouts' slot() take them."""
        return Version(self.version, self.buckets), Keys(self.prefix)

    @property
    def tables(self) -> tuple[TablePlan, ...]:
        """The tables bulk loads write natively, in the order of BlockResult.tables."""
        records, vins, plates = self.smv_buckets
        return (TablePlan(layout.DOC_TABLE, self.doc_buckets, b"q"),
                TablePlan(layout.ID_TABLE, self.id_buckets, b"a"),
                TablePlan(smv.RECORDS, records, b"p"),
                TablePlan(smv.VINS, vins, b"c"),
                TablePlan(smv.PLATES, plates, b"c"))

    @property
    def parts(self) -> int:
        """Partitions of each table's new entries (by bucket modulo): each gathered
        and grouped apart, so that the grouping's working set stays small."""
        return max(1, min(64, max(t.buckets for t in self.tables) // 2048))


class TablePlan(NamedTuple):
    name: str
    buckets: int
    # How a bucket's entries merge with those already there (lua/bulk.lua): q SLTD
    # entries (by record id after a code byte), a digests (appended, repeats reported),
    # p SMV bodies (by record id, repeats reported), c packed index entries (appended).
    mode: bytes


SLTD_DOCS, SLTD_IDS, SMV_RECORDS, SMV_VINS, SMV_PLATES = range(5)
# What an SMV record weighs in a group, in SLTD records: a body of about forty bytes and
# about eight index entries, against two entries of about thirty.
SMV_WEIGHT = 4
# Packed index entries (smv.fast.INDEX_ENTRY, 10 bytes each, about nine a vehicle) a bulk
# load holds back to write once at its end (Groups.take): 1.2 million vehicles' worth.
HOLD_PACKED_BYTES = 96 << 20


# An entry in a partition: its bucket and the length of the field/value pair that
# follows (two RESP bulk strings, as BucketWrite.body holds them).
_ENTRY = struct.Struct(">IH")


@dataclass
class BlockResult:
    # New entries per compact table (Plan.tables), in Plan.parts partitions (see _ENTRY;
    # a packed index's are smv.fast.INDEX_ENTRY, fixed-size).
    tables: list[list[bytes]] = field(default_factory=lambda: [[] for _ in range(5)])
    sltd: int = 0
    smv: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    others: list[tuple[str, bytes]] = field(default_factory=list)  # (where, line)
    # Records of the entries-layout lists (notices, event lists), indexed here and turned
    # into their writes (EntriesLayout.puts): the matching code's profiles and keys, the
    # entries' packing and slots are most of their cost. (list, id, writes packed:
    # batch.pack_ops, one bytes object to hand back instead of some 125).
    indexed: list[tuple[str, str, bytes]] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    size: int = 0  # bytes of input

    @property
    def doc_parts(self) -> list[bytes]:
        return self.tables[SLTD_DOCS]

    @property
    def id_parts(self) -> list[bytes]:
        return self.tables[SLTD_IDS]


_BOM = b"\xef\xbb\xbf"


class Block(NamedTuple):
    path: Path
    first_line: int  # number of the block's first line in its file
    offset: int  # of the block's first byte in its file
    data: bytes  # whole lines only


def read_blocks(paths: list[Path], block_bytes: int = BLOCK_BYTES, *, divisor: int = 1
                ) -> Iterator[Block]:
    """The files' lines in blocks of about block_bytes / divisor (a leading UTF-8 byte
    order mark, as some exports write, is skipped)."""
    block_bytes = max(1, block_bytes // divisor)
    for path in paths:
        line, offset = 1, 0
        with open(path, "rb") as fh:
            if fh.read(3) == _BOM:
                offset = 3
            else:
                fh.seek(0)
            rest = b""
            while True:
                chunk = fh.read(block_bytes)
                if not chunk:
                    if rest:
                        yield Block(path, line, offset, rest)
                    break
                data = rest + chunk
                cut = data.rfind(b"\n") + 1
                if cut == 0:
                    rest = data  # a line longer than the block: keep reading
                    continue
                block, rest = data[:cut], data[cut:]
                yield Block(path, line, offset, block)
                line += block.count(b"\n")
                offset += cut


def parse_range(path: str, offset: int, size: int, first_line: int) -> BlockResult:
    """parse_block for a block a packing process reads from the file itself: handing
    it the bytes through the pool's pipe cost the loading process more than a tenth
    of its time."""
    with open(path, "rb") as fh:
        block = os.pread(fh.fileno(), size, offset)
    if len(block) != size:
        raise OSError(f"{path} changed while it was loaded")
    result = parse_block(block, first_line, path)
    if _freezer is not None:
        _freezer.maybe_tick()
    return result


def _model_sltd(data: dict[str, Any]) -> Sltd:
    record = _SLTD.validate_python(data)
    return Sltd(record.id, record.document_number, record.issuing_state,
                record.document_type, record.status,
                layout.extras_of(record.action, record.owner, record.valid_until))


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"]) or "record"
    return f"{loc}: {first['msg']}"


# What pack needs of a record: id, logical document field, code byte, extras, as bytes.
Ready = tuple[bytes, bytes, bytes, bytes]
_NOT_ALNUM = re.compile(rb"[^A-Z0-9]+")
_STATES = {k.encode(): v.encode() for k, v in COUNTRY_ALIASES.items()}
_CODES = {(status.encode(), typ.encode()): bytes((layout.code_of(status, typ),))
          for status in layout.STATUSES for typ in layout.TYPES}


def ready(record: Sltd) -> Ready:
    field = layout.document_field(record.document_number, record.issuing_state)
    return (record.id.encode(), field.encode(),
            bytes((layout.code_of(record.status, record.document_type),)), record.extras)


def _ready_line(rid: bytes, number: bytes, state: bytes, doc_type: bytes | None,
                status: bytes) -> Ready:
    """ready() of a line the fast path matched, without decoding it: its strings are
    printable ASCII, where the document number's folding is upper-casing and dropping
    what is not A-Z or 0-9 (matching.normalize._fold_code), and the state A-Z already,
    only renamed where it has two names (canonical_country)."""
    folded = number.upper()
    if not folded.isalnum():
        folded = _NOT_ALNUM.sub(b"", folded)
    code = _CODES.get((status, doc_type or b""))
    if code is None:  # a document type without a code of its own
        code = bytes((layout.code_of(status.decode(), None),))
    return rid, folded + b"|" + _STATES.get(state, state), code, b""


class Packer:
    """Records into the compact tables' entries (runs in the packing processes)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.version, self.keys = plan.target
        # SMV lines, read, checked and packed compiled (smv/fast.py), a block at a time.
        self.vehicles = smv_packer(plan.smv_buckets, plan.parts)

    def pack(self, records: Iterable[Ready], out: BlockResult) -> None:
        plan = self.plan
        doc_buckets, id_buckets, parts = plan.doc_buckets, plan.id_buckets, plan.parts
        dp = [bytearray() for _ in range(parts)]
        ip = [bytearray() for _ in range(parts)]
        entry = _ENTRY.pack
        doc_digest, doc_slot = layout.doc_digest_of, layout.doc_slot
        id_digest, id_slot = layout.id_digest_of, layout.id_slot
        for rid, document, code, extras in records:
            digest = doc_digest(document)
            b, dfield = doc_slot(digest, doc_buckets)
            pair = b"$6\r\n%b\r\n$%d\r\n%b%b%b\r\n" % (dfield, len(rid) + 1 + len(extras),
                                                          code, rid, extras)
            part = dp[b % parts]
            part += entry(b, len(pair))
            part += pair
            b, ifield = id_slot(id_digest(rid), id_buckets)
            pair = b"$4\r\n%b\r\n$9\r\n%b\r\n" % (ifield, digest)
            part = ip[b % parts]
            part += entry(b, len(pair))
            part += pair
        out.tables[SLTD_DOCS] = [bytes(x) for x in dp]
        out.tables[SLTD_IDS] = [bytes(x) for x in ip]

    def pack_smv(self, out: BlockResult) -> None:
        """The block's SMV records into their bodies and index entries (smv/fast.py)."""
        out.smv, made = self.vehicles.finish()
        if out.smv:
            for table, parts in zip((SMV_RECORDS, SMV_VINS, SMV_PLATES), made, strict=True):
                out.tables[table] = parts


def entries(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """(bucket, field/value pair) of each entry in partition chunks."""
    unpack = _ENTRY.unpack_from
    for chunk in chunks:
        pos, end = 0, len(chunk)
        while pos < end:
            b, size = unpack(chunk, pos)
            pos += 6
            yield b, chunk[pos:pos + size]
            pos += size


# A partition's entries grouped by bucket: (bucket, pairs, body) each.
Grouped = list[tuple[int, int, bytes]]


def group_entries(chunks: list[bytes], mode: bytes = b"q") -> Grouped:
    """A partition's entries grouped by bucket. Runs in the packing processes when
    there are some: grouping costs the loading process a cache miss or two a record.
    A packed index's entries (mode c) are joined per field, one HSET pair each.
    Compiled (native/src/smv.rs); _py_group_entries is the reference."""
    grouped = screening_native.group_entries(chunks, mode == b"c")
    return _py_group_entries(chunks, mode) if grouped is None else grouped


def _py_group_entries(chunks: list[bytes], mode: bytes = b"q") -> Grouped:
    if mode == b"c":
        return _group_packed(chunks)
    groups: dict[int, list[bytes]] = {}
    for b, pair in entries(chunks):
        group = groups.get(b)
        if group is None:
            groups[b] = [pair]
        else:
            group.append(pair)
    return [(b, len(g), b"".join(g)) for b, g in groups.items()]


def _group_packed(chunks: list[bytes]) -> Grouped:
    """Packed index entries (smv.fast.INDEX_ENTRY: bucket, field number, 5-byte entry)
    joined per field of each bucket, one HSET pair a field (smv.FIELDS names it). An
    entry met again (a record listed twice, in blocks apart) is kept once, as the bulk
    script's merge keeps it."""
    fields: dict[int, list[bytes]] = {}
    for chunk in chunks:
        for b, slot, entry in INDEX_ENTRY.iter_unpack(chunk):
            key = b << 8 | slot
            items = fields.get(key)
            if items is None:
                fields[key] = [entry]
            elif entry not in items:
                items.append(entry)
    buckets: dict[int, list[bytes]] = {}
    for key, items in fields.items():
        value = b"".join(items)
        fld = smv.FIELDS[key & 0xFF]
        pair = b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(fld), fld, len(value), value)
        pairs = buckets.get(key >> 8)
        if pairs is None:
            buckets[key >> 8] = [pair]
        else:
            pairs.append(pair)
    return [(b, len(pairs), b"".join(pairs)) for b, pairs in buckets.items()]


class Groups:
    """New entries gathered across many blocks (in the loading process) so that each
    bucket is written with few commands: kept as the blocks' partition chunks, then
    grouped by bucket one partition at a time (group_entries) and turned into one
    BucketWrite per bucket, split by the cluster node serving it. Remembers which
    buckets were written before, so that a later group for one is known to be a
    revisit."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.version, self.keys = plan.target
        self._tables = plan.tables
        self._chunks = self._empty()
        self.pending = 0  # records gathered, SMV records counted as their entries weigh
        self._drained = tuple(bytearray(t.buckets) for t in self._tables)
        base = f"{plan.prefix}:{plan.version}:"
        self._keys = tuple(_KeyCache(f"{base}{t.name}:", plan.node_of_slot)
                           for t in self._tables)

    def _empty(self) -> tuple[list[list[bytes]], ...]:
        return tuple([[] for _ in range(self.plan.parts)] for _ in self._tables)

    def add(self, result: BlockResult) -> None:
        for chunks, parts in zip(self._chunks, result.tables, strict=True):
            if not parts:  # no record of that table's list in the block
                continue
            for into, chunk in zip(chunks, parts, strict=True):
                if chunk:
                    into.append(chunk)
        self.pending += result.sltd + SMV_WEIGHT * result.smv

    def mode(self, table: int) -> bytes:
        return self._tables[table].mode

    def take(self, final: bool = True) -> list[tuple[int, list[bytes]]]:
        """What was gathered, as (table, a partition's chunks), tables as Plan.tables.
        Before the last group (not `final`), packed index entries are held back while
        they fit in HOLD_PACKED_BYTES: a bucket of theirs written twice is merged by the
        bulk script entry by entry (with two groups of 50,000 vehicles, two thirds of
        Redis's CPU per record, measured), where held they cost the loader 10 bytes of
        memory each and are written once."""
        held = 0 if final else sum(len(c) for t, table in enumerate(self._chunks)
                                   if self._tables[t].mode == b"c" for p in table for c in p)
        hold = {t for t, plan in enumerate(self._tables)
                if plan.mode == b"c"} if 0 < held <= HOLD_PACKED_BYTES else set()
        out = [(t, chunks) for t, table in enumerate(self._chunks) if t not in hold
               for chunks in table if chunks]
        self._chunks = tuple(table if t in hold else [[] for _ in range(self.plan.parts)]
                             for t, table in enumerate(self._chunks))
        self.pending = 0
        return out

    def writes(self, table: int, grouped: Grouped) -> list[tuple[str | None, list[BucketWrite]]]:
        """A partition's grouped entries as (node, its buckets' writes)."""
        keys, drained, mode = self._keys[table], self._drained[table], self._tables[table].mode
        by_node: dict[str | None, list[BucketWrite]] = {}
        for b, pairs, body in grouped:
            node, key, spare = keys.get(b)
            writes = by_node.get(node)
            if writes is None:
                writes = by_node[node] = []
            writes.append(BucketWrite(key, spare, mode, drained[b] == 1, pairs, body))
            drained[b] = 1
        return list(by_node.items())


class _KeyCache:
    """Per bucket: the node serving it (None on one server), its key and spare key."""

    def __init__(self, base: str, node_of_slot: list[str] | None) -> None:
        self.base = base
        self.node_of_slot = node_of_slot
        self.cache: dict[int, tuple[str | None, bytes, bytes | None]] = {}

    def get(self, bucket: int) -> tuple[str | None, bytes, bytes | None]:
        hit = self.cache.get(bucket)
        if hit is None:
            key = f"{self.base}{bucket}".encode()
            node = self.node_of_slot[key_slot(key)] if self.node_of_slot else None
            hit = self.cache[bucket] = (node, key, spare_key(key))
        return hit


_packer: Packer | None = None
_freezer: HeapFreezer | None = None


def init_process(plan: Plan) -> None:
    """Pool initializer: one packer per process, built once; no automatic collections
    (see parse_block), survivors frozen a minute apart instead."""
    global _packer, _freezer
    _packer = Packer(plan)
    _freezer = stop_automatic_collection()


@contextlib.contextmanager
def _no_automatic_collection() -> Iterator[None]:
    """A block parsed without the collector's automatic passes. Indexing a notice makes
    a few hundred short-lived containers and no reference cycles, and fills the matching
    code's caches (some hundred thousand tuples) that each older pass walks again: the
    passes cost about a seventh of a notice load's CPU. Off for one block (or, in a
    packing process, for good: init_process), what a block leaves is collected after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def parse_block(block: bytes, first_line: int, where: str, packer: Packer | None = None
                ) -> BlockResult:
    """Check a block's lines; pack its SLTD records (the later of two equal ids wins).

    SLTD lines in the plain shape feeds write are found by one regex over the whole
    block, SMV lines in theirs compiled (packer.vehicles); the lines between them (other
    lists, other key orders, errors) are read one by one."""
    packer = packer or _packer
    assert packer is not None, "init_process was not called"
    with _no_automatic_collection():
        return _parse_block(block, first_line, where, packer)


def _parse_block(block: bytes, first_line: int, where: str, packer: Packer) -> BlockResult:
    out = BlockResult(size=len(block))
    latest: dict[bytes, Ready] = {}
    vehicles = packer.vehicles
    pos, n = 0, first_line
    for m in LINES.finditer(block):
        start = m.start()
        if start != pos:
            gap = block[pos:start]
            for k, raw in vehicles.feed(gap, n):
                _slow_line(raw, k, where, (latest, vehicles), out, packer)
            n += gap.count(b"\n")
        rid, number, state, doc_type, status, when = m.groups()
        if when is not None and not real_date(when):
            _slow_line(m[0], n, where, (latest, vehicles), out, packer)
        else:
            latest[rid] = _ready_line(rid, number, state, doc_type, status)
            if len(out.samples) < SAMPLES_PER_BLOCK:
                out.samples.append(_sample(fast_line(m[0])))  # type: ignore[arg-type]
        n += 1
        pos = m.end() + 1
    for k, raw in vehicles.feed(block[pos:], n):
        _slow_line(raw, k, where, (latest, vehicles), out, packer)
    out.sltd = len(latest)
    packer.pack(latest.values(), out)
    packer.pack_smv(out)
    return out


def _index(lst: str, data: dict[str, Any], where: str, out: BlockResult,
           packer: Packer) -> None:
    """A record of an entries-layout list, checked by its layout's lean check else by its
    model, indexed by its layout and turned into its writes (a record its layout cannot
    index is reported, as the loading process would)."""
    layout = LISTS[lst].layout
    assert isinstance(layout, EntriesLayout)
    record: Any = layout.lean(data)  # a Checked, else the model's record
    if record is None:
        try:
            record = MODELS[lst].model_validate(data)
        except ValidationError as exc:
            out.errors.append((where, _why(exc)))
            return
    try:
        puts = layout.packed_index(packer.version, packer.keys, record)
    except Exception as exc:  # the matching code's: the record is reported, not the load
        out.errors.append((where, f"{lst} {record.id}: cannot be indexed "
                                  f"({type(exc).__name__}: {str(exc)[:120]})"))
        return
    out.indexed.append((lst, record.id, puts))


def _sample(record: Sltd) -> dict[str, Any]:
    """A record for simulators to aim at (the sample kept with the version)."""
    data = record._asdict()
    data.pop("extras")
    return {"list": "sltd", **data}


def _slow_line(raw: bytes, n: int, where: str,
               latest: tuple[dict[bytes, Ready], SmvPacker], out: BlockResult,
               packer: Packer) -> None:
    """A line neither the block's pattern nor the compiled SMV reader took: read as
    JSON, then by its list's fast path or model (the later of two equal ids wins: in
    `latest` by list, the SMV's by line number)."""
    line = raw.strip()
    if not line:
        return
    record = fast_line(line)
    if record is None:
        if len(line) > MAX_LINE_BYTES:
            out.errors.append((f"{where}:{n}", "line longer than 1 MiB"))
            return
        try:
            data = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            out.errors.append((f"{where}:{n}", f"not JSON ({exc.msg})"))
            return
        if not isinstance(data, dict):
            out.errors.append((f"{where}:{n}", "not a JSON object"))
            return
        lst = data.get("list")
        if lst == "smv":
            try:
                vehicle = fast_smv(data) or model_smv(data)
            except ValidationError as exc:
                out.errors.append((f"{where}:{n}", _why(exc)))
                return
            latest[1].put(n, vehicle.id, vehicle.body, smv.vin_key(vehicle.vin),
                          smv.plate_keys(vehicle.plate))
            return
        if lst != "sltd":
            if lst not in LIST_NAMES:
                out.errors.append((f"{where}:{n}", f"unknown list {str(lst)[:20]!r}"))
            elif isinstance(LISTS[lst].layout, EntriesLayout):
                _index(lst, data, f"{where}:{n}", out, packer)
            else:
                out.others.append((f"{where}:{n}", line))
            return
        record = fast_sltd(data)
        if record is None:
            try:
                record = _model_sltd(data)
            except ValidationError as exc:
                out.errors.append((f"{where}:{n}", _why(exc)))
                return
    latest[0][record.id.encode()] = ready(record)
    if len(out.samples) < SAMPLES_PER_BLOCK:
        out.samples.append(_sample(record))
