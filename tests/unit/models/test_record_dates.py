"""Years of expiry dates and of watchlist records and updates: one range (EVENT_YEARS),
one rule (years_within), refusing placeholders and sentinels whatever the clock says."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from screening.mockdata.lists import iter_notices, iter_sltd, iter_smv
from screening.models import NoticeRecord, SltdRecord, SmvRecord, WatchlistUpdate
from screening.models.common import EVENT_YEARS, ExpiryDate, RecordDate, RecordTimestamp

OUT_OF_RANGE = "year out of range (1900-2200)"

GOOD_DATES = ["1900-01-01", "1920-06-30", "2002-01-01", "2026-11-28", "2199-12-31",
              "2200-12-31"]
BAD_DATES = ["0001-01-01", "0042-05-06", "0202-03-04", "1000-01-01", "1899-12-31",
             "2201-01-01", "2999-12-31", "9999-12-31"]
GOOD_TIMES = ["1900-01-01T00:00:00Z", "1900-01-01T00:30:00+01:00", "2026-11-28T10:00:00+01:00",
              "2200-12-31T23:59:59-05:00"]
BAD_TIMES = ["0001-01-01T00:00:00Z", "1000-01-01T00:00:00Z", "1899-12-31T23:59:59Z",
             "2201-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00"]


def test_the_event_years_are_the_stated_range() -> None:
    assert (EVENT_YEARS.start, EVENT_YEARS[-1]) == (1900, 2200)


@pytest.mark.parametrize("value", GOOD_DATES)
def test_an_expiry_date_in_range_is_kept(value: str) -> None:
    assert TypeAdapter(ExpiryDate).validate_python(value) == date.fromisoformat(value)


@pytest.mark.parametrize("value", BAD_DATES)
def test_an_expiry_date_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match=r"year out of range \(1900-2200\)"):
        TypeAdapter(ExpiryDate).validate_python(value)


@pytest.mark.parametrize("value", GOOD_DATES + GOOD_TIMES)
def test_record_dates_take_a_date_or_a_timestamp_in_range(value: str) -> None:
    got = TypeAdapter(RecordDate).validate_json(f'"{value}"')  # as off the wire
    assert type(got) is (datetime if "T" in value else date)


@pytest.mark.parametrize("value", GOOD_TIMES)
def test_update_timestamps_in_range_are_kept(value: str) -> None:
    assert TypeAdapter(RecordTimestamp).validate_python(value) == datetime.fromisoformat(value)


def sltd(**fields: Any) -> dict[str, Any]:
    return {"list": "sltd", "id": "S1", "document_number": "X1", "issuing_state": "D",
            "status": "lost", **fields}


def notice(**fields: Any) -> dict[str, Any]:
    return {"list": "notice", "id": "N1", "colour": "red", "names": [{"surname": "IVANOV"}],
            **fields}


def smv(**fields: Any) -> dict[str, Any]:
    return {"list": "smv", "id": "V1", "plate": "B-AB 1234", **fields}


RECORDS = [(SltdRecord, sltd, "reported_at"), (NoticeRecord, notice, "issued_at"),
           (SmvRecord, smv, "reported_at")]


@pytest.mark.parametrize(("model", "make", "field"), RECORDS)
@pytest.mark.parametrize("value", GOOD_DATES + GOOD_TIMES)
def test_records_keep_their_dates_in_range(model: Any, make: Any, field: str,
                                           value: str) -> None:
    record = model.model_validate(make(**{field: value}))
    assert getattr(record, field).year in EVENT_YEARS


@pytest.mark.parametrize(("model", "make", "field"), RECORDS)
@pytest.mark.parametrize("value", BAD_DATES + BAD_TIMES)
def test_records_dated_out_of_range_are_refused_and_the_field_named(model: Any, make: Any,
                                                                   field: str,
                                                                   value: str) -> None:
    with pytest.raises(ValidationError) as info:
        model.model_validate(make(**{field: value}))
    [error] = info.value.errors()
    assert error["loc"] == (field,)
    assert OUT_OF_RANGE in error["msg"]


def update(issued_at: str) -> dict[str, Any]:
    return {"update_id": "u1", "op": "upsert", "issued_at": issued_at, "record": sltd()}


@pytest.mark.parametrize("value", GOOD_TIMES)
def test_updates_issued_in_range_are_kept(value: str) -> None:
    assert WatchlistUpdate.model_validate(update(value)).issued_at.year in EVENT_YEARS


@pytest.mark.parametrize("value", BAD_TIMES)
def test_updates_issued_out_of_range_are_refused(value: str) -> None:
    with pytest.raises(ValidationError) as info:
        WatchlistUpdate.model_validate(update(value))
    [error] = info.value.errors()
    assert error["loc"] == ("issued_at",) and OUT_OF_RANGE in error["msg"]


def test_mock_lists_are_dated_inside_the_range() -> None:
    records = [*iter_sltd(5_000, seed=11), *iter_notices(2_000, seed=11), *iter_smv(2_000, seed=11)]
    years = [int(str(r.get("reported_at") or r.get("issued_at"))[:4]) for r in records
             if r.get("reported_at") or r.get("issued_at")]
    assert len(years) > 8_000
    # Dated within a few years of 2026: a generator change would need a century to leave it.
    assert EVENT_YEARS.start + 50 < min(years) <= max(years) < EVENT_YEARS[-1] - 50
