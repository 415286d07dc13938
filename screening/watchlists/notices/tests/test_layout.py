"""The notices' name table: digests for fields, packed ids and attributes in its entries,
read back exactly as the matching code wrote them; versions of earlier layouts refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.exceptions import WatchlistUnavailable
from screening.watchlists.generic import EntriesLayout, Entry
from screening.watchlists.keys import Keys
from screening.watchlists.notices.layout import (
    LAYOUT,
    NOTICE_TABLES,
    name_entries,
    name_slot,
    pack_attributes,
    unpack_attributes,
)
from screening.watchlists.notices.record import NoticeRecord
from screening.watchlists.store import Version

DOB = st.one_of(st.just(""), st.dates().map(str), st.integers(1800, 2100).map(str),
                st.sampled_from(["1980-10", "1980-02-30", "0001-01-01", "9999-12-31"]))


@given(dob=DOB, nations=st.lists(st.sampled_from(["FRA", "D", "XXA", ""]), max_size=3),
       sex=st.sampled_from(["", "M", "F", "X", "?"]))
def test_attributes_read_back_as_written(dob: str, nations: list[str], sex: str) -> None:
    payload = f"{dob};{','.join(nations)};{sex}"
    packed = pack_attributes(payload)
    assert b"\x1e" not in packed and b"\x1f" not in packed and b"\0" not in packed
    assert unpack_attributes(packed) == payload
    if len(dob) == 10 and dob >= "1800" and dob != "1980-02-30" and sex != "?":
        # the sex and the kind of date in a byte, the date in three, a listed
        # nationality in one
        joined = ",".join(nations)
        listed = joined.split(",") if joined else []  # [""] is none
        assert len(packed) == 4 + sum(1 if n in ("FRA", "D") else 1 + len(n) for n in listed)


def test_attributes_of_another_shape_stay_text() -> None:
    for payload in ("1980;FRA", "1980;FRA;M;extra", ""):
        assert pack_attributes(payload) == payload.encode()
        assert unpack_attributes(pack_attributes(payload)) == payload


def test_an_entry_is_stored_packed_and_decoded_as_the_logical_one() -> None:
    entry = Entry(NOTICE_TABLES.names, "j:DRSHNKRST:1980", "NTC-1", "1980-10-03;UKR;M")
    other = Entry(NOTICE_TABLES.names, "j:DRSHNKRST:1980", "NTC-2", "")
    stored = LAYOUT.stored(entry)
    assert isinstance(stored, bytes) and len(stored) < len(entry.value.encode()) - 8
    # The write ops find a record's entry by what its stored value starts with.
    rid = LAYOUT.stored_id(entry)
    assert isinstance(rid, bytes) and stored.startswith(rid + b"\x1f")
    raw = stored + b"\x1e" + other.value.encode()
    assert [(f.record_id, f.payload) for f in LAYOUT.decode(NOTICE_TABLES.names, raw)] == [
        ("NTC-1", "1980-10-03;UKR;M"), ("NTC-2", "")]
    assert name_entries(None) == []


def test_name_fields_are_digests_and_documents_keep_theirs() -> None:
    version = Version(id="v1", buckets={NOTICE_TABLES.names: 64, NOTICE_TABLES.documents: 8,
                                        NOTICE_TABLES.profiles: 8})
    key, fld = LAYOUT.slot(version, Keys("p"), (NOTICE_TABLES.names, "j:DRSHNKRST:1980"))
    assert (key, fld) == (f"p:v1:{NOTICE_TABLES.names}:{name_slot('j:DRSHNKRST:1980', 64)[0]}",
                          name_slot("j:DRSHNKRST:1980", 64)[1])
    assert isinstance(fld, bytes) and len(fld) == 4 and b"\0" not in fld
    keys, fields = LAYOUT.slots(version, Keys("p"), NOTICE_TABLES.names, ["a", "b"])
    assert keys[0] == f"p:v1:{NOTICE_TABLES.names}:{name_slot('a', 64)[0]}"
    assert fields == [name_slot("a", 64)[1], name_slot("b", 64)[1]]
    assert LAYOUT.slot(version, Keys("p"), (NOTICE_TABLES.documents, "X1|FRA"))[1] == "X1|FRA"


def test_versions_of_earlier_layouts_are_refused_not_misread() -> None:
    for names in ("nkey", "nk"):
        old = Version(id="v0", buckets={names: 64, "ndoc": 8, "nrec": 8})
        with pytest.raises(WatchlistUnavailable, match="reload the list"):
            LAYOUT.slot(old, Keys("p"), (NOTICE_TABLES.names, "j:X:1980"))


def test_a_notices_writes_are_the_entries_layouts_one_by_one() -> None:
    """NoticeLayout.puts (one loop over the name entries) writes what the shared
    EntriesLayout.puts writes entry by entry through slot, stored_id and stored."""
    record = NoticeRecord.model_validate({
        "list": "notice", "id": "NTC-7", "colour": "red",
        "names": [{"surname": "DOROSHENKO", "given_names": "OREST"},
                  {"surname": "ДОРОШЕНКО", "given_names": "ОРЕСТ", "script": "Cyrl"}],
        "date_of_birth": "1980-10-03", "nationalities": ["UKR", "XXA"], "sex": "M",
        "documents": [{"number": "FH150690", "issuing_state": "UKR"}]})
    version = Version(id="v1", buckets={NOTICE_TABLES.names: 97, NOTICE_TABLES.documents: 8,
                                        NOTICE_TABLES.profiles: 8})
    indexed = LAYOUT.index(record)
    assert sum(e.table == NOTICE_TABLES.names for e in indexed.entries) > 5
    ops = LAYOUT.puts(version, Keys("p"), indexed)
    assert sorted(ops) == sorted(EntriesLayout.puts(LAYOUT, version, Keys("p"), indexed))
    assert len(ops) == len(indexed.entries) + len(indexed.blobs)


def test_a_bulk_loads_packed_writes_are_those_of_the_notices_entries() -> None:
    """NoticeLayout.packed_index (straight from the keys, for bulk loads) packs what
    packed_puts packs of index()'s entries, from the model's record or the lean check's:
    every mock notice, one with a document given twice, one whose names give no key."""
    from screening.watchlists.notices.mock import iter_notices

    version = Version(id="v1", buckets={NOTICE_TABLES.names: 97, NOTICE_TABLES.documents: 8,
                                        NOTICE_TABLES.profiles: 8})
    data = list(iter_notices(300, seed=5))
    data.append({**data[0], "id": "NTC-twice", "documents": [
        {"number": "FH150690", "issuing_state": "UKR"}, {"number": "FH 150690",
                                                         "issuing_state": "UKR"}]})
    data.append({"list": "notice", "id": "NTC-nokey", "colour": "red", "names": [
        {"surname": "-", "given_names": ""}]})
    keyless = 0
    for item in data:
        record = NoticeRecord.model_validate(item)
        indexed = LAYOUT.index(record)
        keyless += not any(e.table == NOTICE_TABLES.names for e in indexed.entries)
        packed = LAYOUT.packed_puts(version, Keys("p"), indexed)
        assert LAYOUT.packed_index(version, Keys("p"), record) == packed, record.id
        # and from the lean check's record, where it takes the notice
        checked = LAYOUT.lean(item)
        assert checked is None or LAYOUT.packed_index(version, Keys("p"), checked) == packed
    assert keyless >= 1
