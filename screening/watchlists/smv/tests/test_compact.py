"""The SMV's compact layout: a body reads back as the record it packed, whatever the
fields hold; digests never hold the bytes the batch scripts split on."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.watchlists.smv import body
from screening.watchlists.smv.compact import SmvLayout, id_digest, key_digest
from screening.watchlists.smv.record import SmvRecord

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
    assert len(body.pack(record)) == len("S") + 1 + 12 + 6  # id, US, marker + 11, 6 empty


@given(st.text(min_size=1, max_size=64))
def test_digests_never_hold_nul(text: str) -> None:
    assert b"\0" not in id_digest(text) and b"\0" not in key_digest(text)


def test_records_sharing_a_field_are_all_read() -> None:
    a = body.pack(SmvRecord.model_validate({"list": "smv", "id": "A", "plate": "X1"}))
    b = body.pack(SmvRecord.model_validate({"list": "smv", "id": "B", "plate": "Y2"}))
    read = SmvLayout().record("vrec", a + b"\x1e" + b)
    assert read["id"] == "A" and [r["id"] for r in read["also"]] == ["B"]
