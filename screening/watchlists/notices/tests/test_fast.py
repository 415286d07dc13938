"""The notices' lean check (fast.py) against the model: whatever it accepts, the model
accepts and dumps the same; what it declines goes to the model, refused or not."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from screening.watchlists.notices.fast import fast_notice
from screening.watchlists.notices.mock import iter_notices
from screening.watchlists.notices.record import NoticeRecord

PLAIN: dict[str, Any] = {
    "list": "notice", "id": "NTC-1", "colour": "red",
    "names": [{"surname": "DOROSHENKO", "given_names": "OREST", "script": "Latn"},
              {"surname": "ДОРОШЕНКО", "given_names": "ОРЕСТ", "script": "Cyrl"}],
    "date_of_birth": "1980-10-03", "nationalities": ["UKR", "D"], "sex": "M",
    "documents": [{"number": "FH150690", "issuing_state": "UKR"}],
    "issued_at": "2015-05-12T21:49:35Z", "action": "locate", "owner": "NCB-KYIV",
    "valid_until": "2030-01-01T00:00:00Z"}


def _model(data: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return NoticeRecord.model_validate(data).model_dump(mode="json")
    except ValidationError:
        return None


def test_the_generators_notices_take_the_lean_path_and_dump_as_the_model() -> None:
    for data in iter_notices(500, seed=3):
        dumped = fast_notice(data)
        assert dumped is not None, data["id"]
        assert dumped == _model(data)
        assert list(dumped) == list(_model(data) or {})  # the field order too


# Each a change to PLAIN: accepted as it is by the model, or refused by it, or another
# spelling of what the model keeps; the lean check must never accept another dump.
CHANGES: list[dict[str, Any]] = [
    {}, {"names": [{"surname": "X"}]}, {"names": [{"given_names": "Y", "script": "Latn"}]},
    {"date_of_birth": None}, {"date_of_birth": "1980"}, {"date_of_birth": "1980-10"},
    {"date_of_birth": "1980-02-30"}, {"date_of_birth": "1799"}, {"date_of_birth": "19800"},
    {"date_of_birth": "١٩٨٠"}, {"date_of_birth": 1980}, {"sex": "Q"}, {"sex": None},
    {"issued_at": "2015-05-12"}, {"issued_at": "2015-05-12T00:00:00Z"},
    {"issued_at": "2015-05-12T10:00:00.5Z"}, {"issued_at": "2015-05-12T10:00:00+02:00"},
    {"issued_at": "1899-05-12"}, {"issued_at": "2015-13-12T10:00:00Z"}, {"issued_at": None},
    {"issued_at": 1431424175}, {"valid_until": "2030-01-01"}, {"valid_until": None},
    {"valid_until": "2030-01-01T10:00:00+02:00"}, {"nationalities": ["ukr"]},
    {"nationalities": ["UKR<"]}, {"nationalities": [" UKR"]}, {"nationalities": None},
    {"nationalities": ["UKR"] * 11}, {"documents": []}, {"documents": None},
    {"documents": [{"number": " FH1", "issuing_state": "UKR"}]},
    {"documents": [{"number": "", "issuing_state": "UKR"}]},
    {"documents": [{"number": "FH1", "issuing_state": "ukr"}]},
    {"documents": [{"number": "FH1"}]}, {"documents": [{"number": "F" * 31,
                                                         "issuing_state": "UKR"}]},
    {"id": " NTC-1"}, {"id": ""}, {"id": "N" * 65}, {"id": "NTC\u200b1"}, {"id": 7},
    {"colour": "pink"}, {"action": "seize"}, {"action": None}, {"owner": None},
    {"owner": "NCB\tX"}, {"names": []}, {"names": [{"surname": "", "given_names": ""}]},
    {"names": [{"surname": "A\u00a0B"}]}, {"names": [{"surname": "A\nB"}]},
    {"names": [{"surname": "A ", "given_names": "B"}]}, {"names": [{"surname": "A" * 201}]},
    {"names": [{"surname": "A", "middle": "B"}]}, {"names": ["A"]}, {"extra": 1},
    {"list": "sltd"},
]


@pytest.mark.parametrize("change", CHANGES, ids=[str(c)[:40] for c in CHANGES])
def test_the_lean_check_never_dumps_otherwise_than_the_model(change: dict[str, Any]) -> None:
    data = {**PLAIN, **change}
    dumped = fast_notice(data)
    if dumped is not None:
        assert dumped == _model(data)
        assert list(dumped) == list(_model(data) or {})


def test_unusual_but_valid_notices_still_load_through_the_model() -> None:
    # declined by the lean check, accepted by the model: the loader asks the model
    for change in ({"nationalities": ["ukr"]}, {"issued_at": "2015-05-12T00:00:00Z"},
                   {"id": " NTC-1"}, {"extra": 1}):
        data = {**PLAIN, **change}
        assert fast_notice(data) is None and _model(data) is not None
