"""Bytes off the wire into a validated scan, or a rejection that says exactly why.

The compiled decoder (native/src/scan.rs) validates with the models' rules and builds
the models as model_validate builds them. What it refuses, and the rarer input forms it
leaves undecided (a number for a date, say), go through the models themselves
(_py_decode_scan): they stay the contract's source, and word each rejection.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import ijson
import orjson
import screening_native
from pydantic import ConfigDict, TypeAdapter, ValidationError
from pydantic_core import TzInfo

from screening.exceptions import InvalidScan
from screening.models import ScanKind, TravellerScan, VehicleScan
from screening.models.common import Id
from screening.models.scans import Document, Holder, Vehicle

MODELS: dict[str, type[TravellerScan] | type[VehicleScan]] = {
    "traveller": TravellerScan,
    "vehicle": VehicleScan,
}
# Scans too large to screen are still parsed (up to this size) to answer their terminal.
_SALVAGE_LIMIT = 4 << 20
# The scans' own id rule, trimmed as the scan models trim: an id the scan would refuse
# is never echoed back in its rejection either.
_ID = TypeAdapter(Id, config=ConfigDict(str_strip_whitespace=True))
# RFC 8259 §8.1: a parser MAY ignore a byte order mark; a terminal that writes one (as
# Windows tools do) still gets its scans screened.
_BOM = b"\xef\xbb\xbf"
_IDS = ("event_id", "terminal_id", "checkpoint_id")
# Kafka headers of a scan an edge answered offline and forwards (contract v2, "Edge"): the
# edge's snapshot version, and the hits it found (`list:record_id`, comma-separated), so
# that the worker can tell which of its alerts the gate was not told of (retroactive).
OFFLINE_HEADER = "screening-offline"
OFFLINE_HITS_HEADER = "screening-offline-hits"


def without_bom(raw: bytes) -> bytes:
    return raw[3:] if raw.startswith(_BOM) else raw


def _readable_id(data: Any, name: str) -> str | None:
    value = data.get(name) if isinstance(data, dict) else None
    if isinstance(value, str):
        try:
            return _ID.validate_python(value)
        except ValidationError:
            return None
    return None


def _invalid(code: str, message: str, data: Any = None) -> InvalidScan:
    return InvalidScan(
        code,
        message,
        event_id=_readable_id(data, "event_id"),
        terminal_id=_readable_id(data, "terminal_id"),
        checkpoint_id=_readable_id(data, "checkpoint_id"),
    )


def _describe(exc: ValidationError) -> tuple[str, str]:
    first = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in first["loc"]) or "scan"
    code = "MISSING_FIELD" if first["type"] == "missing" else "INVALID_FIELD"
    more = exc.error_count() - 1
    suffix = f" (and {more} more)" if more > 0 else ""
    return code, f"{loc}: {first['msg']}{suffix}"


def _salvage(raw: bytes | None) -> Any:
    """A refused scan parsed anyway (up to a size), only to read its ids.

    What orjson refuses (NaN, a stray byte that is not UTF-8) is read again by the
    standard library's lenient parser, so that its terminal is still answered; an id
    holding a byte that was not UTF-8 is not read (it could not be echoed as sent).
    What neither parses (cut short, garbage after it, nested thousands deep) is read
    as a stream: ids complete before the first error are answered."""
    if raw is None or len(raw) > _SALVAGE_LIMIT:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _lenient(raw)


def _lenient(raw: bytes) -> dict[str, str] | None:
    """The ids of what orjson refused (see _salvage)."""
    if len(raw) > _SALVAGE_LIMIT:
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(text, strict=False)
    except (ValueError, RecursionError):  # broken, or nested deeper than json recurses
        data = _top_level_strings(text.encode())
    if not isinstance(data, dict):
        return None
    return {k: v for k in _IDS if isinstance(v := data.get(k), str) and "\ufffd" not in v}


def _top_level_strings(raw: bytes) -> dict[str, str]:
    """The string members of a top-level JSON object, read as a stream of events (ijson)
    without building what is nested, so that no depth stops it; what comes after a
    syntax error is not read."""
    found: dict[str, str] = {}
    depth, key = 0, None
    try:
        for event, value in ijson.basic_parse(raw):
            if event in ("start_map", "start_array"):
                if depth == 0 and event == "start_array":
                    return found
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
            elif depth == 1 and event == "map_key":
                key = value
                continue
            elif depth == 1 and event == "string" and key is not None:
                found[key] = value
            if depth == 1:
                key = None
    except ijson.JSONError:
        pass
    return found


def refusal(code: str, message: str, raw: bytes | None) -> InvalidScan:
    """A scan refused before decoding (its kind could not be told, say), with whatever
    ids it carries so that its terminal still gets an answer."""
    return _invalid(code, message, _salvage(raw))


def decode_object(raw: bytes | None, *, max_bytes: int) -> dict[str, Any]:
    """The JSON object of one scan, unvalidated; raises InvalidScan with the worker's
    reason code (the edge reads a body this way before it sets the terminal's ids)."""
    if raw is None or not raw.strip():
        raise _invalid("EMPTY", "the message has no value")
    if len(raw) > max_bytes:
        raise _invalid("TOO_LARGE", f"scan of {len(raw)} bytes exceeds {max_bytes}",
                       _salvage(raw))
    try:
        data = orjson.loads(without_bom(raw))
    except orjson.JSONDecodeError as exc:
        # orjson's message for a byte order mark (a second one) names UTF-8 too, but a
        # BOM is valid UTF-8.
        if ("UTF-8" in str(exc) and "BOM" not in str(exc)) or "surrogate" in str(exc):
            raise _invalid("INVALID_UTF8", "the message is not valid UTF-8",
                           _lenient(raw)) from None
        raise _invalid("INVALID_JSON", f"not valid JSON: {exc.msg}", _lenient(raw)) from None
    if not isinstance(data, dict):
        raise _invalid("NOT_AN_OBJECT", "a scan must be a JSON object")
    return data


def validate_scan(kind: ScanKind, data: dict[str, Any]) -> TravellerScan | VehicleScan:
    """A scan's JSON object as the contract's model; raises InvalidScan as decode_scan."""
    try:
        return MODELS[kind].model_validate(data)
    except ValidationError as exc:
        code, message = _describe(exc)
        raise _invalid(code, message, data) from None
    except RecursionError:
        raise _invalid("INVALID_JSON", "nested too deeply", data) from None


_DECODER = screening_native.ScanDecoder(TravellerScan, Document, Holder, VehicleScan, Vehicle,
                                        datetime, date, TzInfo)
_SCANS = (TravellerScan, VehicleScan)


def decode_scans(kinds: ScanKind | Sequence[ScanKind], raws: Sequence[bytes | None], *,
                 max_bytes: int) -> list[TravellerScan | VehicleScan | InvalidScan]:
    """Validate a batch of scans in one call: each a scan, or the InvalidScan decode_scan
    would raise for it. `kinds`: one kind for all, or each scan's kind beside it."""
    out: list[Any] = _DECODER.decode(kinds if isinstance(kinds, str) else list(kinds),
                                     list(raws), max_bytes)
    for i, scan in enumerate(out):
        if not isinstance(scan, _SCANS):
            kind = kinds if isinstance(kinds, str) else kinds[i]
            try:
                out[i] = _py_decode_scan(kind, raws[i], max_bytes=max_bytes)
            except InvalidScan as exc:
                out[i] = exc
    return out


def decode_scan(kind: ScanKind, raw: bytes | None, *,
                max_bytes: int) -> TravellerScan | VehicleScan:
    """Validate one scan; raises InvalidScan with a reason code and any ids it could read."""
    scan = _DECODER.decode(kind, [raw], max_bytes)[0]
    if isinstance(scan, _SCANS):
        return scan
    return _py_decode_scan(kind, raw, max_bytes=max_bytes)


def _py_decode_scan(kind: ScanKind, raw: bytes | None, *,
                    max_bytes: int) -> TravellerScan | VehicleScan:
    """The reference decoder: orjson and the models."""
    return validate_scan(kind, decode_object(raw, max_bytes=max_bytes))
