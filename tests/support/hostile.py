"""Hostile scans: what an attacker, a broken terminal or a fuzzing proxy sends.

Where screening/mockdata/malformed.py breaks scans the way honest software does, this
module (the tests' only) tries to hurt the worker: invalid UTF-8, NUL, C0 and C1
controls, line separators, bidi overrides and zero-width characters in ids, fields
over 1 MB, deep nesting, impossible dates, absurd birth years, 10,000-character names,
Redis glob and protocol characters in document numbers, unknown fields. Each case
states what the worker must answer: the dead-letter reason code (None for a scan that
is valid despite its looks and must be screened `clear`) and whether its `event_id`
can be read (then a `rejected` result is due too).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from random import Random
from typing import Any

import orjson

from screening.mockdata.scans import ScanFactory

Scan = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Hostile:
    case: str  # which attack, for messages
    kind: str  # "traveller" or "vehicle"
    payload: bytes
    code: str | None  # the dead-letter reason code; None: a valid scan, to be screened clear
    event_id: str | None  # readable event_id: a result is due for it

    @property
    def rejected(self) -> bool:
        return self.code is not None


# (payload, code or None, event_id readable)
Outcome = tuple[bytes, str | None, bool]
_Case = Callable[[Random, Scan], Outcome]


def _dump(scan: Scan) -> bytes:
    return orjson.dumps(scan)


def _set_name(scan: Scan, value: Any, field: str = "surname") -> None:
    scan.setdefault("holder", {})[field] = value


def _random_code(rng: Random, n: int) -> str:
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(n))


# ---------------------------------------------------------------- not JSON, or not UTF-8

def broken_json(rng: Random, scan: Scan) -> Outcome:
    """JSON no parser takes: the ids complete before the first error are still read."""
    raw = _dump(scan)
    payload, readable = rng.choice((
        (raw[:-1], True),                           # cut short
        (raw + b"}", True),                         # trailing garbage
        (raw.replace(b'"', b"'"), False),           # single quotes
        (raw.replace(b":", b"=", 1), False),        # before the first id
        (b"{" + raw, False),
        (raw[:1] + b"\x00" + raw[1:], False),       # a raw NUL before the first key
        (b'{"event_id": NaN}', False),
    ))
    return payload, "INVALID_JSON", readable


def nan_confidence(rng: Random, scan: Scan) -> Outcome:
    """NaN or Infinity, which JSON has no word for: the ids are still read (leniently)."""
    raw = _dump(scan)
    return raw[:-1] + b',"read_confidence":' + rng.choice((b"NaN", b"Infinity", b"-Infinity")) \
        + b"}", "INVALID_JSON", True


# Bytes that are not UTF-8 in a name: the ids around them are still read (the terminal
# is answered); invalid in an id, see bad_event_id.
def invalid_utf8(rng: Random, scan: Scan) -> Outcome:
    _set_name(scan, "MARKER")
    bad = rng.choice((b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80", b"\xc3"))
    return _dump(scan).replace(b"MARKER", b"MA" + bad + b"RK"), "INVALID_UTF8", True


def lone_surrogate(rng: Random, scan: Scan) -> Outcome:
    _set_name(scan, "MARKER")
    return _dump(scan).replace(b"MARKER", b"\\ud800X"), "INVALID_UTF8", True


def deep_nesting(rng: Random, scan: Scan) -> Outcome:
    """Beyond any parser's recursion limit, under 16 KB, after the ids or before them:
    read as a stream, the ids are answered."""
    depth = rng.choice((2000, 5000))
    nested = b"[" * depth + b"]" * depth
    raw = _dump(scan)
    if rng.random() < 0.5:
        return raw[:-1] + b',"x":' + nested + b"}", "INVALID_JSON", True
    return b'{"x":' + nested + b"," + raw[1:], "INVALID_JSON", True


def not_an_object(rng: Random, scan: Scan) -> Outcome:
    return rng.choice((b"[]", b"null", b"true", b'"*"', b"3.5", b"[" + _dump(scan) + b"]")), \
        "NOT_AN_OBJECT", False


def empty(rng: Random, scan: Scan) -> Outcome:
    return rng.choice((b"", b" ", b"\r\n", b"\t")), "EMPTY", False


def bad_event_id(rng: Random, scan: Scan) -> Outcome:
    scan["event_id"] = rng.choice((
        12345, 1.5, True, None, ["e"], {"$ne": None}, "", "x" * 65,
        "evt\x00" + uuid.uuid4().hex, "evt\r\nSET k v", "\x1b[2J" + uuid.uuid4().hex,
        "MARKER",
    ))
    if scan["event_id"] == "MARKER":  # a byte that is not UTF-8 in the id itself
        return _dump(scan).replace(b"MARKER", b"evt\xff" + uuid.uuid4().hex.encode()), \
            "INVALID_UTF8", False
    return _dump(scan), "INVALID_FIELD", False


# ------------------------------------------------------------------ readable ids

def wrong_types(rng: Random, scan: Scan) -> Outcome:
    field = rng.randrange(5)
    if field == 0:
        scan["document"] = rng.choice(([], "P1234567", 7, None))
        code = "MISSING_FIELD" if scan["document"] is None else "INVALID_FIELD"
        if scan["document"] is None:
            del scan["document"]
        return _dump(scan), code, True
    if field == 1:
        _set_name(scan, rng.choice((42, ["SMITH"], {"v": "SMITH"}, False)))
    elif field == 2:
        scan["holder"] = rng.choice(("JOHN SMITH", [1, 2], 0))
    elif field == 3:
        # Unix time, as a number or digits, is not RFC 3339 (pydantic alone would take it).
        scan["scanned_at"] = rng.choice(([2026], {"t": 1}, True, 1764324000, "1764324000",
                                         1.764324e9))
    else:
        scan["document"]["issuing_state"] = rng.choice((276, ["D"], "GERMANY", "D*", "?"))
    return _dump(scan), "INVALID_FIELD", True


def control_chars(rng: Random, scan: Scan) -> Outcome:
    bad = rng.choice(("\x00", "\x1b[31m", "\x07", "\x7f", "\x08\x08", "\x0b"))
    target = rng.randrange(3)
    if target == 0:
        _set_name(scan, "SMI" + bad + "TH")
    elif target == 1:
        _set_name(scan, "AN" + bad + "NA", "given_names")
    else:
        scan["checkpoint_id"] = "CP" + bad + "01"  # inside: edges are trimmed as whitespace
    return _dump(scan), "INVALID_FIELD", True


def c1_and_separators(rng: Random, scan: Scan) -> Outcome:
    """C1 controls (NEL ends a line for some log readers, CSI starts a terminal escape)
    and the Unicode line and paragraph separators, inside a field (at its edges they
    are trimmed as whitespace)."""
    bad = rng.choice(("\x85", "\x9b", "\x9b31m", "\x80", "\x9f", "\u2028", "\u2029"))
    target = rng.randrange(4)
    if target == 0:
        _set_name(scan, "SMI" + bad + "TH")
    elif target == 1:
        _set_name(scan, "AN" + bad + "NA", "given_names")
    elif target == 2:
        scan["document"]["number"] = "X1" + bad + "234"
    else:
        scan["checkpoint_id"] = "CP" + bad + "01"
    return _dump(scan), "INVALID_FIELD", True


# Bidi overrides, embeddings, isolates and marks, and zero-width characters: in an id
# they make two ids look alike or one read backwards in a log or a console.
_SPOOFING = ("\u202e", "\u202d", "\u2066", "\u200f", "\u061c",
             "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


def spoofed_ids(rng: Random, scan: Scan) -> Outcome:
    bad = rng.choice(_SPOOFING)
    if rng.random() < 0.5:  # the event id itself: unreadable, so no result is due
        scan["event_id"] = bad.join((uuid.uuid4().hex[:8], uuid.uuid4().hex[:8]))
        return _dump(scan), "INVALID_FIELD", False
    scan["checkpoint_id"] = rng.choice(("CP" + bad + "01", bad + "CP-01", "CP-01" + bad))
    return _dump(scan), "INVALID_FIELD", True


def absurd_birth_years(rng: Random, scan: Scan) -> Outcome:
    """Placeholder and sentinel years, well formed as dates: outside 1800-2100."""
    scan.setdefault("holder", {})["date_of_birth"] = rng.choice(
        ("0000", "0000-01", "0000-01-01", "0042", "0042-05-06", "0001-01-01", "1799-12-31",
         "2101", "9999-12-31"))
    return _dump(scan), "INVALID_FIELD", True


def impossible_dates(rng: Random, scan: Scan) -> Outcome:
    target = rng.randrange(3)
    if target == 0:
        scan.setdefault("holder", {})["date_of_birth"] = rng.choice(
            ("1985-02-30", "1900-02-29", "1985-13-01", "1985-00-10", "1985-02-29", "99999-01-01",
             "1985-1-1", "-1985"))
    elif target == 1:
        scan["document"]["expiry"] = rng.choice(("2031-02-29", "2030-04-31", "10000-01-01",
                                                 "2030-02-30"))
    else:
        scan["scanned_at"] = rng.choice(("2026-02-30T10:00:00+00:00",
                                         "2026-11-28T25:00:00+00:00",
                                         "2026-11-28T10:00:00+25:00",
                                         "2026-11-28T10:00:00"))
    return _dump(scan), "INVALID_FIELD", True


def long_name(rng: Random, scan: Scan) -> Outcome:
    _set_name(scan, rng.choice("AOEUSMITH") * 10_000, rng.choice(("surname", "given_names")))
    return _dump(scan), "INVALID_FIELD", True


def too_large(rng: Random, scan: Scan) -> Outcome:
    """Over settings.max_scan_bytes (16 KB) but under Kafka's default 1 MB limit."""
    scan["notes"] = "x" * rng.randrange(20_000, 200_000)
    return _dump(scan), "TOO_LARGE", True


def redis_protocol(rng: Random, scan: Scan) -> Outcome:
    """CR/LF in a document number: RESP framing smuggled in. Refused as control chars."""
    scan["document"]["number"] = rng.choice((
        "AB12\r\n*1\r\n$8\r\nFLUSHALL", "X1\r\nPING", "P1\n23", "P\r\n*3\r\n$3\r\nSET\r\n"))
    return _dump(scan), "INVALID_FIELD", True


def glob_only(rng: Random, scan: Scan) -> Outcome:
    """Nothing but glob characters: no document number is left to look up."""
    scan["document"]["number"] = rng.choice(("*", "?", "[*]", "*?*", "[^]", "\\*", "**[]**"))
    scan["document"].pop("mrz", None)
    return _dump(scan), "INVALID_FIELD", True


# ------------------------------------------------------- valid despite their looks

def glob_in_number(rng: Random, scan: Scan) -> Outcome:
    """Glob characters around a real-looking number: a pattern must never widen a look-up."""
    code = _random_code(rng, 8)
    scan["document"] = {"number": rng.choice((f"{code}*", f"*{code}", f"{code[:4]}?{code[4:]}",
                                              f"[{code}]", f"{code}[A-Z]*", f"{code}\\*")),
                        "issuing_state": rng.choice(("D", "FRA", "GBR", "ITA", "ESP")),
                        "type": "P"}
    return _dump(scan), None, True


def unknown_fields(rng: Random, scan: Scan) -> Outcome:
    extra = rng.choice((
        {"__proto__": {"admin": True}}, {"$where": "1==1"}, {"constructor": {"prototype": 1}},
        {"future_field": [1, 2, {"a": None}]}, {"x": [[[[[[[[[[[[[[[[[[[[0]]]]]]]]]]]]]]]]]]]]},
    ))
    scan.update(extra)
    if "holder" in scan:
        scan["holder"]["middle_name"] = "*?[]"
    return _dump(scan), None, True


def invisible_in_names(rng: Random, scan: Scan) -> Outcome:
    """Names keep what ids refuse: ZWNJ and ZWJ join Persian and Indic name parts,
    bidi marks and isolates wrap Arabic script."""
    field = rng.choice(("surname", "given_names"))
    name = rng.choice((
        "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645",  # Niknam, with ZWNJ
        "\u0915\u094d\u200d\u0937\u093f\u0924\u093f\u091c",  # Kshitij, with ZWJ
        "\u200f\u0632\u0631\u06cc\u0646",  # Zarin after a right-to-left mark
        "\u2067\u0628\u0647\u0627\u0631\u2069 ZAND",  # Bahar in an isolate
    ))
    _set_name(scan, name, field)
    return _dump(scan), None, True


def byte_order_mark(rng: Random, scan: Scan) -> Outcome:
    """A UTF-8 byte order mark first, as Windows tools write: RFC 8259 lets a parser
    ignore it, and the scan is screened."""
    return b"\xef\xbb\xbf" + _dump(scan), None, True


def moderate_nesting(rng: Random, scan: Scan) -> Outcome:
    depth = rng.randrange(50, 200)
    raw = _dump(scan)
    return raw[:-1] + b',"deep":' + b'{"a":' * depth + b"1" + b"}" * depth + b"}", None, True


TRAVELLER_CASES: tuple[_Case, ...] = (
    broken_json, nan_confidence, invalid_utf8, lone_surrogate, deep_nesting, not_an_object,
    empty, bad_event_id, wrong_types, control_chars, c1_and_separators, spoofed_ids,
    absurd_birth_years, impossible_dates, long_name, too_large, redis_protocol, glob_only,
    glob_in_number, unknown_fields, invisible_in_names, byte_order_mark, moderate_nesting,
)


def huge_field(scan: Scan, size: int = (1 << 20) + 4096) -> Outcome:
    """A field over 1 MB: past Kafka's default message size, so only a topic (and a
    producer) configured for larger messages delivers it; the worker rejects it by
    settings.max_scan_bytes and still answers the terminal."""
    _set_name(scan, "A" * size)
    return _dump(scan), "TOO_LARGE", True


def hostile_corpus(seed: int, n: int = 1000, *, huge: int = 0,
                   factory: ScanFactory | None = None) -> Iterator[Hostile]:
    """n hostile traveller scans, every case in turn, then `huge` ones over 1 MB.
    Deterministic per seed but for event ids (UUIDs, unique per run)."""
    rng = Random(f"hostile:{seed}")
    factory = factory or ScanFactory(seed=seed)
    for i in range(n):
        case = TRAVELLER_CASES[i % len(TRAVELLER_CASES)]
        scan = copy.deepcopy(factory.traveller())
        event_id = scan["event_id"]
        payload, code, readable = case(rng, scan)
        yield Hostile(case.__name__, "traveller", payload, code, event_id if readable else None)
    for _ in range(huge):
        scan = factory.traveller()
        payload, code, _ = huge_field(scan)
        yield Hostile("huge_field", "traveller", payload, code, scan["event_id"])


__all__ = ["TRAVELLER_CASES", "Hostile", "hostile_corpus", "huge_field"]
