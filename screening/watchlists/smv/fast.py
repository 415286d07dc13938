"""SMV records checked without building a pydantic model: the bulk load's fast path.

Bulk loads run it compiled (native/src/smv.rs: the line read, checked and packed, its
entries partitioned as pack_vehicles does, through SmvPacker); the functions here are
its reference (the unit tests compare the two) and serve the lines it hands back.

It accepts only the plain shape feeds send (known keys; printable ASCII strings, or for
the plate printable text of any script, without surrounding spaces and within the
model's lengths; an upper-case country; a known
action; an ISO date, or a timestamp with an offset and a time other than midnight, which
the model would read as a date) and returns None for anything else, which then goes
through the model (SmvRecord): so the fast path never accepts a record the model
rejects, and what it accepts it packs exactly as the model's record would be
(the unit tests compare the two, record by record).
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable
from datetime import date, datetime
from functools import lru_cache
from hashlib import blake2b
from typing import Any, NamedTuple
from zlib import crc32

import orjson
import screening_native

from screening.watchlists.packing import COUNTRIES
from screening.watchlists.sltd.fast import _WHEN, _plain
from screening.watchlists.smv import body, compact
from screening.watchlists.smv.record import SmvRecord

_KEYS = frozenset(("list", "id", "vin", "plate", "plate_country", "make", "model", "colour",
                   "reported_at", "action", "owner", "valid_until"))
_TEXT = (("make", 128), ("model", 128), ("colour", 128), ("owner", 128))
_ACTIONS = frozenset(("seize", "inform"))


class Smv(NamedTuple):
    """What the compact layout needs of a record: its id, VIN, plate and body."""

    id: str
    vin: str | None
    plate: str | None
    body: bytes


def _printable(s: str, most: int) -> bool:
    """_plain, of any script: plates of Cyrillic and Greek letters (one in twenty-five
    of the generator's) are read so rather than by the model. Printable text has none of
    the model's control characters, and no whitespace at its ends but the space."""
    return 0 < len(s) <= most and s.isprintable() and s[0] != " " and s[-1] != " "


def _moment(value: str, *, midnight_is_date: bool) -> datetime | None:
    """A timestamp the model reads as this datetime, else None (ask the model)."""
    m = _WHEN.fullmatch(value)
    if m is None or len(value) <= 10 or (midnight_is_date and value[11:19] == "00:00:00"):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@lru_cache(maxsize=8192)  # report dates repeat: a few thousand days in a list
def _packed_date(text: str) -> bytes:
    """A date the model reads as this date, packed (body.pack_when), else b"" (ask the
    model)."""
    if _WHEN.fullmatch(text) is None:
        return b""
    try:
        return body.pack_when(date.fromisoformat(text))
    except ValueError:
        return b""


def fast_smv(data: dict[str, Any]) -> Smv | None:
    """The record when `data` is a plainly valid SMV record, else None (ask the model)."""
    if data.get("list") != "smv" or not _KEYS.issuperset(data):
        return None
    rid, vin, plate = data.get("id"), data.get("vin"), data.get("plate")
    if type(rid) is not str or not _plain(rid, 64):
        return None
    if vin is not None and (type(vin) is not str or not _plain(vin, 32)):
        return None
    if plate is not None and (type(plate) is not str or not _printable(plate, 20)):
        return None
    if vin is None and plate is None:
        return None
    country = data.get("plate_country")
    if country is not None and (type(country) is not str or not 0 < len(country) <= 3
                                or not (country.isascii() and country.isalpha()
                                        and country.isupper())):
        return None
    for name, most in _TEXT:
        value = data.get(name)
        if value is not None and (type(value) is not str or not _plain(value, most)):
            return None
    action = data.get("action")
    if action is not None and action not in _ACTIONS:
        return None
    when: bytes = b""
    if (reported := data.get("reported_at")) is not None:
        if type(reported) is not str:
            return None
        if len(reported) == 10:
            when = _packed_date(reported)
            if not when:
                return None
        else:
            moment = _moment(reported, midnight_is_date=True)
            if moment is None:
                return None
            when = body.pack_when(moment)
    until = None
    text = data.get("valid_until")
    if text is not None and (type(text) is not str
                             or (until := _moment(text, midnight_is_date=False)) is None):
        return None
    packed = body.pack_fields(rid, vin, plate, country=country, make=data.get("make"),
                              model=data.get("model"), colour=data.get("colour"), when=when,
                              action=action, owner=data.get("owner"), until=until)
    return Smv(rid, vin, plate, packed)


# An index key's new entry in a bulk load's partition: its bucket, its field number, then
# the 5-byte entry (the check byte and R); fixed-size, so that grouping reads them with
# struct.iter_unpack (blocks.group_entries).
INDEX_ENTRY = struct.Struct(">IB5s")


def smv_packer(buckets: tuple[int, int, int], parts: int) -> screening_native.SmvPacker:
    """The compiled packer of a bulk load's SMV lines (blocks.parse_block): it keeps the
    lines it reads, and the records the Python path read (put), by id, the later line
    winning, and packs them as _py_pack_vehicles does. The code tables are body.py's."""
    return screening_native.SmvPacker(list(COUNTRIES), list(body.MAKES), list(body.MODELS),
                                      list(body.COLOURS), list(body.ACTIONS), buckets, parts,
                                      compact.SLOTS)


def _py_vehicle(line: bytes) -> Smv | None:
    """What SmvPacker.feed takes of a (stripped) line, in Python: the fast path's record
    of the line's JSON object, else None."""
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    return fast_smv(data) if isinstance(data, dict) else None


def _py_pack_vehicles(records: Iterable[Smv], buckets: tuple[int, int, int], parts: int,
                      header: Callable[[int, int], bytes]) -> tuple[list[bytes], ...]:
    """Records into the compact tables' new entries for a bulk load (blocks.py): per
    table (records, VIN index, plate index), `parts` partitions by bucket; a record's
    entry is its `header` (bucket, length) then its field and body in RESP, an index
    key's an INDEX_ENTRY (grouped per field later: blocks.group_entries)."""
    record_buckets, vin_buckets, plate_buckets = buckets
    rp, vp, pp = ([bytearray() for _ in range(parts)] for _ in range(3))
    # compact.id_digest_of, record_slot, key_digest_of and key_slot, inlined: this loop
    # runs for every record of a load and every one of its eight-odd keys.
    slots, index_entry = compact.SLOTS, INDEX_ENTRY.pack
    vin_key, plate_keys = compact.vin_key, compact.plate_keys
    for record in records:
        digest = crc32(record.id.encode()).to_bytes(4, "big")
        if b"\0" in digest:
            digest = digest.replace(b"\0", b"\1")
        b = int.from_bytes(digest[2:4], "big") % record_buckets
        fld = digest[:2]
        body = record.body
        pair = b"$2\r\n%b\r\n$%d\r\n%b\r\n" % (fld, len(body), body)
        part = rp[b % parts]
        part += header(b, len(pair))
        part += pair
        if record.vin and (v := vin_key(record.vin)):
            k = blake2b(v.encode(), digest_size=5).digest()
            b = int.from_bytes(k[:3], "big") % vin_buckets
            vp[b % parts] += index_entry(b, k[3] % slots, bytes((k[4] or 1,)) + digest)
        for key in plate_keys(record.plate):
            k = blake2b(key.encode(), digest_size=5).digest()
            b = int.from_bytes(k[:3], "big") % plate_buckets
            pp[b % parts] += index_entry(b, k[3] % slots, bytes((k[4] or 1,)) + digest)
    return tuple([bytes(x) for x in made] for made in (rp, vp, pp))


def model_smv(data: dict[str, Any]) -> Smv:
    """The record through the model (raises its ValidationError)."""
    record = SmvRecord.model_validate(data)
    return Smv(record.id, record.vin, record.plate, body.pack(record))
