"""The SLTD fast path spells the model's reported_at years (EVENT_YEARS) in its regular
expressions: pinned here at and around the bounds, for dates and timestamps, for the
dict path and the line path. The fast path may send a line to the model; it may never
accept what the model refuses."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from screening.models import SltdRecord
from screening.models.common import EVENT_YEARS
from screening.watchlists.sltd.fast import fast_line, fast_sltd

FIRST, LAST = EVENT_YEARS.start, EVENT_YEARS[-1]
YEARS = [1, 999, 1000, 1099, FIRST - 1, FIRST, FIRST + 1, 1999, 2000, 2099, 2100, 2199,
         LAST - 1, LAST, LAST + 1, 2299, 2999, 3000, 9999]


def record(when: str | None) -> dict[str, Any]:
    return {"list": "sltd", "id": "S1", "document_number": "X1", "issuing_state": "D",
            "document_type": "P", "status": "lost", "reported_at": when}


def model_accepts(data: dict[str, Any]) -> bool:
    try:
        SltdRecord.model_validate(data)
    except ValidationError:
        return False
    return True


def stamps(year: int) -> list[str]:
    day = f"{year:04d}-06-15"
    return [day, f"{year:04d}-12-31", f"{year:04d}-01-01", f"{day}T10:00:00Z",
            f"{day}T10:00:00+02:00", f"{year:04d}-12-31T23:59:59-12:00"]


@pytest.mark.parametrize("year", YEARS)
def test_the_fast_paths_take_exactly_the_years_the_model_takes(year: int) -> None:
    for when in stamps(year):
        data = record(when)
        accepted = model_accepts(data)
        assert accepted == (year in EVENT_YEARS), when
        line = orjson.dumps(data)
        # Plain dates and timestamps in range go the fast way; the rest to the model.
        assert (fast_sltd(data) is not None) == accepted, when
        assert (fast_line(line) is not None) == accepted, when


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
       st.sampled_from(["", "T00:00:00Z", "T23:59:59+14:00", "T12:30:00-05:00"]))
def test_no_year_gets_past_the_fast_paths_that_the_model_refuses(year: int, month: int,
                                                                 day: int, time: str) -> None:
    data = record(f"{year:04d}-{month:02d}-{day:02d}{time}")
    accepted = model_accepts(data)
    for fast in (fast_sltd(data), fast_line(orjson.dumps(data))):
        assert fast is None or accepted
