"""The compiled bulk-load helpers against their Python references (issue 19), case for case.

- SmvPacker (native/src/smv.rs) reads a stolen-vehicle line only where the Python path
  (orjson, then smv.fast.fast_smv) takes it too, and packs it byte for byte as that path
  does (_py_pack_vehicles): bodies, digests, buckets, index entries, partitions. A line
  it hands back goes the Python way; what it keeps and what that way put keep the later
  line of an id, in line order, as the Python block reader's dict did.
- group_entries (native) groups partitions as blocks._py_group_entries does.
- EntryGroups (native/src/entries.rs) gathers entries-layout puts as _PyEntryGroups does.
- NoticeLayout.packed_puts (its name entries through name_puts) packs what
  pack_ops(puts()) packs.
"""

from __future__ import annotations

import random
import string
from typing import Any

import orjson
import screening_native
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screening.watchlists.batch import pack_ops
from screening.watchlists.bulk_entries import _PyEntryGroups
from screening.watchlists.keys import Keys
from screening.watchlists.lists import LISTS
from screening.watchlists.notices.layout import NoticeLayout
from screening.watchlists.notices.mock import iter_notices
from screening.watchlists.records import MODELS
from screening.watchlists.sltd.blocks import _ENTRY, _py_group_entries, group_entries
from screening.watchlists.smv import compact
from screening.watchlists.smv.fast import (
    INDEX_ENTRY,
    Smv,
    _py_pack_vehicles,
    _py_vehicle,
    model_smv,
    smv_packer,
)
from screening.watchlists.smv.mock import iter_smv
from screening.watchlists.store import Version

SHAPE = ((7, 5, 11), 3)  # bucket counts (records, VINs, plates), partitions

PLAIN = st.text(alphabet=string.ascii_uppercase + string.digits + " -", min_size=0, max_size=22)
ODD = st.sampled_from(["", " ", " pad", "pad ", "a\tb", "Grün", "АВ 123", "x" * 129, "q\"uote",
                       "back\\slash", "\x7f", "NCB-D", "NCB-ITA", "seize", "inform", "arrest"])
TEXT = st.one_of(st.none(), PLAIN, ODD, st.text(max_size=12),
                 st.sampled_from(["Skoda", "Octavia", "white", "Land Rover", "Mercedes-Benz"]))
WHEN = st.one_of(st.none(), st.sampled_from([
    "2023-11-10", "2021-02-29", "2024-02-29", "2100-02-29", "2000-02-29", "1900-01-01",
    "1899-12-31", "2200-12-31", "2201-01-01", "2024-13-01", "2024-00-10", "2024-01-32",
    "2024-03-01T10:11:12Z", "2024-03-01T00:00:00Z", "2024-03-01T00:00:00+01:00",
    "2024-03-01T10:11:12+05:30", "2024-03-01T10:11:12-14:59", "2024-03-01T10:11:12+15:00",
    "2024-03-01T24:00:00Z", "2024-03-01T23:60:00Z", "2024-03-01T10:11:12.5Z",
    "2024-03-01 10:11:12Z", "1900-01-01T00:30:00+01:00", "1900-01-01T05:00:00+14:00",
    "1900-01-01T00:00:01Z", "20240301", "2024-3-01", 20240301]), st.text(max_size=25))
COUNTRY = st.one_of(st.none(), st.sampled_from(["D", "ITA", "GBR", "gbr", "ABCD", " D", "D<",
                                                "DEU", "ZZZ", "", "É"]))
RECORD = st.fixed_dictionaries(
    {"list": st.sampled_from(["smv", "smv", "smv", "sltd", None])},
    optional={"id": st.one_of(st.sampled_from(["SMV-1", " S", "", "x" * 64, "x" * 65, "smv/ä"]),
                              PLAIN, st.text(max_size=8), st.none(), st.integers(-99, 99)),
              "vin": st.one_of(TEXT, st.sampled_from(["VF3GBKUZ7KL370057", "WBA1234",
                                                      "vf3gbkuz7kl370057", "VF3GBKUZ7KL37005O"])),
              "plate": st.one_of(TEXT, st.sampled_from(["RJ 492HH", "АВ 123", "B-MW 1"])),
              "plate_country": COUNTRY, "make": TEXT, "model": TEXT, "colour": TEXT,
              "reported_at": WHEN, "valid_until": WHEN,
              "action": st.one_of(st.none(), st.sampled_from(["seize", "inform", "arrest"])),
              "owner": TEXT, "extra": st.integers(-99, 99), "names": st.just([])})


def _native(lines: list[bytes]) -> tuple[list[tuple[int, bytes]], int, tuple[list[bytes], ...]]:
    packer = smv_packer(*SHAPE)
    rest = packer.feed(b"\n".join(lines) + b"\n", 1)
    count, tables = packer.finish()
    return rest, count, tables


def _reference(records: list[Smv]) -> tuple[list[bytes], ...]:
    return _py_pack_vehicles(records, *SHAPE, _ENTRY.pack)


def _encodings(data: dict[str, Any], draw_ws: bool) -> list[bytes]:
    """The record as feeds may write it: compact, with JSON whitespace, keys reversed."""
    out = [orjson.dumps(data)]
    if draw_ws:
        out.append(b' { ' + b' , '.join(orjson.dumps(k) + b' :\t' + orjson.dumps(v)
                                        for k, v in data.items()) + b' }\r')
        out.append(orjson.dumps(dict(reversed(list(data.items())))))
    return out


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(RECORD, st.booleans())
@example({"list": "smv", "id": "V1", "vin": "VF3GBKUZ7KL370057", "plate": "RJ 492HH",
          "plate_country": "ITA", "make": "Mercedes-Benz", "model": "A-Class",
          "colour": "white", "reported_at": "2024-10-26T08:09:10+02:00", "action": "seize",
          "owner": "NCB-ITA", "valid_until": "2027-01-01T00:00:00Z"}, True)
@example({"list": "smv", "id": "V1", "plate": "X" * 20, "owner": "o" * 128,
          "reported_at": "1900-01-01T00:00:00Z", "valid_until": "1899-12-31T23:59:59Z"}, False)
def test_a_line_is_taken_only_as_the_python_path_takes_it_and_packed_the_same(
        data: dict[str, Any], whitespace: bool) -> None:
    for line in _encodings(data, whitespace):
        rest, count, tables = _native([line])
        expected = _py_vehicle(line.strip())
        if rest:  # handed back whole, for the Python path
            assert rest == [(1, line)] and count == 0
            continue
        assert expected is not None, line
        assert count == 1 and tables == _reference([expected])
        # ...which is what the model makes of it.
        assert expected == model_smv(orjson.loads(line))


def test_lines_the_python_path_refuses_or_reads_otherwise_are_handed_back() -> None:
    lines = [b'{"list":"smv","id":"V1","plate":"AB 1","plate":"AB 2"}',  # a key twice
             b'{"list":"smv","id":"V\\u0031","plate":"AB 1"}',  # an escape
             b'{"list":"smv","id":"V1","plate":"\xd0\x90\xd0\x92 123"}',  # not ASCII
             b'{"list":"smv","id":"V1","plate":"AB 1","valid_until":"2027-01-01"}',
             b'{"list":"smv","id":"V1","vin":"VF3GBKUZ7KL370057","reported_at":'
             b'"2024-01-01T00:00:00Z"}',  # a midnight: the model reads a date
             b'{"list":"smv","id":"V1","vin":"VF3GBKUZ7KL370057","reported_at":'
             b'"1900-01-01T05:00:00+14:00"}',  # before 1900 in UTC: kept as text
             b'{"list":"smv","id":"V1","plate":"AB 1"', b'{"list":"smv"}', b"{}", b"[]",
             b'{"list":"smv","id":"V1","plate":"AB 1"} x', b'{"list":"notice","id":"N"}',
             b'{"list":"smv","id":"V1","plate":"AB 1","speed":1}',
             b'{"list":"smv",' + b" " * (1 << 20) + b'"id":"V1","plate":"AB 1"}']  # > 1 MiB
    rest, count, _ = _native(lines)
    assert count == 0 and [raw for _, raw in rest] == lines


def test_the_generators_lines_take_the_compiled_path_or_non_ascii_plates_the_fast_one() -> None:
    records = list(iter_smv(3000, seed=19))
    lines = [orjson.dumps(r) for r in records]
    rest, count, tables = _native(lines)
    python = [_py_vehicle(line) for line in lines]
    assert all(python)  # no line of the generator's needs the model
    assert [n for n, _ in rest] == [i + 1 for i, r in enumerate(records)
                                    if not r.get("plate", "").isascii()]
    assert count == 3000 - len(rest) and rest
    kept = [v for n, v in enumerate(python, 1) if v is not None and n not in dict(rest)]
    assert tables == _reference(kept)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.booleans(),
                          st.sampled_from(["AB 1", "ZZ 999", "АВ 123"])), max_size=12),
       st.integers(1, 5))
def test_the_later_line_of_an_id_wins_whichever_path_read_it(
        rows: list[tuple[str, bool, str]], split: int) -> None:
    """Lines fed in pieces; the ones handed back are read the Python way and put under
    their line numbers (as blocks._slow_line does), some only after later lines were
    kept: the result is the Python block reader's (a dict, the later line of an id
    moved last)."""
    lines = [orjson.dumps({"list": "smv", "id": rid, "plate": plate, **({"make": "Lada"}
                                                                         if flag else {})})
             for rid, flag, plate in rows]
    packer = smv_packer(*SHAPE)
    handed: list[tuple[int, bytes]] = []
    for start in range(0, len(lines), split):
        handed += packer.feed(b"\n".join(lines[start:start + split]) + b"\n", start + 1)
    for n, raw in reversed(handed):  # out of order on purpose
        v = model_smv(orjson.loads(raw))
        packer.put(n, v.id, v.body, compact.vin_key(v.vin), compact.plate_keys(v.plate))
    count, tables = packer.finish()
    latest: dict[str, Smv] = {}
    for line in lines:
        data = orjson.loads(line)
        v = _py_vehicle(line) or model_smv(data)
        latest.pop(v.id, None)
        latest[v.id] = v
    assert count == len(latest) and tables == _reference(list(latest.values()))
    assert packer.finish() == (0, ([b""] * 3, [b""] * 3, [b""] * 3))  # emptied


def test_a_record_the_model_refuses_is_handed_back_for_its_message() -> None:
    lines = [b'{"list":"smv","id":"V1"}', b'{"list":"smv","id":"V2","vin":null,"plate":null}']
    rest, count, _ = _native(lines)
    assert count == 0 and [raw for _, raw in rest] == lines


def _partitions(rng: random.Random, packed: bool) -> list[bytes]:
    chunks = []
    for _ in range(rng.randrange(1, 5)):
        out = bytearray()
        for _ in range(rng.randrange(0, 60)):
            b = rng.randrange(6)
            if packed:
                out += INDEX_ENTRY.pack(b, rng.randrange(3), bytes((rng.randrange(1, 4),)) * 5)
            else:
                pair = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 30)))
                out += _ENTRY.pack(b, len(pair)) + pair
        chunks.append(bytes(out))
    return chunks


def test_grouping_is_the_references() -> None:
    rng = random.Random(19)
    for _ in range(400):
        for mode in (b"q", b"p", b"a", b"c"):
            chunks = _partitions(rng, mode == b"c")
            assert group_entries(chunks, mode) == _py_group_entries(chunks, mode)
    # A packed entry met again in a field is kept once.
    twice = INDEX_ENTRY.pack(1, 2, b"\x05abcd") * 2
    assert group_entries([twice], b"c") == [(1, 1, b"$1\r\n2\r\n$5\r\n\x05abcd\r\n")]
    assert screening_native.group_entries([b"\0\0\0\1\0\x09abc"], False) is None  # cut short


VALUE = st.binary(min_size=1, max_size=6).map(lambda b: b.replace(b"\0", b"z"))
# Entries (p ops) and bodies (s ops) live in tables of their own (EntriesLayout.puts).
OPS = st.lists(st.one_of(
    st.tuples(st.just("p"), st.sampled_from(["k:0", "k:1", "k:2"]),
              # fields alike in their first eight bytes, or one the other's start
              st.sampled_from([b"f1", b"f2", "f3", b"\x80\x1f", b"NTC-00001", b"NTC-00002",
                               b"NTC-000011", b"NTC-0000"]),
              st.sampled_from([b"r1", "r2", b"\x81A"]),
              VALUE.map(lambda b: b.replace(b"\x1e", b"y"))),
    st.tuples(st.just("s"), st.sampled_from(["b:0", "b:1"]), st.sampled_from([b"r1", "r2"]),
              st.just(""), VALUE)), max_size=8)


@settings(max_examples=500, deadline=None)
@given(st.lists(OPS, max_size=12))
def test_entry_groups_gather_as_the_reference_does(records: list[list[Any]]) -> None:
    native, python = screening_native.EntryGroups(), _PyEntryGroups()
    for ops in records:
        packed = pack_ops(ops)
        native.add(packed)
        python.add(packed)
        assert native.ops == python.ops
    assert native.take() == python.take()
    assert native.ops == 0 and native.take() == []


def test_entry_groups_take_puts_only() -> None:
    groups = screening_native.EntryGroups()
    for bad in (pack_ops([("d", "k", "f", "r", "")]), b"p\0k\0f"):
        try:
            groups.add(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was taken")


def test_notices_packed_puts_are_the_puts_packed() -> None:
    layout = LISTS["notice"].layout
    assert isinstance(layout, NoticeLayout)
    version, keys = Version("v1", {"nn": 1000, "ndoc": 64, "nrec": 64}), Keys("p{x}")
    for data in iter_notices(300, seed=19):
        indexed = layout.index(MODELS["notice"].model_validate(data))
        assert layout.packed_puts(version, keys, indexed) == pack_ops(
            layout.puts(version, keys, indexed))
