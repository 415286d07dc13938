"""Scans that must not pass: broken JSON, wrong types, missing fields, impossible dates.

Each case starts from a valid scan and breaks one thing, the way terminals, proxies and
hand-written test tools actually break messages. Every payload fails JSON decoding or
validation against screening.models; `event_id` says whether the scan's id can still be
read (then a `rejected` CheckResult is due besides the dead letter) or not (dead letter
only).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from random import Random
from typing import Any

import orjson

Scan = dict[str, Any]
# (kind, payload, readable event_id or None)
Broken = tuple[str, bytes, str | None]


def _dump(scan: Scan) -> bytes:
    return orjson.dumps(scan)


def _truncated(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    """Cut short: the id is read when the cut falls after it (its terminal is answered)."""
    raw = _dump(scan)
    cut = rng.randrange(1, len(raw) - 1)
    member = b'"event_id":' + orjson.dumps(scan["event_id"])
    return raw[:cut], cut >= raw.index(member) + len(member)


def _not_an_object(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    return rng.choice((b"[]", b"null", b'"scan"', b"42", b"[{}]")), False


def _not_utf8(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    return b"\xff\xfe" + _dump(scan)[2:], False


def _empty(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    return rng.choice((b"", b" ", b"\n")), False


def _no_event_id(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    del scan["event_id"]
    return _dump(scan), False


def _event_id_not_a_string(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    scan["event_id"] = rng.choice((12345, None, ["a"], {"id": 1}))
    return _dump(scan), False


def _missing_terminal(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    del scan[rng.choice(("checkpoint_id", "terminal_id", "scanned_at"))]
    return _dump(scan), True


def _bad_timestamp(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    # No offset is as bad as no date: the contract wants RFC 3339 with an offset.
    scan["scanned_at"] = rng.choice(("2026-11-28T10:00:00", "yesterday", "28/11/2026 10:00", ""))
    return _dump(scan), True


def _traveller_no_document(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    if rng.random() < 0.5:
        del scan["document"]
    else:  # neither an MRZ nor a number with its issuing state
        scan["document"] = {"type": "P", "expiry": "2030-01-01"}
    return _dump(scan), True


def _traveller_bad_date(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    holder = scan.setdefault("holder", {})
    if rng.random() < 0.5:
        holder["date_of_birth"] = rng.choice(("1985-02-30", "1985-13-01", "85-02-03", "03.02.1985"))
    else:
        scan["document"]["expiry"] = rng.choice(("2030-13-01", "2031-02-29", "never"))
    return _dump(scan), True


def _traveller_bad_field(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    holder = scan.setdefault("holder", {})
    case = rng.randrange(4)
    if case == 0:
        holder["sex"] = rng.choice(("Q", "male", "1"))
    elif case == 1:
        holder["nationality"] = rng.choice(("GERMANY", "D3", "12"))
    elif case == 2:
        holder["surname"] = "SMITH\x1b[2J"  # a control character: log injection attempt
    else:
        scan["holder"] = "JOHN SMITH"
    return _dump(scan), True


def _vehicle_nothing_to_check(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    scan["vehicle"] = {k: v for k, v in scan["vehicle"].items() if k not in ("vin", "plate")}
    return _dump(scan), True


def _vehicle_bad_field(rng: Random, scan: Scan) -> tuple[bytes, bool]:
    case = rng.randrange(3)
    if case == 0:
        scan["read_confidence"] = rng.choice((1.7, -0.2, "high"))
    elif case == 1:
        scan["vehicle"]["plate_country"] = "DEUTSCHLAND"
    else:
        scan["vehicle"] = ["B-AB 1234"]
    return _dump(scan), True


_Case = Callable[[Random, Scan], tuple[bytes, bool]]
_ANY: tuple[_Case, ...] = (
    _truncated,
    _not_an_object,
    _not_utf8,
    _empty,
    _no_event_id,
    _event_id_not_a_string,
    _missing_terminal,
    _bad_timestamp,
)
_TRAVELLER: tuple[_Case, ...] = (_traveller_no_document, _traveller_bad_date, _traveller_bad_field)
_VEHICLE: tuple[_Case, ...] = (_vehicle_nothing_to_check, _vehicle_bad_field)


def break_scan(rng: Random, kind: str, scan: Scan) -> Broken:
    """One broken variant of a valid scan (which is not modified)."""
    scan = copy.deepcopy(scan)
    cases = _ANY + (_TRAVELLER if kind == "traveller" else _VEHICLE)
    payload, readable = rng.choice(cases)(rng, scan)
    return kind, payload, scan["event_id"] if readable else None
