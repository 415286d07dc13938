from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.privacy import mask_birth_date, mask_document, mask_name, mask_value

TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("L898902C3", "******2C3"),
        ("1M8GDM9AXKP042788", "**************788"),
        ("123456", "***456"),
        ("12345", "***45"),  # never more than half shown
        ("1234", "**34"),
        ("123", "***"),
        ("1", "***"),
        ("", "***"),
        (None, "***"),
        (TD3, "***"),
        ("ERIKSSON<<ANNA", "***"),
    ],
)
def test_mask_document(value: str | None, expected: str) -> None:
    assert mask_document(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ERIKSSON ANNA", "E******* A***"),
        ("Müller-Lüdenscheidt", "M*****-L***********"),
        ("ERIKSSON<<ANNA<MARIA", "E*******<<A***<M****"),
        ("J K", "* *"),  # initials alone would be the whole name
        ("Юрий", "Ю***"),
        ("", "***"),
        (None, "***"),
    ],
)
def test_mask_name(value: str | None, expected: str) -> None:
    assert mask_name(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1974-08-12", "1974"), ("1974-08", "1974"), ("1974", "1974"),
     (date(1974, 8, 12), "1974"), ("12.08.1974", "***"), ("", "***")],
)  # fmt: skip
def test_mask_birth_date(value: str | date, expected: str) -> None:
    assert mask_birth_date(value) == expected


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("document_number", "L898902C3", "******2C3"),
        ("number", "L898902C3", "******2C3"),
        ("vin", "1M8GDM9AXKP042788", "**************788"),
        ("plate", "B-MW 1234", "******234"),
        ("mrz", TD3, "***"),
        ("mrz", "short", "***"),  # an MRZ is hidden whole, whatever it looks like
        ("surname", "ERIKSSON", "E*******"),
        ("given_names", "ANNA MARIA", "A*** M****"),
        ("name", "ERIKSSON ANNA", "E******* A***"),
        ("date_of_birth", "1974-08-12", "1974"),
        ("holder.surname", "ERIKSSON", "E*******"),
        ("Document_Number", "L898902C3", "******2C3"),
        ("nationality", "UTO", "UTO"),
        ("event_id", "e-1", "e-1"),
        ("score", 0.93, 0.93),
        ("surname", None, None),
        ("msg", f"cannot parse {TD3}", "cannot parse ***\n***"),
        ("msg", "a<<b", "a<<b"),
    ],
)
def test_mask_value(field: str, value: Any, expected: Any) -> None:
    assert mask_value(field, value) == expected


def test_mask_value_masks_inside_structures() -> None:
    subject = {
        "document": {"number": "L898902C3", "issuing_state": "UTO", "mrz": TD3},
        "holder": {"surname": "ERIKSSON", "given_names": "ANNA", "date_of_birth": "1974-08-12"},
        "names": [{"surname": "ERIKSSON", "given_names": "ANNA", "script": "Latn"}],
    }
    assert mask_value("subject", subject) == {
        "document": {"number": "******2C3", "issuing_state": "UTO", "mrz": "***"},
        "holder": {"surname": "E*******", "given_names": "A***", "date_of_birth": "1974"},
        "names": [{"surname": "E*******", "given_names": "A***", "script": "Latn"}],
    }
    assert mask_value("surname", ["ERIKSSON", "ERIKSON"]) == ["E*******", "E******"]


ALNUM = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=20)
NAME = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜabcxyz -'", min_size=1, max_size=30).filter(
    lambda s: any(c.isalpha() for c in s)
)


@given(ALNUM)
def test_document_masks_never_show_the_value_nor_more_than_half(value: str) -> None:
    masked = mask_document(value)
    assert value not in masked
    shown = masked.lstrip("*")
    assert len(shown) <= min(3, len(value) // 2)
    assert value.endswith(shown)


@given(NAME)
def test_name_masks_never_show_the_value(value: str) -> None:
    masked = mask_name(value)
    assert value not in masked
    assert len(masked) == len(value)  # same shape, so analysts can tell names apart


@given(st.sampled_from(["document_number", "number", "vin", "plate", "mrz", "surname",
                        "given_names", "name"]), ALNUM)  # fmt: skip
def test_mask_value_never_returns_personal_values(field: str, value: str) -> None:
    assert value not in mask_value(field, value)
