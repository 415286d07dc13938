"""The decoder against anything: hostile bytes, random JSON, the hostile corpus.

Whatever arrives, decode_scan returns a validated scan or raises InvalidScan with a
known reason code; it never raises anything else (which would cost the stream a
batch) and never invents an id it cannot read.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screening.core.codec import decode_scan
from screening.core.prepare import prepare
from screening.exceptions import InvalidScan
from screening.mockdata.scans import ScanFactory
from screening.models import TravellerScan, VehicleScan
from screening.settings import Settings
from tests.support.hostile import TRAVELLER_CASES, hostile_corpus

CODES = {"EMPTY", "TOO_LARGE", "INVALID_UTF8", "INVALID_JSON", "NOT_AN_OBJECT",
         "MISSING_FIELD", "INVALID_FIELD", "MRZ_FORMAT"}
C0 = re.compile(r"[\x00-\x1f\x7f]")  # the contract's control characters: never in an id
SETTINGS = Settings()
MAX = SETTINGS.max_scan_bytes
VALID = orjson.dumps({"event_id": "e-1", "checkpoint_id": "CP-1", "terminal_id": "T-1",
                      "scanned_at": "2026-11-28T10:00:00+01:00",
                      "document": {"number": "C01X00T47", "issuing_state": "D"}})


def _decode(kind: Any, raw: bytes) -> TravellerScan | VehicleScan | InvalidScan:
    try:
        return decode_scan(kind, raw, max_bytes=MAX)
    except InvalidScan as exc:
        assert exc.code in CODES, exc.code
        for value in (exc.event_id, exc.terminal_id, exc.checkpoint_id):
            assert value is None or (0 < len(value) <= 64 and not C0.search(value))
        return exc


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=4096), st.sampled_from(["traveller", "vehicle"]))
@example(b"\x00", "traveller")
@example(b"[" * 10_000, "traveller")
@example(b'{"event_id":"\\ud800"}', "vehicle")
def test_any_bytes_decode_or_are_rejected_with_a_code(raw: bytes, kind: str) -> None:
    _decode(kind, raw)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20)
FIELDS = ["event_id", "checkpoint_id", "terminal_id", "scanned_at", "document", "holder",
          "vehicle", "read_confidence"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=8),
       st.sampled_from(["traveller", "vehicle"]))
def test_any_json_object_decodes_or_is_rejected_with_a_code(data: dict[str, Any],
                                                            kind: str) -> None:
    # json, not orjson: it writes integers of any size, as a hostile client may.
    got = _decode(kind, json.dumps(data).encode())
    if isinstance(got, InvalidScan):
        readable = data.get("event_id")
        if got.event_id is not None:
            assert isinstance(readable, str) and got.event_id == readable.strip()
    else:
        prepare_or_reject(got)


def prepare_or_reject(scan: TravellerScan | VehicleScan) -> None:
    try:
        prepare(scan, SETTINGS)
    except InvalidScan as exc:
        assert exc.code in CODES


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(VALID) - 1), st.binary(min_size=1, max_size=8))
def test_a_valid_scan_with_bytes_spliced_in_never_escapes(at: int, junk: bytes) -> None:
    _decode("traveller", VALID[:at] + junk + VALID[at:])


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=300))
def test_any_surname_or_number_is_screened_or_rejected(text: str) -> None:
    for patch in ({"holder": {"surname": text}},
                  {"document": {"number": text, "issuing_state": "D"}}):
        got = _decode("traveller", VALID[:-1] + b"," + json.dumps(patch).encode()[1:])
        if not isinstance(got, InvalidScan):
            prepare_or_reject(got)


def test_the_hostile_corpus_says_what_the_decoder_answers() -> None:
    """Each case's stated code and readable id, checked against the real decoder and
    preparation: the integration test trusts these expectations."""
    corpus = list(hostile_corpus(3, 1020, huge=1, factory=ScanFactory(seed=3)))
    assert len(corpus) >= 1000
    seen: Counter[str] = Counter()
    for h in corpus:
        got = _decode("traveller", h.payload)
        if not isinstance(got, InvalidScan):
            try:
                prepare(got, SETTINGS)
            except InvalidScan as exc:
                got = exc
        if isinstance(got, InvalidScan):
            assert (got.code, got.event_id) == (h.code, h.event_id), (h.case, h.payload[:200])
        else:
            assert h.code is None and got.event_id == h.event_id, (h.case, h.payload[:200])
        seen[h.case] += 1
    assert set(seen) == {c.__name__ for c in TRAVELLER_CASES} | {"huge_field"}
    assert sum(1 for h in corpus if h.rejected) >= 800


def test_a_byte_order_mark_is_ignored() -> None:
    """RFC 8259 §8.1: a parser may ignore it; a BOM is valid UTF-8, not INVALID_UTF8."""
    got = _decode("traveller", b"\xef\xbb\xbf" + VALID)
    assert isinstance(got, TravellerScan) and got.event_id == "e-1"
    empty = _decode("traveller", b"\xef\xbb\xbf{}")
    assert isinstance(empty, InvalidScan) and empty.code == "MISSING_FIELD"
    twice = _decode("traveller", b"\xef\xbb\xbf\xef\xbb\xbf" + VALID)  # one only
    assert isinstance(twice, InvalidScan) and twice.code == "INVALID_JSON"


@pytest.mark.parametrize(("raw", "code", "event_id"), [
    (VALID[:-1] + b',"read_confidence":NaN}', "INVALID_JSON", "e-1"),
    (VALID[:-1] + b',"x":Infinity}', "INVALID_JSON", "e-1"),
    (VALID.replace(b'"issuing_state"', b'"issuing_\xffstate"'), "INVALID_UTF8", "e-1"),
    (VALID.replace(b'"e-1"', b'"e-\xff1"'), "INVALID_UTF8", None),  # not echoed, changed
    (VALID.replace(b'"e-1"', b'"e-\\ud8001"'), "INVALID_UTF8", None),
    # Read as a stream: the ids complete before the first error, at the top level only.
    (VALID[:-1], "INVALID_JSON", "e-1"),
    (VALID + b"}", "INVALID_JSON", "e-1"),
    (b'{"event_id": "e-1", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "INVALID_JSON", "e-1"),
    (b'{"x": ' + b"[" * 5000 + b"]" * 5000 + b', "event_id": "e-1"}', "INVALID_JSON", "e-1"),
    (b'{"x": ' + b'{"y":' * 2000 + b"1" + b"}" * 2000 + b', "event_id": "e-1"}',
     "INVALID_JSON", "e-1"),
    (b'{"event_id": "e-\xff1", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "INVALID_UTF8",
     None),
    (b'{"x": {"event_id": "e-1"}, "y": ' + b"[" * 5000 + b"]" * 5000 + b"}", "INVALID_JSON",
     None),
    (b'[{"event_id": "e-1"}, ' + b"[" * 5000 + b"]" * 5000 + b"]", "INVALID_JSON", None),
    (b'{"x": [1, 2 "event_id": "e-1"}', "INVALID_JSON", None),  # after the error
    (b"{'event_id': 'e-1'}", "INVALID_JSON", None),
    (b'{"event_id": "e-1" "y": 2}', "INVALID_JSON", "e-1"),  # complete before it
    (b'{"event_id": 5, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}", "INVALID_JSON", None),
])
def test_what_orjson_refuses_still_answers_a_readable_id(raw: bytes, code: str,
                                                        event_id: str | None) -> None:
    """The scan stays refused, but its terminal is answered when its ids can be read."""
    got = _decode("traveller", raw)
    assert isinstance(got, InvalidScan) and (got.code, got.event_id) == (code, event_id)
