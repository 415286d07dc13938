"""A stolen vehicle's body as the compact layout stores it: its fields in a fixed order,
separated by US, empty trailing fields left out.

Cheap encodings make most bodies about forty bytes: a VIN of the standard shape (17 of
its 33 characters) packed into 11 bytes behind a DEL marker; the report date shortened
(days or seconds, base 36); the common makes, colours and the actions as one byte of a
code table (0x80 + index: a lone byte 0x80-0xFF is never UTF-8 text, so a code cannot be
mistaken for a value); an owner that is the plate country's NCB as one byte. Packed
bytes avoid NUL, RS and US, which the batch scripts and the entries' joins use, and
never start a body (the id comes first, as the write script's entry ops expect).

The code tables are part of the layout: they may only grow at their end (a code read
back must name what it named when it was written); anything else is a new layout,
with new table names (compact.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening.watchlists.actions import b36, moment_of

US = b"\x1f"
_PACKED = b"\x7f"
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
_VIN_INDEX = {c: i for i, c in enumerate(_VIN_CHARS)}
_BASE = 224  # digits as bytes 0x20-0xFF
_EPOCH = date(1900, 1, 1)
_EPOCH_DT = datetime(1900, 1, 1, tzinfo=UTC)
_CODE = 0x80

MAKES = ("Volkswagen", "Renault", "Peugeot", "Toyota", "Ford", "Opel", "Mercedes-Benz",
         "BMW", "Audi", "Skoda", "Fiat", "Citroen", "Dacia", "Seat", "Hyundai", "Kia",
         "Nissan", "Volvo", "Land Rover", "Jaguar", "Honda", "Tesla", "Lada", "Mazda",
         "Suzuki", "Mitsubishi", "Porsche", "Mini", "Alfa Romeo", "Lexus", "Subaru",
         "Chevrolet", "Jeep", "Smart", "Cupra", "DS", "Iveco", "MAN", "Scania", "DAF")
COLOURS = ("white", "black", "grey", "silver", "blue", "red", "brown", "green", "beige",
           "yellow", "orange", "purple", "gold", "pink")
ACTIONS = ("seize", "inform")
_OWN_NCB = bytes((_CODE,))  # owner: the NCB of the plate's country


def _table(names: tuple[str, ...]) -> tuple[dict[str, bytes], dict[bytes, str]]:
    assert len(names) <= 0x80
    enc = {n: bytes((_CODE + i,)) for i, n in enumerate(names)}
    return enc, {v: k for k, v in enc.items()}


_MAKE, _MAKE_OF = _table(MAKES)
_COLOUR, _COLOUR_OF = _table(COLOURS)
_ACTION, _ACTION_OF = _table(ACTIONS)
NAMES = ("id", "vin", "plate", "plate_country", "make", "model", "colour", "reported_at",
         "action", "owner", "valid_until")


def _digits(n: int, width: int) -> bytes:
    """n as `width` base-224 digits (bytes 0x20-0xFF), most significant first."""
    out = bytearray(width)
    for i in range(width - 1, -1, -1):
        n, r = divmod(n, _BASE)
        out[i] = 0x20 + r
    return bytes(out)


def _number(raw: bytes) -> int:
    n = 0
    for b in raw:
        n = n * _BASE + b - 0x20
    return n


# A date: its days since 1900 in three digits; a time in whole seconds: its seconds since
# 1900 in five (up to 2200 either way: models.common.EVENT_YEARS); any other time "i"
# and its ISO text (twenty characters at least). Their lengths tell them apart.
_DATE_WIDTH, _SECONDS_WIDTH = 3, 5


def _when(value: date | datetime | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, datetime):  # aware (the model refuses naive times)
        if value.microsecond == 0 and value >= _EPOCH_DT:
            return _seconds(value)
        return b"i" + value.isoformat().encode()
    return _digits((value - _EPOCH).days, _DATE_WIDTH)


def _seconds(value: datetime) -> bytes:
    return _digits(max(0, int((value - _EPOCH_DT).total_seconds())), _SECONDS_WIDTH)


def _moment_text(raw: bytes) -> str:
    return moment_of(b36(_number(raw))) or ""


def _when_text(packed: bytes) -> str | None:
    if not packed:
        return None
    if len(packed) == _DATE_WIDTH:
        return (_EPOCH + timedelta(days=_number(packed))).isoformat()
    if len(packed) == _SECONDS_WIDTH:
        return _moment_text(packed)
    return packed[1:].decode()


# Ids and plates of digits, capital letters, spaces and hyphens (most of them) in base
# 224 behind a byte 0x80 + their length: a lone 0x80-0xBF never starts UTF-8 text.
_TEXT_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -"
_TEXT_INDEX = {c: i for i, c in enumerate(_TEXT_CHARS)}
_TEXT_SET = frozenset(_TEXT_CHARS)
_TEXT_WIDTH = [0]
while len(_TEXT_WIDTH) < 64:  # base-224 digits that hold any text of that length
    n, w = len(_TEXT_CHARS) ** len(_TEXT_WIDTH), 0
    while _BASE ** w < n:
        w += 1
    _TEXT_WIDTH.append(w)


def pack_text(text: str) -> bytes:
    """An id or a plate as the body holds it (the write ops name a body by its id so)."""
    if not 0 < len(text) < 64 or not _TEXT_SET.issuperset(text):
        return text.encode()
    n = 0
    for c in text:
        n = n * 38 + _TEXT_INDEX[c]
    return bytes((0x80 + len(text),)) + _digits(n, _TEXT_WIDTH[len(text)])


def unpack_text(raw: bytes) -> str:
    if not raw or not 0x80 <= raw[0] < 0xC0:
        return raw.decode()
    n, out = _number(raw[1:]), []
    for _ in range(raw[0] - 0x80):
        n, r = divmod(n, 38)
        out.append(_TEXT_CHARS[r])
    return "".join(reversed(out))


# VIN characters as the digits of base 33 that int() reads ("0"-"9", "a"-"w").
_AS_DIGITS = str.maketrans({c: "0123456789abcdefghijklmnopqrstuvw"[i]
                            for i, c in enumerate(_VIN_CHARS)})
_VIN_SET = frozenset(_VIN_CHARS)


def pack_vin(vin: str) -> bytes:
    if len(vin) != 17 or not _VIN_SET.issuperset(vin):
        return vin.encode()
    n = int(vin.translate(_AS_DIGITS), 33)
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


def _coded(value: str | None, table: dict[str, bytes]) -> bytes:
    if not value:
        return b""
    return table.get(value) or value.encode()


def _text(raw: bytes, table: dict[bytes, str]) -> str:
    return table.get(raw) or raw.decode()


def pack_fields(rid: str, vin: str | None, plate: str | None, *, country: str | None,
                make: str | None, model: str | None, colour: str | None, when: bytes,
                action: str | None, owner: str | None, until: datetime | None) -> bytes:
    """The body of a record given field by field (bulk loads call it without a model;
    `when` already packed: pack_when)."""
    own = (_OWN_NCB if owner and country and owner == f"NCB-{country}"
           else owner.encode() if owner else b"")
    parts = [pack_text(rid), pack_vin(vin) if vin else b"", pack_text(plate) if plate else b"",
             (country or "").encode(), _coded(make, _MAKE), (model or "").encode(),
             _coded(colour, _COLOUR), when, _coded(action, _ACTION), own,
             _seconds(until) if until else b""]
    while not parts[-1]:
        parts.pop()
    return US.join(parts)


def pack_when(value: date | datetime | None) -> bytes:
    return _when(value)


def pack(record: Any) -> bytes:
    return pack_fields(record.id, record.vin, record.plate, country=record.plate_country,
                       make=record.make, model=record.model, colour=record.colour,
                       when=_when(record.reported_at), action=record.action,
                       owner=record.owner, until=record.valid_until)


def unpack(raw: bytes) -> dict[str, Any]:
    """The body as the record's JSON fields (absent ones left out, as alerts show them)."""
    parts = raw.split(US)
    parts += [b""] * (len(NAMES) - len(parts))
    rid, vin, plate, country, make, model, colour, when, action, owner, until = parts[:11]
    values: dict[str, Any] = {
        "id": unpack_text(rid), "vin": _unpack_vin(vin) if vin else None,
        "plate": unpack_text(plate) or None, "plate_country": country.decode() or None,
        "make": _text(make, _MAKE_OF) if make else None, "model": model.decode() or None,
        "colour": _text(colour, _COLOUR_OF) if colour else None,
        "reported_at": _when_text(when), "action": _text(action, _ACTION_OF) if action else None,
        "owner": (f"NCB-{country.decode()}" if owner == _OWN_NCB
                  else owner.decode() if owner else None),
        "valid_until": _moment_text(until) if until else None}
    return {k: v for k, v in values.items() if v}
