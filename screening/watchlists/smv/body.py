"""A stolen vehicle's body as the compact layout stores it: its id, US, then a byte that
says which fields follow, and the fields, each telling its own end (packing.py).

Cheap encodings make most bodies about thirty bytes: the id packed (packing.pack_text);
a VIN of the standard shape (17 of its 33 characters) in 11 bytes behind a DEL marker;
a plate packed as ids are; the report date as days since 1900 in three digits (a time in
whole seconds: DEL and five digits); the plate's country, the common makes, models and
colours and the actions as one byte of a code table; an owner that is the plate
country's NCB as one byte. What no table holds is a length-prefixed text. Packed bytes
avoid NUL, RS and US (packing.py): the id comes first and ends at the first US, as the
write scripts' entry ops expect.

The code tables are part of the layout: they may only grow at their end (a code read
back must name what it named when it was written); anything else is a new layout,
with new table names (compact.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from screening.watchlists.actions import b36, moment_of
from screening.watchlists.packing import (
    CODE,
    COUNTRY,
    COUNTRY_OF,
    code_table,
    coded,
    digits,
    number,
    pack_text,
    packable,
    packed_size,
    read_coded,
    read_text,
    text,
    unpack_text,
)

US = b"\x1f"
_US = 0x1F
_PACKED = 0x7F  # DEL: a packed VIN, a time in seconds
_VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"  # no I, O, Q
_EPOCH = date(1900, 1, 1)
_EPOCH_DT = datetime(1900, 1, 1, tzinfo=UTC)

MAKES = ("Volkswagen", "Renault", "Peugeot", "Toyota", "Ford", "Opel", "Mercedes-Benz",
         "BMW", "Audi", "Skoda", "Fiat", "Citroen", "Dacia", "Seat", "Hyundai", "Kia",
         "Nissan", "Volvo", "Land Rover", "Jaguar", "Honda", "Tesla", "Lada", "Mazda",
         "Suzuki", "Mitsubishi", "Porsche", "Mini", "Alfa Romeo", "Lexus", "Subaru",
         "Chevrolet", "Jeep", "Smart", "Cupra", "DS", "Iveco", "MAN", "Scania", "DAF", "SEAT")
# The models most often stolen in Europe, as feeds spell them.
MODELS = ("Golf", "Polo", "Passat", "Tiguan", "T-Roc", "ID.3", "Transporter", "Multivan",
          "Caddy", "3 Series", "5 Series", "1 Series", "X1", "X3", "X5", "C-Class", "E-Class",
          "A-Class", "GLC", "S-Class", "A3", "A4", "A6", "Q3", "Q5", "911", "Cayenne", "Macan",
          "Taycan", "Focus", "Fiesta", "Kuga", "Puma", "Corsa", "Astra", "Insignia", "Mokka",
          "Clio", "Megane", "Captur", "Kangoo", "208", "308", "2008", "3008", "C3", "C4",
          "Berlingo", "Sandero", "Duster", "Logan", "Ibiza", "Leon", "Ateca", "Octavia",
          "Fabia", "Superb", "Kodiaq", "500", "Panda", "Tipo", "Giulia", "Stelvio", "Tonale",
          "XC60", "XC90", "V60", "XC40", "Range Rover", "Discovery", "Defender", "Evoque",
          "XF", "F-Pace", "E-Pace", "Yaris", "Corolla", "Auris", "RAV4", "Land Cruiser",
          "C-HR", "Civic", "CR-V", "Jazz", "Accord", "i30", "Tucson", "i20", "Kona", "Ceed",
          "Sportage", "Picanto", "Niro", "Qashqai", "Juke", "Micra", "X-Trail", "Leaf",
          "Model 3", "Model Y", "Model S", "Mustang", "F-150", "Vesta", "Granta", "Niva",
          "Sprinter", "Vito", "Transit", "Ducato", "Master", "Trafic", "Partner", "Kodiaq RS",
          "CX-5", "Swift", "Vitara", "Outlander", "Cooper", "Countryman", "Formentor",
          "Born", "Enyaq", "Arona")
COLOURS = ("white", "black", "grey", "silver", "blue", "red", "brown", "green", "beige",
           "yellow", "orange", "purple", "gold", "pink")
ACTIONS = ("seize", "inform")
_OWN_NCB = bytes((CODE,))  # owner: the NCB of the plate's country

_MAKE, _MAKE_OF = code_table(MAKES)
_MODEL, _MODEL_OF = code_table(MODELS)
_COLOUR, _COLOUR_OF = code_table(COLOURS)
_ACTION, _ACTION_OF = code_table(ACTIONS)
NAMES = ("id", "vin", "plate", "plate_country", "make", "model", "colour", "reported_at",
         "action", "owner", "valid_until")
# The bits of the first byte after US (0x80 + bits): which fields follow, in this order.
# Action, owner and valid_until (rare) follow behind a second such byte when there are any.
_VIN, _PLATE, _COUNTRY, _MAKE_BIT, _MODEL_BIT, _COLOUR_BIT, _WHEN = (1 << i for i in range(7))
_ACTION_BIT, _OWNER, _UNTIL = 1, 2, 4


# A date: its days since 1900 in three digits (the first 0x20-0x22 up to 2200:
# models.common.EVENT_YEARS); a time in whole seconds: DEL and its seconds since 1900 in
# five; any other time LONG_TIME and its ISO text (length-prefixed).
_DATE_WIDTH, _SECONDS_WIDTH = 3, 5
_LONG_TIME = 0x7D


def _when(value: date | datetime | None) -> bytes:
    if value is None:
        return b""
    if isinstance(value, datetime):  # aware (the model refuses naive times)
        if value.microsecond == 0 and value >= _EPOCH_DT:
            return bytes((_PACKED,)) + _seconds(value)
        return bytes((_LONG_TIME,)) + text(value.isoformat().encode())
    return digits((value - _EPOCH).days, _DATE_WIDTH)


def _seconds(value: datetime) -> bytes:
    return digits(max(0, int((value - _EPOCH_DT).total_seconds())), _SECONDS_WIDTH)


def _moment_text(raw: bytes) -> str:
    return moment_of(b36(number(raw))) or ""


def _read_when(raw: bytes, pos: int) -> tuple[str, int]:
    head = raw[pos]
    if head == _PACKED:
        return _moment_text(raw[pos + 1:pos + 1 + _SECONDS_WIDTH]), pos + 1 + _SECONDS_WIDTH
    if head == _LONG_TIME:
        value, pos = read_text(raw, pos + 1)
        return value.decode(), pos
    days = number(raw[pos:pos + _DATE_WIDTH])
    return (_EPOCH + timedelta(days=days)).isoformat(), pos + _DATE_WIDTH


# VIN characters as the digits of base 33 that int() reads ("0"-"9", "a"-"w").
_AS_DIGITS = str.maketrans({c: "0123456789abcdefghijklmnopqrstuvw"[i]
                            for i, c in enumerate(_VIN_CHARS)})
_VIN_SET = frozenset(_VIN_CHARS)


def pack_vin(vin: str) -> bytes:
    if len(vin) != 17 or not _VIN_SET.issuperset(vin):
        return text(vin.encode())
    return bytes((_PACKED,)) + digits(int(vin.translate(_AS_DIGITS), 33), 11)  # 33**17 < 224**11


def _read_vin(raw: bytes, pos: int) -> tuple[str, int]:
    if raw[pos] != _PACKED:
        value, pos = read_text(raw, pos)
        return value.decode(), pos
    n = number(raw[pos + 1:pos + 12])
    out = []
    for _ in range(17):
        n, r = divmod(n, 33)
        out.append(_VIN_CHARS[r])
    return "".join(reversed(out)), pos + 12


def _plate(plate: str) -> bytes:
    return pack_text(plate) if packable(plate) else text(plate.encode())


def _read_plate(raw: bytes, pos: int) -> tuple[str, int]:
    if raw[pos] >= CODE:
        end = pos + packed_size(raw[pos])
        return unpack_text(raw[pos:end]), end
    value, pos = read_text(raw, pos)
    return value.decode(), pos


def pack_fields(rid: str, vin: str | None, plate: str | None, *, country: str | None,
                make: str | None, model: str | None, colour: str | None, when: bytes,
                action: str | None, owner: str | None, until: datetime | None) -> bytes:
    """The body of a record given field by field (bulk loads call it without a model;
    `when` already packed: pack_when)."""
    bits, out = 0, [pack_text(rid), US, b""]
    if vin:
        bits |= _VIN
        out.append(pack_vin(vin))
    if plate:
        bits |= _PLATE
        out.append(_plate(plate))
    if country:
        bits |= _COUNTRY
        out.append(coded(country, COUNTRY))
    if make:
        bits |= _MAKE_BIT
        out.append(coded(make, _MAKE))
    if model:
        bits |= _MODEL_BIT
        out.append(coded(model, _MODEL))
    if colour:
        bits |= _COLOUR_BIT
        out.append(coded(colour, _COLOUR))
    if when:
        bits |= _WHEN
        out.append(when)
    out[2] = bytes((CODE | bits,))
    more = 0
    tail = []
    if action:
        more |= _ACTION_BIT
        tail.append(coded(action, _ACTION))
    if owner:
        more |= _OWNER
        tail.append(_OWN_NCB if country and owner == f"NCB-{country}" else text(owner.encode()))
    if until:
        more |= _UNTIL
        tail.append(_seconds(until))
    if more:
        out.append(bytes((CODE | more,)))
        out += tail
    return b"".join(out)


def pack_when(value: date | datetime | None) -> bytes:
    return _when(value)


def pack(record: Any) -> bytes:
    return pack_fields(record.id, record.vin, record.plate, country=record.plate_country,
                       make=record.make, model=record.model, colour=record.colour,
                       when=_when(record.reported_at), action=record.action,
                       owner=record.owner, until=record.valid_until)


def unpack(raw: bytes) -> dict[str, Any]:
    """The body as the record's JSON fields (absent ones left out, as alerts show them)."""
    end = raw.index(_US)
    out: dict[str, Any] = {"id": unpack_text(raw[:end])}
    bits, pos = raw[end + 1] - CODE, end + 2
    if bits & _VIN:
        out["vin"], pos = _read_vin(raw, pos)
    if bits & _PLATE:
        out["plate"], pos = _read_plate(raw, pos)
    country = None
    if bits & _COUNTRY:
        country, pos = read_coded(raw, pos, COUNTRY_OF)
        out["plate_country"] = country
    if bits & _MAKE_BIT:
        out["make"], pos = read_coded(raw, pos, _MAKE_OF)
    if bits & _MODEL_BIT:
        out["model"], pos = read_coded(raw, pos, _MODEL_OF)
    if bits & _COLOUR_BIT:
        out["colour"], pos = read_coded(raw, pos, _COLOUR_OF)
    if bits & _WHEN:
        out["reported_at"], pos = _read_when(raw, pos)
    if pos < len(raw):
        more, pos = raw[pos] - CODE, pos + 1
        if more & _ACTION_BIT:
            out["action"], pos = read_coded(raw, pos, _ACTION_OF)
        if more & _OWNER:
            if raw[pos] == CODE:
                out["owner"], pos = f"NCB-{country}", pos + 1
            else:
                owner, pos = read_text(raw, pos)
                out["owner"] = owner.decode()
        if more & _UNTIL:
            out["valid_until"] = _moment_text(raw[pos:pos + _SECONDS_WIDTH])
    return {k: v for k, v in out.items() if v}
