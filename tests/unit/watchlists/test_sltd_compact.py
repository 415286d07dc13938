"""The compact SLTD layout and the bulk load's fast path, without Redis."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from screening.models import SltdRecord
from screening.watchlists.batch import BucketWrite, _strings
from screening.watchlists.sltd import layout
from screening.watchlists.sltd.blocks import (
    Groups,
    Packer,
    Plan,
    entries,
    group_entries,
    parse_block,
    read_blocks,
)
from screening.watchlists.sltd.fast import fast_line, fast_sltd


def test_entries_round_trip_status_type_and_id() -> None:
    raw = layout.RS.join([layout.entry_value("SLTD-1", "stolen", "P"),
                          layout.entry_value("X 2", "stolen_blank", "ZZ")])
    assert layout.entries_of(raw) == [("SLTD-1", "stolen|P"), ("X 2", "stolen_blank|")]
    assert layout.entries_of(None) == []


@pytest.mark.parametrize("status", layout.STATUSES)
def test_codes_never_collide_with_separators(status: str) -> None:
    for typ in layout.TYPES:
        code = layout.code_of(status, typ)
        assert code >= 0x20 and code <= 0xFF


def test_digests_have_no_nul_and_place_documents_stably() -> None:
    for i in range(2000):
        d = layout.doc_digest(f"N{i}|GBR")
        assert len(d) == layout.DIGEST_BYTES and b"\0" not in d
        assert b"\0" not in layout.id_digest(f"SLTD-{i}")
    assert layout.doc_slot(layout.doc_digest("A1|D"), 97) == layout.doc_slot(
        layout.doc_digest("A1|D"), 97)


def test_digests_listed_in_an_id_value_come_back_whole() -> None:
    a, b = layout.doc_digest("A|D"), layout.doc_digest("B|D")
    assert layout.digests_of(a + b) == [a, b]


@pytest.mark.parametrize("limit", [128, 512])
def test_buckets_keep_a_six_sigma_margin_under_the_listpack_limit(limit: int) -> None:
    """Also once live upserts have added GROWTH more records than were loaded."""
    n = 1_000_000
    grown = n * layout.GROWTH / layout.buckets_for(n, limit)
    assert grown + 6 * grown ** 0.5 <= limit
    assert grown <= layout.TARGET_FILL
    assert grown >= min(limit / 3, 0.9 * layout.TARGET_FILL)  # and are not needlessly many


# -- fast path against the model ------------------------------------------------

def model_view(data: dict[str, Any]) -> tuple[Any, ...] | None:
    try:
        r = SltdRecord.model_validate(data)
    except ValidationError:
        return None
    return (r.id, r.document_number, r.issuing_state, r.document_type, r.status,
            layout.extras_of(r.action, r.owner, r.valid_until))


ints = st.integers(-(2**40), 2**40)
texts = st.one_of(st.text(max_size=70), st.sampled_from(["", " ", "P", "ID", "GBR", "D<<",
                                                         "gbr", "A\x00B", "É1", " X1 "]))
when = st.one_of(st.none(), ints, st.sampled_from([
    "2020-01-01", "2020-02-30", "0999-01-01", "2020-1-01", "2020-01-01T10:00:00Z",
    "2020-01-01T10:00:00+02:00", "2020-01-01T10:00:00", "2020-01-01T24:00:00Z",
    "2020-W01-1", "20200101", "2020-01-01 ", "2020-01-01T10:00:00+15:00"]), st.text(max_size=25))
records = st.fixed_dictionaries({
    "list": st.sampled_from(["sltd", "sltd", "notice"]),
    "id": texts, "document_number": texts, "issuing_state": texts,
    "status": st.one_of(st.sampled_from([*layout.STATUSES, "Lost", " lost"]), ints),
}, optional={"document_type": st.one_of(st.none(), texts, ints),
             "reported_at": when, "extra": ints,
             "action": st.sampled_from([None, "seize", "inform", "arrest"]),
             "owner": st.one_of(st.none(), texts), "valid_until": when})


@settings(max_examples=1500, deadline=None)
@given(records)
def test_fast_path_accepts_nothing_the_model_rejects_and_reads_it_the_same(data: dict) -> None:
    fast = fast_sltd(data)
    if fast is not None:
        assert tuple(fast) == model_view(data)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[A-Z0-9]{1,9}", fullmatch=True),
       st.from_regex(r"[A-Z]{1,3}", fullmatch=True),
       st.sampled_from(layout.STATUSES), st.sampled_from([None, "P", "ID", "I"]),
       st.sampled_from([None, "2024-05-06", "2024-05-06T01:02:03Z"]))
def test_fast_path_takes_the_plain_shape_feeds_send(number: str, state: str, status: str,
                                                   typ: str | None, reported: str | None) -> None:
    data = {"list": "sltd", "id": "SLTD-1", "document_number": number, "issuing_state": state,
            "status": status, "document_type": typ, "reported_at": reported}
    assert fast_sltd(data) is not None
    assert tuple(fast_sltd(data) or ()) == model_view(data)


# -- blocks ---------------------------------------------------------------------

def test_blocks_report_bad_lines_with_their_place_and_pass_other_lists_on(tmp_path: Path) -> None:
    good = {"list": "sltd", "id": "S1", "document_number": "AB 123", "issuing_state": "gbr",
            "status": "lost"}
    lines = [orjson.dumps(good), b"", b"{not json", b"[1]", orjson.dumps({"list": "x"}),
             orjson.dumps({**good, "status": "found"}),
             orjson.dumps({"list": "notice", "id": "N1"}), orjson.dumps({**good, "id": "S2"})]
    path = tmp_path / "a.ndjson"
    path.write_bytes(b"\n".join(lines))
    blocks = list(read_blocks([path], block_bytes=64))
    assert sum(b.data.count(b"\n") for b in blocks) == len(lines) - 1
    assert all(path.read_bytes()[b.offset:b.offset + len(b.data)] == b.data for b in blocks)
    plan = Plan("p", "v", 7, 5)
    results = [parse_block(b.data, b.first_line, str(b.path), Packer(plan)) for b in blocks]
    errors = [e for r in results for e in r.errors]
    assert [w.rsplit(":", 1)[1] for w, _ in errors] == ["3", "4", "5", "6", "7"]
    assert "status" in errors[3][1]
    # A notice is checked by its model (and indexed) in the packing process too.
    assert errors[4][1] == "names: Field required" and not any(r.others for r in results)
    assert sum(r.sltd for r in results) == 2  # "gbr" goes through the model, which upper-cases it
    groups = Groups(plan)
    for r in results:
        groups.add(r)

    def drain() -> list[BucketWrite]:
        calls = [c for t, chunks in groups.take() for c in groups.writes(t, group_entries(chunks))]
        assert calls and all(node is None for node, _ in calls)
        return [w for _, ws in calls for w in ws]

    writes = drain()
    assert {w.mode for w in writes} == {b"q", b"a"} and not any(w.revisit for w in writes)
    packed = b"".join(w.body for w in writes)
    assert b"S1" in packed and b"S2" in packed
    assert sum(w.pairs for w in writes) == 4 and groups.take() == []
    # A second group reaching the same buckets is marked as a revisit.
    groups.add(results[-1])
    assert all(w.revisit for w in drain())


LINE_ORDER = ("list", "id", "document_number", "issuing_state", "document_type", "status",
              "reported_at")


@settings(max_examples=1500, deadline=None)
@given(records)
def test_line_fast_path_reads_exactly_what_the_model_accepts(data: dict) -> None:
    ordered = {k: data[k] for k in LINE_ORDER if k in data}
    line = orjson.dumps(ordered)
    fast = fast_line(line)
    if fast is not None:
        assert tuple(fast) == model_view(orjson.loads(line))


def test_line_fast_path_takes_generated_lines() -> None:
    from screening.mockdata.lists import iter_sltd

    for record in iter_sltd(300, seed=2):
        line = orjson.dumps(record)
        assert fast_line(line) is not None
        assert tuple(fast_line(line) or ()) == model_view(record)


LINE_ORDERED = st.fixed_dictionaries({
    "list": st.just("sltd"),
    "id": st.from_regex(r"[!#-\[\]-~]{1,12}", fullmatch=True),
    "document_number": st.one_of(st.from_regex(r"[A-Za-z0-9][ A-Za-z0-9./-]{0,12}[A-Za-z0-9]",
                                               fullmatch=True), texts),
    "issuing_state": st.sampled_from(["GBR", "D", "DEU", "FRA", "gbr", "ZZZ", "XKX"]),
    "document_type": st.one_of(st.none(), st.sampled_from(["P", "ID", "X", "ZZ", ""])),
    "status": st.sampled_from([*layout.STATUSES, "Lost"]),
    "reported_at": when,
})


@settings(max_examples=400, deadline=None)
@given(st.lists(LINE_ORDERED, min_size=1, max_size=8))
@example([{"list": "sltd", "id": "S1", "document_number": "C01X00T47", "issuing_state": state,
           "document_type": "P", "status": "stolen", "reported_at": None}
          for state in ("DEU", "XKX")])  # a country of two names, on the fast path
def test_a_block_indexes_exactly_what_the_model_and_layout_say(items: list[dict]) -> None:
    """parse_block reads plain lines without the model and packs them inline: the same
    buckets, fields and values as layout.py's functions give for the model's record."""
    block = b"".join(orjson.dumps(d) + b"\n" for d in items)
    for plan in (Plan("p", "v", 97, 89), Plan("p", "v", 9001, 8191)):
        _check_block(block, items, plan)


def _check_block(block: bytes, items: list[dict], plan: Plan) -> None:
    got = parse_block(block, 1, "f", Packer(plan))
    assert len(got.doc_parts) == len(got.id_parts) == plan.parts
    want: dict[str, tuple[int, bytes, bytes, int, bytes, bytes]] = {}
    for d in items:
        try:
            r = SltdRecord.model_validate(d)
        except ValidationError:
            continue
        digest = layout.doc_digest(layout.document_field(r.document_number, r.issuing_state))
        b, dfield = layout.doc_slot(digest, plan.doc_buckets)
        ib, ifield = layout.id_slot(layout.id_digest(r.id), plan.id_buckets)
        want.pop(r.id, None)  # the later line wins, and takes the later place
        want[r.id] = (b, dfield, layout.entry_value(r.id, r.status, r.document_type),
                      ib, ifield, digest)
    assert got.sltd == len(want) and len(got.errors) == len(items) - sum(
        1 for d in items if model_view(d) is not None)
    docs = [(b, *_strings(pair)) for b, pair in entries(got.doc_parts)]
    ids = [(b, *_strings(pair)) for b, pair in entries(got.id_parts)]
    assert sorted(docs) == sorted(w[:3] for w in want.values())
    assert sorted(ids) == sorted(w[3:] for w in want.values())
    for parts in (got.doc_parts, got.id_parts):  # each entry in its bucket's partition
        assert all(b % plan.parts == p for p, chunk in enumerate(parts)
                   for b, _ in entries([chunk]))


def test_a_byte_order_mark_at_the_start_of_a_file_is_skipped(tmp_path: Path) -> None:
    line = orjson.dumps({"list": "sltd", "id": "B1", "document_number": "X1",
                         "issuing_state": "GBR", "status": "lost"})
    path = tmp_path / "bom.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + line + b"\n" + line.replace(b"B1", b"B2"))
    blocks = list(read_blocks([path]))
    assert blocks[0].offset == 3 and blocks[0].first_line == 1
    assert path.read_bytes()[blocks[0].offset:][:len(blocks[0].data)] == blocks[0].data
    results = [parse_block(b.data, b.first_line, str(path), Packer(Plan("p", "v", 7, 5)))
               for b in blocks]
    assert sum(r.sltd for r in results) == 2 and not any(r.errors for r in results)
