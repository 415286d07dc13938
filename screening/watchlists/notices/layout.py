"""Notices in the entries layout (generic.py): name-key and document entries, one profile.

    nk     name blocking key -> "<id>US<attributes>" (date of birth, nationalities, sex:
           what rules most candidates out before their profile is fetched); the field
           is not the key but 4 bytes of its digest (NoticeLayout), since a notice has
           about twenty keys of about fifteen characters
    ndoc   "NUMBER|STATE" of each of the person's documents -> id
    nrec   id -> the profile (persons.notice_profile: what scoring needs) and `summary`
           (the record: what analysts see, and what an update reads back), compressed

Event lists' persons use the same layout under their own table names (with the keys as
fields: an event list is small).

A name key's digest selects its bucket (4 bytes) and is its field (4 more, NUL bytes
made 1): a key not listed meets a listed one's field about once in 2^-50 look-ups at a
million notices, and what it finds is a candidate, scored against the notice's profile
like any other. Versions loaded with the keys as fields (table nkey) are refused with
"reload the list" rather than misread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from hashlib import blake2b
from typing import TYPE_CHECKING, Any, NamedTuple

from screening.exceptions import WatchlistUnavailable
from screening.matching import persons
from screening.matching.documents import document_field
from screening.watchlists.base import Found
from screening.watchlists.generic import Blob, EntriesLayout, Entry, Indexed, body_bytes
from screening.watchlists.notices.record import NoticeRecord

if TYPE_CHECKING:
    from screening.watchlists.base import Lookup
    from screening.watchlists.keys import Keys
    from screening.watchlists.store import Version


class PersonTables(NamedTuple):
    names: str
    documents: str
    profiles: str


NOTICE_TABLES = PersonTables("nk", "ndoc", "nrec")

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
PREVIOUS_NAMES = "nkey"  # the name table with the keys as fields: refused, never misread
KEYS_PER_NOTICE = 21.0  # name keys a notice takes, on average (the mock's, measured)


def person_index(record: Any, tables: PersonTables) -> Indexed:
    data = record.model_dump(mode="json")
    profile = persons.notice_profile(data)
    # What analysts see in an alert, beside what scoring needs.
    profile["summary"] = {k: v for k, v in data.items() if v is not None and k != "list"}
    attributes = persons.notice_attributes(profile)
    entries = [Entry(tables.names, key, record.id, attributes)
               for key in sorted(persons.notice_keys(profile))]
    entries += [Entry(tables.documents, document_field(d.number, d.issuing_state), record.id)
                for d in record.documents]
    blob = Blob(tables.profiles, record.id, body_bytes(profile, PROFILE_DICT))
    return Indexed(entries=tuple(dict.fromkeys(entries)), blobs=(blob,))


def _notice(table: str, profile: dict[str, Any]) -> NoticeRecord:
    return NoticeRecord.model_validate({"list": "notice", **profile["summary"]})


def name_slot(key: str, buckets: int) -> tuple[int, bytes]:
    """(bucket, field) of a name key in the name table."""
    digest = blake2b(key.encode(), digest_size=8).digest()
    fld = digest[:4]
    return int.from_bytes(digest[4:], "big") % buckets, (fld.replace(b"\0", b"\1")
                                                         if b"\0" in fld else fld)


_PACKED_DOB = b"\x7f"  # a control character: never the start of a date's text
_DAY0 = date(1800, 1, 1)  # persons' dates of birth start in 1800 (models.common.BIRTH_YEARS)


@lru_cache(maxsize=4096)  # a notice's ~21 entries carry the same attributes
def pack_attributes(payload: str) -> bytes:
    """A name entry's attributes (persons.notice_attributes: "dob;nationalities;sex") with a
    full date of birth as three base-224 digits (bytes 0x20-0xFF) behind a marker: about
    a third of the entry, in every one of a notice's twenty-odd entries."""
    dob, sep, rest = payload.partition(";")
    if len(dob) == 10 and sep:
        try:
            days = (date.fromisoformat(dob) - _DAY0).days
        except ValueError:
            days = -1
        if 0 <= days < 224 ** 3:
            return _PACKED_DOB + bytes((0x20 + days // 50176, 0x20 + days // 224 % 224,
                                        0x20 + days % 224)) + rest.encode()
    return payload.encode()


def unpack_attributes(raw: bytes) -> str:
    if raw[:1] != _PACKED_DOB:
        return raw.decode()
    days = ((raw[1] - 0x20) * 224 + raw[2] - 0x20) * 224 + raw[3] - 0x20
    return (_DAY0 + timedelta(days=days)).isoformat() + ";" + raw[4:].decode()


def name_entries(raw: bytes | None) -> list[Found]:
    """A name field's entries: "<id>US<packed attributes>", joined by RS."""
    if not raw:
        return []
    out = []
    for item in raw.split(b"\x1e"):
        rid, _, payload = item.partition(b"\x1f")
        out.append(Found(rid.decode(), unpack_attributes(payload) if payload else ""))
    return out


class NoticeLayout(EntriesLayout):
    """The entries layout, with the name table's fields digests of the keys and its
    entries' dates of birth packed."""

    def decode(self, table: str, raw: bytes | None) -> list[Found]:
        return name_entries(raw) if table == NOTICE_TABLES.names else super().decode(table, raw)

    def stored(self, entry: Entry) -> str | bytes:
        if entry.table != NOTICE_TABLES.names or not entry.payload:
            return entry.value
        return entry.record_id.encode() + b"\x1f" + pack_attributes(entry.payload)

    def _names(self, version: Version) -> int:
        n = version.buckets.get(NOTICE_TABLES.names)
        if n is None:
            lapsed = PREVIOUS_NAMES in version.buckets
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
        out = [name_slot(f, buckets) for f in fields]
        return [f"{base}{b}" for b, _ in out], [fld for _, fld in out]


LAYOUT = NoticeLayout("notice", {NOTICE_TABLES.names: KEYS_PER_NOTICE,
                                 NOTICE_TABLES.documents: 1.0, NOTICE_TABLES.profiles: 1.0},
                      lambda record: person_index(record, NOTICE_TABLES),
                      body_tables=(NOTICE_TABLES.profiles,), restore=_notice,
                      zdict=PROFILE_DICT)
