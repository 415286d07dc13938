"""What a traveller scan looks up: one query per distinct person as the matcher sees it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from screening.core.prepare import prepare
from screening.mockdata.mrz_writer import build_td3
from screening.models import TravellerScan
from screening.settings import Settings


def scan(surname: str, given: str) -> TravellerScan:
    mrz = build_td3("P", "FRA", "ROCHELIEU", "ERIC", "C01X00T47", nationality="FRA",
                    date_of_birth=date(1980, 6, 8), sex="M", expiry=date(2030, 1, 1))
    return TravellerScan.model_validate({
        "event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t",
        "scanned_at": datetime(2026, 11, 28, tzinfo=UTC).isoformat(),
        "document": {"mrz": mrz},
        "holder": {"surname": surname, "given_names": given, "date_of_birth": "1980-06-08",
                   "nationality": "FRA", "sex": "M"}})  # fmt: skip


@pytest.mark.parametrize(("surname", "given", "persons"), [
    ("Rochelieu", "Éric", 1),  # diacritics only: the same tokens
    ("ROCHELIEU", "ERIC", 1),
    ("Rochelieu-Dupont", "Éric", 2),  # another name: both looked up
    ("Rochelieu", "Eric Jean", 2),
])
def test_one_query_per_distinct_person(surname: str, given: str, persons: int) -> None:
    p = prepare(scan(surname, given), Settings())
    assert len(p.persons) == persons
    assert p.persons[0].given_names == "ERIC"  # the MRZ's reading comes first
