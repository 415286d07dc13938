"""The SMV's compact layout: a body reads back as the record it packed, whatever the
fields hold; digests never hold the bytes the batch scripts split on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.exceptions import WatchlistUnavailable
from screening.watchlists.base import Found
from screening.watchlists.keys import Keys
from screening.watchlists.packing import pack_text, unpack_text
from screening.watchlists.sltd.layout import GROWTH
from screening.watchlists.smv import body
from screening.watchlists.smv.compact import (
    ENTRY_BYTES,
    FIELDS,
    SLOTS,
    SmvLayout,
    entries_per_field,
    id_digest,
    key_digest,
    key_slot,
    record_slot,
)
from screening.watchlists.smv.record import SmvRecord
from screening.watchlists.store import Version

TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Cf", "Zl", "Zp")),
               min_size=1, max_size=20).map(str.strip).filter(bool)
VIN = st.text("0123456789ABCDEFGHJKLMNPRSTUVWXYZ", min_size=17, max_size=17)
DAYS = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31)).map(str)
WHEN = st.one_of(st.none(), DAYS,
                 st.sampled_from(["2024-03-01T10:11:12Z", "1999-12-31T23:59:59+05:30",
                                  "2024-03-01T10:11:12.5Z"]))


@settings(max_examples=300, deadline=None)
@given(vin=st.one_of(st.none(), VIN, TEXT), plate=st.one_of(st.none(), TEXT),
       make=st.one_of(st.none(), TEXT), when=WHEN,
       action=st.sampled_from([None, "seize", "inform"]), owner=st.one_of(st.none(), TEXT),
       until=st.sampled_from([None, "2027-01-01T00:00:00Z", "2031-05-06T07:08:09+02:00"]))
def test_a_body_reads_back_as_the_record(vin: str | None, plate: str | None,
                                         make: str | None, when: str | None, *,
                                         action: str | None, owner: str | None,
                                         until: str | None) -> None:
    data: dict[str, Any] = {"list": "smv", "id": "SMV-1", "vin": vin or "X", "plate": plate,
                            "plate_country": "CZE" if plate else None, "make": make,
                            "reported_at": when, "action": action, "owner": owner,
                            "valid_until": until}
    record = SmvRecord.model_validate(data)
    packed = body.pack(record)
    assert b"\0" not in packed and b"\x1e" not in packed
    expected = record.model_dump(mode="json", exclude={"list"}, exclude_none=True)
    got = body.unpack(packed)
    # A time with an offset reads back as the same instant in UTC.
    for moment in ("reported_at", "valid_until"):
        assert _instant(got.pop(moment, None)) == _instant(expected.pop(moment, None))
    assert got == expected


def _instant(value: str | None) -> Any:
    if value is None or "T" not in value:
        return value
    return datetime.fromisoformat(value)


def test_a_standard_vin_is_packed_into_eleven_bytes() -> None:
    record = SmvRecord.model_validate({"list": "smv", "id": "S", "vin": "WVWZZZ1JZXW000001"})
    # id, US, the fields' byte, marker + 11
    assert len(body.pack(record)) == len(pack_text("S")) + 1 + 1 + 12


def test_common_values_take_one_byte_and_read_back() -> None:
    data = {"list": "smv", "id": "S", "plate": "AB 123", "plate_country": "D",
            "make": "Volkswagen", "model": "Golf", "colour": "silver", "action": "seize",
            "owner": "NCB-D"}
    record = SmvRecord.model_validate(data)
    packed = body.pack(record)
    # id, US, the fields' byte, plate, country, make, model, colour, the second fields'
    # byte, action, owner
    assert len(packed) == (len(pack_text("S")) + 1 + 1 + len(pack_text("AB 123")) + 1 + 1
                           + 1 + 1 + 1 + 1 + 1)
    assert body.unpack(packed) == {k: v for k, v in data.items() if k != "list"}
    # The same values outside the tables (or an owner not the plate country's) as text.
    other = {**data, "make": "Trabant", "model": "601", "colour": "mauve", "owner": "NCB-F",
             "plate_country": "ZZZ"}
    assert body.unpack(body.pack(SmvRecord.model_validate(other))) == {
        k: v for k, v in other.items() if k != "list"}


@given(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -", min_size=1, max_size=70))
def test_ids_and_plates_of_capitals_digits_spaces_and_hyphens_are_packed(text: str) -> None:
    packed = pack_text(text)
    assert unpack_text(packed) == text
    assert not set(packed) & {0, 0x1E, 0x1F}
    assert len(packed) <= len(text) + 1 and (len(text) < 10 or len(packed) < len(text))


def test_a_look_up_keeps_only_its_own_keys_entries_of_a_packed_field() -> None:
    layout = SmvLayout()
    mine, other = key_slot(key_digest("AB123"), 1)[2], b"\x01" if key_slot(
        key_digest("AB123"), 1)[2] != b"\x01" else b"\x02"
    raw = mine + id_digest("A") + other + id_digest("B") + mine + id_digest("C")
    found = layout.decode("plate", raw)
    kept = layout.narrow(("plate", "AB123"), found)
    assert [f.record_id for f in kept] == [id_digest("A").hex(), id_digest("C").hex()]
    # In-memory stand-ins hold logical entries (no check byte): all of them are the key's.
    logical = [Found(id_digest("A").hex())]
    assert layout.narrow(("plate", "AB123"), logical) == logical


def test_a_version_of_the_previous_layout_is_refused_not_misread() -> None:
    for tables in (("vr", "vv", "vp"), ("mr", "mv", "mp")):
        old = Version(id="v-old", buckets={**dict.fromkeys(tables, 8), "seen": 256})
        with pytest.raises(WatchlistUnavailable, match="reload the list"):
            SmvLayout().slot(old, Keys("scr"), ("plate", "AB123"))


@given(st.integers(min_value=64, max_value=1024))
def test_index_fields_stay_under_the_value_limit_after_growth(max_value: int) -> None:
    """Six sigmas of a Poisson fill, GROWTH more entries than loaded, within the limit."""
    mean = entries_per_field(max_value) * GROWTH
    assert (mean + 6 * mean ** 0.5) * ENTRY_BYTES <= max_value + ENTRY_BYTES / 2


@given(st.text(min_size=1, max_size=64))
def test_digests_never_hold_nul(text: str) -> None:
    _, slot, check = key_slot(key_digest(text), 7)
    assert b"\0" not in id_digest(text) + check
    assert 0 <= slot < SLOTS


@given(st.binary(min_size=5, max_size=5), st.integers(min_value=1, max_value=1 << 16))
def test_index_fields_are_numbers_a_listpack_keeps_in_one_byte(digest: bytes,
                                                               buckets: int) -> None:
    _, slot, _ = key_slot(digest, buckets)
    fld = FIELDS[slot]
    assert fld == str(int(fld)).encode() and 0 <= int(fld) < 128
    assert record_slot(digest, buckets)[1] == digest[:2]


def test_records_sharing_a_field_are_all_read() -> None:
    a = body.pack(SmvRecord.model_validate({"list": "smv", "id": "A", "plate": "X1"}))
    b = body.pack(SmvRecord.model_validate({"list": "smv", "id": "B", "plate": "Y2"}))
    read = SmvLayout().record("vrec", a + b"\x1e" + b)
    assert read["id"] == "A" and [r["id"] for r in read["also"]] == ["B"]
