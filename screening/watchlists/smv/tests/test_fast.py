"""The SMV's bulk fast path: whatever it accepts, the model accepts and packs the same;
what it leaves alone goes through the model, whose errors keep their messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from screening.watchlists.batch import _strings
from screening.watchlists.keys import Keys
from screening.watchlists.sltd.blocks import (
    SMV_PLATES,
    SMV_RECORDS,
    Groups,
    Packer,
    Plan,
    entries,
    group_entries,
    parse_block,
    read_blocks,
)
from screening.watchlists.smv import body, compact
from screening.watchlists.smv.fast import INDEX_ENTRY, fast_smv, model_smv
from screening.watchlists.smv.record import SmvRecord
from screening.watchlists.store import Version

TEXT = st.one_of(st.none(), st.sampled_from(["Skoda", "Octavia", "white", " pad", "Grün", "",
                                             "x" * 129, "NCB-D", "NCB-F", "a\tb"]),
                 st.text(max_size=12))
WHEN = st.one_of(st.none(), st.sampled_from([
    "2023-11-10", "2021-02-30", "1899-12-31", "2024-03-01T10:11:12Z",
    "2024-03-01T00:00:00Z", "2024-03-01T10:11:12+05:30", "2024-03-01T10:11:12.5Z",
    "2024-03-01 10:11:12Z", "2201-01-01", "20240301", 20240301]), st.text(max_size=25))
RECORD = st.fixed_dictionaries(
    {"list": st.just("smv"),
     "id": st.one_of(st.sampled_from(["SMV-1", " S", "", "x" * 65]), st.text(max_size=8))},
    optional={"vin": st.one_of(TEXT, st.sampled_from(["VF3GBKUZ7KL370057", "WBA1234"])),
              "plate": st.one_of(TEXT, st.sampled_from(["RJ 492HH", "АВ 123"])),
              "plate_country": st.one_of(st.none(), st.sampled_from(["D", "ITA", "gbr", "ABCD",
                                                                     " D", "D<"])),
              "make": TEXT, "model": TEXT, "colour": TEXT,
              "reported_at": WHEN, "valid_until": WHEN,
              "action": st.one_of(st.none(), st.sampled_from(["seize", "inform", "arrest"])),
              "owner": TEXT, "extra": st.integers()})


@settings(max_examples=2000, deadline=None)
@given(RECORD)
def test_the_fast_path_accepts_only_what_the_model_does_and_packs_the_same(
        data: dict[str, Any]) -> None:
    fast = fast_smv(data)
    try:
        expected = model_smv(data)
    except ValidationError:
        assert fast is None
        return
    assert fast is None or fast == expected


def test_the_generators_shape_takes_the_fast_path() -> None:
    line = {"list": "smv", "id": "SMV-000001", "plate": "RJ 492HH", "plate_country": "ITA",
            "make": "Mercedes-Benz", "model": "A-Class", "colour": "white",
            "reported_at": "2024-10-26T08:09:10Z", "action": "seize", "owner": "NCB-ITA",
            "valid_until": "2027-01-01T00:00:00Z"}
    fast = fast_smv(line)
    assert fast is not None
    assert fast.body == body.pack(SmvRecord.model_validate(line))


def _smv(rid: str, **fields: Any) -> bytes:
    return orjson.dumps({"list": "smv", "id": rid, **fields})


def test_blocks_pack_vehicles_report_bad_ones_and_keep_the_later_of_an_id(
        tmp_path: Path) -> None:
    lines = [_smv("V1", plate="AB 123", plate_country="D"), _smv("V2"),
             _smv("V3", vin="VF3GBKUZ7KL370057", plate_country="ABCD"),
             _smv("V1", plate="ZZ 999", plate_country="D"), b"{bad"]
    path = tmp_path / "smv.ndjson"
    path.write_bytes(b"\n".join(lines) + b"\n")
    plan = Plan("p", "v", 7, 5, None, (5, 3, 11))
    results = [parse_block(b.data, b.first_line, str(b.path), Packer(plan))
               for b in read_blocks([path])]
    errors = [(w.rsplit(":", 1)[1], why) for r in results for w, why in r.errors]
    assert errors[0] == ("2", "record: Value error, a stolen vehicle record needs vin or plate")
    assert errors[1][0] == "3" and errors[1][1].startswith("plate_country:")
    assert [e[0] for e in errors] == ["2", "3", "5"]
    assert sum(r.smv for r in results) == 1  # V1 twice: the later line only
    records = [pair for r in results for _, pair in entries(r.tables[SMV_RECORDS])]
    assert len(records) == 1 and body.unpack(_strings(records[0])[1])["plate"] == "ZZ 999"
    # Its plate's keys, each a field byte and a 5-byte entry ending with the id digest.
    keys = [entry for r in results for chunk in r.tables[SMV_PLATES]
            for _, _, entry in INDEX_ENTRY.iter_unpack(chunk)]
    assert len(keys) == len(compact.plate_keys("ZZ 999"))
    assert all(len(k) == 5 and k.endswith(compact.id_digest("V1")) for k in keys)
    groups = Groups(plan)
    for r in results:
        groups.add(r)
    writes = [w for t, chunks in groups.take()
              for _, ws in groups.writes(t, group_entries(chunks, groups.mode(t))) for w in ws]
    assert {w.mode for w in writes} == {b"p", b"c"}
    # Packed fields: one HSET pair per field, however many keys share it.
    fields = sum(w.pairs for w in writes if w.mode == b"c")
    assert fields <= len(keys)


def test_a_bulk_load_writes_what_live_upserts_write(tmp_path: Path) -> None:
    """The bulk path's inlined digests and slots (pack_vehicles) against the layout's own
    (SmvLayout, which live updates use): the same keys, fields and values."""
    data = [{"id": "V1", "vin": "VF3GBKUZ7KL370057", "plate": "AB 123", "plate_country": "D"},
            {"id": "V2", "plate": "XY-99 Ö", "make": "Trabant", "reported_at": "2024-01-02"},
            {"id": "smv/ä 3", "vin": "123", "plate": "B MW 1"}]
    path = tmp_path / "smv.ndjson"
    path.write_bytes(b"\n".join(_smv(**{"rid": d["id"], **{k: v for k, v in d.items()
                                                             if k != "id"}})
                                for d in data) + b"\n")
    plan = Plan("p", "v", 7, 5, None, (5, 3, 11))
    groups = Groups(plan)
    for b in read_blocks([path]):
        groups.add(parse_block(b.data, b.first_line, str(b.path), Packer(plan)))
    got = set()
    for t, chunks in groups.take():
        for _, writes in groups.writes(t, group_entries(chunks, groups.mode(t))):
            for w in writes:
                items = _strings(w.body)
                for fld, value in zip(items[::2], items[1::2], strict=True):
                    if w.mode == b"c":
                        got |= {(w.key.decode(), fld, value[i:i + compact.ENTRY_BYTES])
                                for i in range(0, len(value), compact.ENTRY_BYTES)}
                    else:
                        got.add((w.key.decode(), fld, value))
    layout, keys = compact.SmvLayout(), Keys("p")
    version = Version("v", {"tr": 5, "tv": 3, "tp": 11})
    want = set()
    for d in data:
        record = SmvRecord.model_validate({"list": "smv", **d})
        digest = compact.id_digest(record.id)
        want.add((*layout._record_slot(version, keys, digest), body.pack(record)))
        want |= set(layout._index_ops(version, keys, digest, record.vin, record.plate))
    assert got == want
