"""The compiled decoder against the models, case for case (issue 25).

For every input the compiled core (native/src/scan.rs) gives a scan, a reason code, or
"undecided" (None: a rarer lax form the models decide). Where it decides, it must agree
with the reference decoder (orjson and the pydantic models, codec._py_decode_scan):
the same scan, built as model_validate builds it (the same values, fields set and
tzinfo type), or the same reason code. And the public decoder answers exactly as the
reference does, whatever the input: the same scan, or the same InvalidScan (code,
message and the ids echoed).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import orjson
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from screening.core.codec import _DECODER, _py_decode_scan, decode_scan, decode_scans
from screening.exceptions import InvalidScan
from screening.mockdata.scans import ScanFactory
from screening.models import TravellerScan, VehicleScan
from screening.settings import Settings
from tests.support.hostile import hostile_corpus

MAX = Settings().max_scan_bytes
Outcome = TravellerScan | VehicleScan | InvalidScan
FACTORY = ScanFactory(seed=25)
TRAVELLERS = [FACTORY.traveller() for _ in range(60)]
VEHICLES = [FACTORY.vehicle() for _ in range(30)]


def _reference(kind: str, raw: bytes | None) -> Outcome:
    try:
        return _py_decode_scan(kind, raw, max_bytes=MAX)  # type: ignore[arg-type]
    except InvalidScan as exc:
        return exc


def _fields_sets(model: Any) -> Any:
    """The fields set of a model and of the models inside it."""
    return (model.model_fields_set,
            {k: _fields_sets(v) for k, v in model.__dict__.items() if hasattr(v, "__dict__")
             and hasattr(v, "model_fields_set")})


def _same_scan(a: Any, b: Any) -> bool:
    return (type(a) is type(b) and a == b and repr(a) == repr(b)
            and a.model_dump_json() == b.model_dump_json()
            and _fields_sets(a) == _fields_sets(b)
            and type(a.scanned_at.tzinfo) is type(b.scanned_at.tzinfo))


def _same(a: Outcome, b: Outcome) -> bool:
    if isinstance(a, InvalidScan) or isinstance(b, InvalidScan):
        return (isinstance(a, InvalidScan) and isinstance(b, InvalidScan)
                and (a.code, a.message, a.event_id, a.terminal_id, a.checkpoint_id)
                == (b.code, b.message, b.event_id, b.terminal_id, b.checkpoint_id))
    return _same_scan(a, b)


def check(kind: str, raw: bytes | None) -> str:
    """Asserts the core agrees with the reference where it decides, and the public
    decoder always; returns what the core said ("scan", a code, or "undecided")."""
    core = _DECODER.decode(kind, [raw], MAX)[0]
    ref = _reference(kind, raw)
    if isinstance(core, str):
        assert isinstance(ref, InvalidScan) and ref.code == core, (core, ref, raw)
    elif core is not None:
        assert not isinstance(ref, InvalidScan), (ref.code, ref.message, raw)
        assert _same_scan(core, ref), (core, ref, raw)
    try:
        public: Outcome = decode_scan(kind, raw, max_bytes=MAX)  # type: ignore[arg-type]
    except InvalidScan as exc:
        public = exc
    assert _same(public, ref), (public, ref, raw)
    return "undecided" if core is None else core if isinstance(core, str) else "scan"


# --- values a hostile or broken terminal may send in any field ------------------------

_CHARS = st.sampled_from([
    *"AZaz09<-:T .,+Z", "\x00", "\t", "\n", "\r", "\x0b", "\x1c", "\x1f", "\x7f", "\x85",
    "\xa0", "\u2028", "\u200b", "\u202e", "\ufeff", "\u3000", "ß", "ı", "é", "٣", "\U0001f600"])
_TEXT = st.text(_CHARS, max_size=8) | st.text(max_size=6)


@st.composite
def timestamps(draw: st.DrawFn) -> str:
    """RFC 3339 text and its near misses: separators, seconds, fractions, offsets."""
    year = draw(st.sampled_from(["2026", "0000", "0001", "9999", "1899", "٢٠٢٦", "20266"]))
    month, day = draw(st.sampled_from(["01", "02", "12", "13", "00", "1"])), draw(
        st.sampled_from(["01", "28", "29", "30", "31", "32", "00"]))
    sep = draw(st.sampled_from(["T", "t", " ", "_", "TT"]))
    hour, minute = draw(st.sampled_from(["00", "10", "23", "24", "1"])), draw(
        st.sampled_from(["00", "59", "60", "5"]))
    seconds = draw(st.sampled_from(["", ":00", ":59", ":60", ":5", ":"]))
    fraction = draw(st.sampled_from(["", ".", ".1", ".123456", ".1234567", ",5",
                                     "." + "1" * 18, "." + "9" * 19, ".12a"]))
    offset = draw(st.sampled_from(["Z", "z", "+01:00", "-00:00", "+0100", "+01", "+23:59",
                                   "+24:00", "+00:60", "-12:30", "", " Z", "UTC",
                                   "+01:00:00", "Zz"]))
    pad = draw(st.sampled_from(["", " ", "\n", "\x1c", "\u3000", "\x00"]))
    return f"{pad}{year}-{month}-{day}{sep}{hour}:{minute}{seconds}{fraction}{offset}{pad}"


_DATES = st.builds(lambda y, m, d: f"{y}-{m}-{d}",
                   st.sampled_from(["1799", "1800", "1899", "1900", "2000", "2100", "2101",
                                    "2200", "2201", "0000", "١٩٩٠"]),
                   st.sampled_from(["01", "02", "12", "13", "00", "1"]),
                   st.sampled_from(["01", "28", "29", "30", "31", "00"]))
_PARTIAL_DATES = _DATES | _DATES.map(lambda s: s[:7]) | _DATES.map(lambda s: s[:4])
_COUNTRIES = st.sampled_from(["D", "d", "DEU", "D<<", "<D", "D\n<", " fra ", "DE1", "ABCD",
                              "", "<", "ß", "ı", "Ä", "D E"])
VALUES = (st.none() | st.booleans() | st.integers(-2, 3) | st.integers()
          | st.floats(allow_nan=False, allow_infinity=False)
          | st.sampled_from([0.0, 1.0, -0.0, 0.5, 1.5, 1e30, 2**64, 2**70])
          | st.sampled_from(["M", "F", "X", "m", " M", "", "true", "TRUE", "yes", "off", "0",
                             "1", "2", "0.5", " 0.5 ", "nan", "inf", "1893456000"])
          | _TEXT | timestamps() | _PARTIAL_DATES | _COUNTRIES
          | st.text(st.sampled_from("AB1<"), min_size=0, max_size=70)
          # each length limit and one over it, as sent and with the spaces trimmed off
          | st.builds(lambda n, pad: pad + "x" * n + pad,
                      st.sampled_from([0, 1, 2, 3, 20, 21, 30, 31, 32, 33, 64, 65, 128, 129,
                                       200, 201]), st.sampled_from(["", " ", "\u3000"]))
          | st.lists(st.integers(), max_size=2) | st.dictionaries(st.text(max_size=3),
                                                                   st.integers(), max_size=2))
TOP = ["event_id", "checkpoint_id", "terminal_id", "scanned_at", "exercise", "document",
       "holder", "vehicle", "read_confidence", "extra"]
NESTED = {"document": ["mrz", "number", "issuing_state", "type", "expiry", "extra"],
          "holder": ["surname", "given_names", "date_of_birth", "nationality", "sex", "x"],
          "vehicle": ["vin", "plate", "plate_country", "make", "model", "colour", "x"]}
_MISSING = object()


@st.composite
def scans(draw: st.DrawFn) -> tuple[str, bytes]:
    """A valid scan of the generator with a few fields replaced, removed or added."""
    kind = draw(st.sampled_from(["traveller", "vehicle"]))
    scan = json.loads(json.dumps(draw(st.sampled_from(
        TRAVELLERS if kind == "traveller" else VEHICLES))))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(TOP + [f"{p}.{f}" for p, fs in NESTED.items()
                                            for f in fs]))
        value = draw(st.just(_MISSING) | VALUES | (timestamps() if "at" in where
                                                   else _DATES if "expiry" in where
                                                   else VALUES))
        parent, _, name = where.rpartition(".")
        target = scan
        if parent:
            if not isinstance(scan.get(parent), dict):
                scan[parent] = {}
            target = scan[parent]
        if value is _MISSING:
            target.pop(name, None)
        else:
            target[name] = value
    return kind, json.dumps(scan).encode()


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scans())
@example(("traveller", b'{"event_id":"e","checkpoint_id":"c","terminal_id":"t",'
                       b'"scanned_at":"2026-11-28T10:00:00.1234567+01:00","exercise":"Yes",'
                       b'"document":{"number":" X1 ","issuing_state":"deu<<","expiry":'
                       b'"2030-02-28"},"holder":{"date_of_birth":"2000-02-29","sex":"F"}}'))
@example(("vehicle", b'{"event_id":"e","checkpoint_id":"c","terminal_id":"t",'
                     b'"scanned_at":"2026-11-28 10:00z","vehicle":{"plate":"AB 12"},'
                     b'"read_confidence":1}'))
@example(("vehicle", b'{"event_id":"e","checkpoint_id":"c","terminal_id":"t",'  # serde_json
                     b'"scanned_at":"2026-11-28T10:00Z","vehicle":{"plate":"AB 12"},'  # rounded
                     b'"read_confidence":1.142420202321361e-234}'))  # it 1 ulp off once
def test_the_core_decides_as_the_models_do(case: tuple[str, bytes]) -> None:
    check(*case)


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=300) | st.builds(lambda a, b: a + b, st.sampled_from(
    [b"\xef\xbb\xbf", b" ", b"", b"\xef\xbb\xbf\xef\xbb\xbf"]), st.binary(max_size=40)),
       st.sampled_from(["traveller", "vehicle"]))
@example(None, "traveller")
@example(b" \t\n\x0b\x0c\r", "vehicle")
@example(b"[" * 200 + b"]" * 200, "vehicle")
def test_any_bytes_are_answered_as_the_reference_answers(raw: bytes | None, kind: str) -> None:
    check(kind, raw)


def test_generated_scans_are_all_decided_by_the_core() -> None:
    """The forms terminals send are the core's: nothing of the generator is left to the
    models (so the fast path is the path taken)."""
    said = Counter(check(k, orjson.dumps(s)) for k, group in
                   (("traveller", TRAVELLERS), ("vehicle", VEHICLES)) for s in group)
    assert said == {"scan": len(TRAVELLERS) + len(VEHICLES)}


def test_the_hostile_corpus_is_answered_as_the_reference_answers() -> None:
    corpus = list(hostile_corpus(25, 600, huge=1, factory=ScanFactory(seed=26)))
    undecided = Counter(h.case for h in corpus if check(h.kind, h.payload) == "undecided")
    # Left to the reference: JSON serde_json refuses (orjson words the error), nesting
    # deeper than serde_json's 128 levels (orjson takes 1024), dates of year 0.
    assert set(undecided) <= {"broken_json", "nan_confidence", "invalid_utf8",
                              "lone_surrogate", "deep_nesting", "bad_event_id",
                              "moderate_nesting", "impossible_dates"}, undecided
    assert sum(undecided.values()) < len(corpus) / 3


def test_a_batch_answers_each_scan_as_one_at_a_time() -> None:
    raws = [orjson.dumps(s) for s in TRAVELLERS[:5]] + [b"", b"{", b"[]", b"{}", None]
    got = decode_scans("traveller", raws, max_bytes=MAX)
    assert len(got) == len(raws)
    for raw, one in zip(raws, got, strict=True):
        assert _same(one, _reference("traveller", raw))
    # Kinds beside the scans, as the worker's and `screen`'s batches mix them.
    mixed = [orjson.dumps(s) for s in (TRAVELLERS[0], VEHICLES[0], VEHICLES[1])] + [b"{}"]
    kinds = ["traveller", "vehicle", "traveller", "vehicle"]
    got = decode_scans(kinds, mixed, max_bytes=MAX)  # type: ignore[arg-type]
    for kind, raw, one in zip(kinds, mixed, got, strict=True):
        assert _same(one, _reference(kind, raw))
    assert [type(g).__name__ for g in got] == ["TravellerScan", "VehicleScan", "InvalidScan",
                                               "InvalidScan"]


def test_timestamps_keep_pydantic_s_timezone_type() -> None:
    scan = decode_scan("traveller", orjson.dumps({**TRAVELLERS[0],
                                                  "scanned_at": "2026-11-28T10:00:00+05:30"}),
                       max_bytes=MAX)
    assert scan.scanned_at == datetime.fromisoformat("2026-11-28T10:00:00+05:30")
    assert type(scan.scanned_at.tzinfo).__name__ == "TzInfo"
