"""The notices' lean check (fast.py) against the model: whatever it accepts, the model
accepts and dumps the same; what it declines goes to the model, refused or not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
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


# Values near each field's edges, valid and not, for a property test over whole notices.
_TEXT = st.one_of(st.sampled_from(["", "A", " A", "A ", "A\tB", "NCB-X", "Ω", "A" * 200,
                                   "A" * 201, "\u00a0A", "A\u2028B"]),
                  st.text(max_size=8))  # fmt: skip
_WHEN = st.sampled_from([None, "2015-05-12", "2015-05-12T21:49:35Z", "2015-05-12T00:00:00Z",
                         "2015-5-12", "2015-05-12T21:49:35+00:00", "2015-05-12T21:49:35.5Z",
                         "1899-01-01", "2015-02-30", "2015-05-12 21:49:35Z", 20150512])  # fmt: skip
_DOB = st.sampled_from([None, "1980", "1980-10", "1980-10-03", "1980-13", "1980-02-30",
                        "0980-10-03", "1980-1-3", "１９８０", 1980, ""])  # fmt: skip
_COUNTRY = st.sampled_from(["UKR", "D", "ukr", "", "UKRA", "XX1", " D", 7])
_NAME = st.fixed_dictionaries({"surname": _TEXT, "given_names": _TEXT},
                              optional={"script": st.sampled_from(["Latn", "Cyrl", "", " Latn"])})
# Each field's values; a notice is PLAIN with one to three of them changed or dropped,
# so that most are in the plain shape and the lean check has its say.
_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": st.one_of(_TEXT, st.just(1)),
    "colour": st.sampled_from(["red", "yellow", "blue", "RED", "purple", None]),
    "names": st.lists(_NAME, max_size=3), "date_of_birth": _DOB,
    "nationalities": st.lists(_COUNTRY, max_size=3),
    "sex": st.sampled_from(["M", "F", "X", "m", "", None]),
    "documents": st.lists(st.fixed_dictionaries({"number": _TEXT, "issuing_state": _COUNTRY}),
                          max_size=2),
    "issued_at": _WHEN, "valid_until": _WHEN,
    "action": st.sampled_from(["locate", "arrest", "LOCATE", "nothing", None]),
    "owner": st.one_of(st.none(), _TEXT),
}  # fmt: skip
_MISSING = object()


@st.composite
def _notices(draw: st.DrawFn) -> dict[str, Any]:
    data = dict(PLAIN)
    for name in draw(st.lists(st.sampled_from(sorted(_FIELDS)), min_size=1, max_size=3)):
        value = draw(st.one_of(_FIELDS[name], st.just(_MISSING)))
        if value is _MISSING:
            data.pop(name, None)
        else:
            data[name] = value
    return data


_NOTICE = _notices()


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(_NOTICE)
def test_the_lean_check_agrees_with_the_model_on_any_notice(data: dict[str, Any]) -> None:
    """Whatever the lean check dumps, the model dumps the same, key for key and in order;
    it may decline what the model accepts (the loader then asks the model)."""
    dumped = fast_notice(data)
    if dumped is not None:
        model = _model(data)
        assert dumped == model
        assert list(dumped) == list(model or {})
