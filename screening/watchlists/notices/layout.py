"""Notices in the entries layout (generic.py): name-key and document entries, one profile.

    nn     name blocking key -> "<id>US<attributes>" (date of birth, nationalities, sex:
           what rules most candidates out before their profile is fetched); the field
           is not the key but 4 bytes of its digest (NoticeLayout), since a notice has
           about twenty keys of about fifteen characters; the id and the attributes
           are packed (packing.pack_text, pack_attributes): about 14 bytes an entry
    ndoc   "NUMBER|STATE" of each of the person's documents -> id
    nrec   id -> the profile (persons.notice_profile: what scoring needs) and `summary`
           (the record: what analysts see, and what an update reads back), compressed

Event lists' persons use the same layout under their own table names (with the keys as
fields: an event list is small).

A name key's digest selects its bucket (4 bytes) and is its field (4 more, NUL bytes
made 1): a key not listed meets a listed one's field about once in 2^-50 look-ups at a
million notices, and what it finds is a candidate, scored against the notice's profile
like any other. Versions loaded with earlier name tables (nkey: the keys as fields; nk:
entries as text) are refused with "reload the list" rather than misread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from hashlib import blake2b
from typing import TYPE_CHECKING, Any, NamedTuple

import screening_native

from screening.exceptions import WatchlistUnavailable
from screening.matching import persons
from screening.matching.documents import document_field
from screening.watchlists.base import Found
from screening.watchlists.batch import pack_ops
from screening.watchlists.generic import (
    Blob,
    Checked,
    EntriesLayout,
    Entry,
    Indexed,
    body_bytes,
)
from screening.watchlists.notices.fast import fast_notice
from screening.watchlists.notices.record import NoticeRecord
from screening.watchlists.packing import (
    CODE,
    COUNTRY,
    COUNTRY_OF,
    coded,
    digits,
    number,
    pack_text,
    read_coded,
    read_text,
    text,
    unpack_text,
)

if TYPE_CHECKING:
    from screening.watchlists.base import Lookup
    from screening.watchlists.batch import WriteOp
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version


class PersonTables(NamedTuple):
    names: str
    documents: str
    profiles: str


NOTICE_TABLES = PersonTables("nn", "ndoc", "nrec")

# The preset dictionary persons' profiles are compressed with (generic.body_bytes): the
# keys and common values of persons.notice_profile and of the record's summary. Part of
# the stored format: changing it is a new layout (new table names), never an edit.
PROFILE_DICT = (
    b'"script":"Cyrl"},{"script":"Arab"},{"script":"Hans"},"action":"locate",'
    b'"action":"discreet_check","action":"specific_check","action":"protect",'
    b'"action":"refuse_entry","action":"inform","colour":"yellow","colour":"blue",'
    b'"colour":"green","colour":"orange","colour":"purple","colour":"black","colour":"un",'
    b',1,0]],1],[1,[["' b',2,0],["' b',4,0],["' b',6,0]],1]],' b',1,4],["' b'],["'
    b'"issued_at":"20' b'T00:00:00Z","valid_until":"20' b'"nationalities":["'
    b'"date_of_birth":"19' b'"sex":"M",' b'"sex":"F",' b'"dob":"19' b'"nat":["'
    b'"forms":[[0,[["' b'"colour":"red","names":["' b'"documents":[{"number":"'
    b'","issuing_state":"' b'"},{"number":"' b'","script":"Latn"},{"surname":"'
    b'"names":[{"surname":"' b'","given_names":"' b'","script":"Latn"}],'
    b'"action":"arrest","owner":"NCB-' b'"summary":{"id":"' b'{"id":"')
# Earlier name tables (nkey: the keys as fields; nk: entries of the id and attributes as
# text but a packed date of birth): refused, never misread.
PREVIOUS_NAMES = ("nkey", "nk")
KEYS_PER_NOTICE = 21.0  # name keys a notice takes, on average (the mock's, measured)


class PersonParts(NamedTuple):
    """What a person's record indexes, before it is made entries (person_index) or
    writes (NoticeLayout.packed_index)."""

    name_keys: list[str]  # sorted
    attributes: str  # the name entries' payload (persons.notice_attributes)
    documents: list[str]  # document fields, without repeats
    body: bytes  # the profile with the record's summary (body_bytes)


def person_parts(data: dict[str, Any]) -> PersonParts:
    """`data`: the record's model_dump(mode="json")."""
    profile = persons.notice_profile(data)
    # What analysts see in an alert, beside what scoring needs.
    profile["summary"] = {k: v for k, v in data.items() if v is not None and k != "list"}
    documents = [document_field(d["number"], d["issuing_state"]) for d in data["documents"]]
    return PersonParts(sorted(persons.notice_keys(profile)), persons.notice_attributes(profile),
                       list(dict.fromkeys(documents)), body_bytes(profile, PROFILE_DICT))


def person_index(record: Any, tables: PersonTables) -> Indexed:
    parts = person_parts(record.model_dump(mode="json"))
    rid = record.id
    entries = [Entry(tables.names, key, rid, parts.attributes) for key in parts.name_keys]
    entries += [Entry(tables.documents, fld, rid) for fld in parts.documents]
    return Indexed(entries=tuple(entries), blobs=(Blob(tables.profiles, rid, parts.body),))


def _notice(table: str, profile: dict[str, Any]) -> NoticeRecord:
    return NoticeRecord.model_validate({"list": "notice", **profile["summary"]})


def name_slot(key: str, buckets: int) -> tuple[int, bytes]:
    """(bucket, field) of a name key in the name table."""
    digest = blake2b(key.encode(), digest_size=8).digest()
    fld = digest[:4]
    return int.from_bytes(digest[4:], "big") % buckets, (fld.replace(b"\0", b"\1")
                                                         if b"\0" in fld else fld)


_DAY0 = date(1800, 1, 1)  # persons' dates of birth start in 1800 (models.common.BIRTH_YEARS)
_SEXES = ("", "M", "F", "X")
# The first byte of packed attributes: 0x80 + the sex (its index in _SEXES) + 4 × the kind
# of date of birth that follows: none, a full date (three base-224 digits: days since
# 1800), a year (two digits), other text (length-prefixed).
_NO_DOB, _FULL_DOB, _YEAR_DOB, _TEXT_DOB = range(4)


def _dob(dob: str) -> tuple[int, bytes]:
    if not dob:
        return _NO_DOB, b""
    if len(dob) == 10:
        try:
            days = (date.fromisoformat(dob) - _DAY0).days
        except ValueError:
            days = -1
        if 0 <= days < 224 ** 3:
            return _FULL_DOB, digits(days, 3)
    if len(dob) == 4 and dob.isdigit() and dob[0] != "0":
        return _YEAR_DOB, digits(int(dob), 2)
    return _TEXT_DOB, text(dob.encode())


@lru_cache(maxsize=4096)  # a notice's ~21 entries carry the same attributes
def pack_attributes(payload: str) -> bytes:
    """A name entry's attributes (persons.notice_attributes: "dob;nationalities;sex") in a
    byte for the sex and the kind of date, the date as digits, each nationality as its
    one-byte code (packing.COUNTRIES) else as text: about a third of the text's bytes,
    in every one of a notice's twenty-odd entries. Attributes of another shape stay text
    (whose first byte is ASCII, where packed attributes start with 0x80 or more)."""
    parts = payload.split(";")
    if len(parts) != 3 or parts[2] not in _SEXES:
        return payload.encode()
    dob, nations, sex = parts
    kind, packed = _dob(dob)
    out = [bytes((CODE + _SEXES.index(sex) + 4 * kind,)), packed]
    out += [coded(n, COUNTRY) for n in nations.split(",")] if nations else []
    return b"".join(out)


def unpack_attributes(raw: bytes) -> str:
    if not raw or raw[0] < CODE:
        return raw.decode()
    head = raw[0] - CODE
    sex, kind, pos = _SEXES[head & 3], head >> 2, 1
    if kind == _FULL_DOB:
        dob, pos = (_DAY0 + timedelta(days=number(raw[1:4]))).isoformat(), 4
    elif kind == _YEAR_DOB:
        dob, pos = str(number(raw[1:3])), 3
    elif kind == _TEXT_DOB:
        value, pos = read_text(raw, 1)
        dob = value.decode()
    else:
        dob = ""
    nations = []
    while pos < len(raw):
        nation, pos = read_coded(raw, pos, COUNTRY_OF)
        nations.append(nation)
    return f"{dob};{','.join(nations)};{sex}"


_packed_id = lru_cache(maxsize=256)(pack_text)  # a notice's ~21 entries, twice each


def name_entries(raw: bytes | None) -> list[Found]:
    """A name field's entries: "<packed id>US<packed attributes>", joined by RS."""
    if not raw:
        return []
    out = []
    for item in raw.split(b"\x1e"):
        rid, _, payload = item.partition(b"\x1f")
        out.append(Found(unpack_text(rid), unpack_attributes(payload) if payload else ""))
    return out


class NoticeLayout(EntriesLayout):
    """The entries layout, with the name table's fields digests of the keys and its
    entries' dates of birth packed."""

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        return name_entries(raw) if table == NOTICE_TABLES.names else super().decode(table, raw)

    def stored(self, entry: Entry) -> str | bytes:
        if entry.table != NOTICE_TABLES.names:
            return entry.value
        if not entry.payload:
            return _packed_id(entry.record_id)
        return _packed_id(entry.record_id) + b"\x1f" + pack_attributes(entry.payload)

    def stored_id(self, entry: Entry) -> str | bytes:
        if entry.table == NOTICE_TABLES.names:
            return _packed_id(entry.record_id)
        return entry.record_id

    def puts(self, version: Version, keys: Keys, new: Indexed) -> list[WriteOp]:
        """EntriesLayout.puts, the name entries' in one loop (a notice has twenty-odd)."""
        names = NOTICE_TABLES.names
        if not any(e.table == names for e in new.entries):
            return super().puts(version, keys, new)
        buckets, base = self._names(version), f"{keys.prefix}:{version.id}:{names}:"
        ops: list[WriteOp] = []
        others = []
        for e in new.entries:
            if e.table != names:
                others.append(e)
                continue
            b, fld = name_slot(e.field, buckets)
            rid = _packed_id(e.record_id)
            ops.append(("p", f"{base}{b}", fld, rid,
                        rid + b"\x1f" + pack_attributes(e.payload) if e.payload else rid))
        return ops + super().puts(version, keys, Indexed(tuple(others), new.blobs))

    def packed_puts(self, version: Version, keys: Keys, new: Indexed) -> bytes:
        """pack_ops(puts()), the name entries' compiled (screening_native.name_puts: their
        slots and packing were a fifth of a notice's indexing) when they are one record's
        with one payload, as person_index makes them."""
        names = NOTICE_TABLES.names
        mine = [e for e in new.entries if e.table == names]
        if (not mine or len({e.payload for e in mine}) != 1
                or len({e.record_id for e in mine}) != 1):
            return super().packed_puts(version, keys, new)
        first = mine[0]
        rid = _packed_id(first.record_id)
        value = rid + b"\x1f" + pack_attributes(first.payload) if first.payload else rid
        head = screening_native.name_puts([e.field for e in mine], self._names(version),
                                          f"{keys.prefix}:{version.id}:{names}:", rid, value)
        others = Indexed(tuple(e for e in new.entries if e.table != names), new.blobs)
        rest = pack_ops(EntriesLayout.puts(self, version, keys, others))
        return head + b"\0" + rest if rest else head

    def lean(self, data: dict[str, Any]) -> Checked | None:
        dumped = fast_notice(data)
        return None if dumped is None else Checked(dumped["id"], dumped)

    def packed_index(self, version: Version, keys: Keys, record: Any) -> bytes:
        """packed_puts(version, keys, index(record)) without the entries between: a bulk
        load's parsing processes write each notice's twenty-odd name entries straight from
        its keys (person_parts)."""
        rid = record.id
        parts = person_parts(record.data if isinstance(record, Checked)
                             else record.model_dump(mode="json"))
        ops: list[WriteOp] = [("p", version.key(keys, NOTICE_TABLES.documents, fld), fld, rid,
                               rid) for fld in parts.documents]
        ops.append(("s", version.key(keys, NOTICE_TABLES.profiles, rid), rid, "", parts.body))
        rest = pack_ops(ops)
        if not parts.name_keys:
            return rest
        packed = _packed_id(rid)
        value = packed + b"\x1f" + pack_attributes(parts.attributes) if parts.attributes else packed
        head = screening_native.name_puts(parts.name_keys, self._names(version),
                                          f"{keys.prefix}:{version.id}:{NOTICE_TABLES.names}:",
                                          packed, value)
        return head + b"\0" + rest

    def _names(self, version: Version) -> int:
        n = version.buckets.get(NOTICE_TABLES.names)
        if n is None:
            lapsed = any(t in version.buckets for t in PREVIOUS_NAMES)
            raise WatchlistUnavailable(
                f"version {version.id} keeps notices in a previous layout that this code "
                "does not read: reload the list" if lapsed else
                f"version {version.id} has no table {NOTICE_TABLES.names!r}",
                lists=("notice",))
        return n

    def slot(self, version: Version, keys: Keys, lookup: Lookup) -> tuple[str, str | bytes]:
        table, key = lookup
        if table != NOTICE_TABLES.names:
            return super().slot(version, keys, lookup)
        b, fld = name_slot(key, self._names(version))
        return f"{keys.prefix}:{version.id}:{table}:{b}", fld

    def slots(self, version: Version, keys: Keys, table: str, fields: Sequence[str]
              ) -> tuple[list[str], list[str | bytes]]:
        if table != NOTICE_TABLES.names:
            return super().slots(version, keys, table, fields)
        buckets, base = self._names(version), f"{keys.prefix}:{version.id}:{table}:"
        # name_slot written out: every scan's name keys (~16) take this
        bucket_keys: list[str] = []
        flds: list[str | bytes] = []
        for f in fields:
            digest = blake2b(f.encode(), digest_size=8).digest()
            fld = digest[:4]
            bucket_keys.append(f"{base}{int.from_bytes(digest[4:], 'big') % buckets}")
            flds.append(fld.replace(b"\0", b"\1") if b"\0" in fld else fld)
        return bucket_keys, flds


LAYOUT = NoticeLayout("notice", {NOTICE_TABLES.names: KEYS_PER_NOTICE,
                                 NOTICE_TABLES.documents: 1.0, NOTICE_TABLES.profiles: 1.0},
                      lambda record: person_index(record, NOTICE_TABLES),
                      body_tables=(NOTICE_TABLES.profiles,), restore=_notice,
                      zdict=PROFILE_DICT)
