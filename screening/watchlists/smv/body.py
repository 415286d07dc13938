"""A stolen vehicle's body as the compact layout stores it: its fields in a fixed order,
separated by US; the report date shortened (days or seconds, base 36), and a VIN of the
standard shape (17 of its 33 characters) packed into 11 bytes behind a DEL marker, which
no text field holds (the models refuse control characters). Packed bytes avoid NUL, RS
and US, which the batch scripts and the entries' joins use."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening.watchlists.actions import b36, moment_of, moment_text

US = "\x1f"
_PACKED = b"\x7f"
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
_VIN_INDEX = {c: i for i, c in enumerate(_VIN_CHARS)}
_BASE = 224  # digits as bytes 0x20-0xFF
FIELDS = ("id", "vin", "plate", "plate_country", "make", "model", "colour")
_EPOCH = date(1900, 1, 1)
_EPOCH_DT = datetime(1900, 1, 1, tzinfo=UTC)


def _when(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):  # aware (the model refuses naive times)
        if value.microsecond == 0 and value >= _EPOCH_DT:
            return "t" + moment_text(value)
        return "i" + value.isoformat()
    return "d" + b36((value - _EPOCH).days)


def _when_text(packed: str) -> str | None:
    if not packed:
        return None
    kind, rest = packed[0], packed[1:]
    if kind == "d":
        return (_EPOCH + timedelta(days=int(rest, 36))).isoformat()
    if kind == "t":
        return moment_of(rest)
    return rest


def _pack_vin(vin: str) -> bytes:
    if len(vin) != 17 or any(c not in _VIN_INDEX for c in vin):
        return vin.encode()
    n = 0
    for c in vin:
        n = n * 33 + _VIN_INDEX[c]
    digits = bytearray()
    for _ in range(11):  # 33**17 < 224**11
        n, r = divmod(n, _BASE)
        digits.append(0x20 + r)
    return _PACKED + bytes(reversed(digits))


def _unpack_vin(raw: bytes) -> str:
    if not raw.startswith(_PACKED):
        return raw.decode()
    n = 0
    for b in raw[1:]:
        n = n * _BASE + (b - 0x20)
    out = []
    for _ in range(17):
        n, r = divmod(n, 33)
        out.append(_VIN_CHARS[r])
    return "".join(reversed(out))


# After the report date: contract v2's action, owner and valid_until (bodies written
# before them end earlier, and read back without them).
LATER = ("action", "owner")


def pack(record: Any) -> bytes:
    parts = [(getattr(record, f) or "").encode() for f in FIELDS]
    parts[1] = _pack_vin(record.vin) if record.vin else b""
    parts.append(_when(record.reported_at).encode())
    later = [(getattr(record, f) or "").encode() for f in LATER]
    later.append(_when(record.valid_until).encode())
    if any(later):
        parts += later
    return b"\x1f".join(parts)


def unpack(raw: bytes) -> dict[str, Any]:
    """The body as the record's JSON fields (absent ones left out, as alerts show them)."""
    parts = raw.split(b"\x1f")
    out: dict[str, Any] = {}
    for name, value in zip(FIELDS, parts, strict=False):
        if value:
            out[name] = _unpack_vin(value) if name == "vin" else value.decode()
    n = len(FIELDS)
    if len(parts) > n and (when := _when_text(parts[n].decode())):
        out["reported_at"] = when
    for name, value in zip(LATER, parts[n + 1:], strict=False):
        if value:
            out[name] = value.decode()
    if len(parts) > n + 1 + len(LATER) and (until := _when_text(parts[-1].decode())):
        out["valid_until"] = until
    return out
