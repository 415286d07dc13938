"""Writing ICAO Doc 9303 machine readable zones: TD3 (passports) and TD1 (identity cards).

The mock generator's and the tests' side of matching/mrz.py, which reads them: the
worker never writes an MRZ. Names are transliterated and truncated the 9303 way, and
every check digit is right, so a built MRZ parses with no failed check.

The holder's data (nationality, dates, sex, optional data) are keyword-only: two
dates and two country codes in a row are too easy to swap unseen.
"""

from __future__ import annotations

import re
from datetime import date

from screening.matching.checkdigits import icao_check_digit
from screening.matching.normalize import mrz_name, normalize_document_number

_ALPHABET = re.compile(r"[A-Z0-9<]+")  # the MRZ's characters


def _code(value: str | None, width: int, what: str) -> str:
    text = "<".join((value or "").upper().split())
    if len(text) > width:
        raise ValueError(f"{what} does not fit in {width} MRZ characters: {text!r}")
    if text and not _ALPHABET.fullmatch(text):
        raise ValueError(f"{what} holds characters an MRZ cannot: {text!r}")
    return text.ljust(width, "<")


def _name_field(surname: str, given_names: str, width: int) -> str:
    surname, given = mrz_name(surname), mrz_name(given_names)
    text = f"{surname}<<{given}" if given else surname
    return text[:width].ljust(width, "<")


def _sex_char(sex: str | None) -> str:
    if sex in (None, "", "<"):
        return "<"
    if sex not in ("M", "F", "X"):
        raise ValueError(f"sex must be M, F, X or None, not {sex!r}")
    return sex


def _with_check(field: str) -> str:
    return field + icao_check_digit(field)


def build_td3(
    document_type: str,
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    *,
    nationality: str,
    date_of_birth: date,
    sex: str | None,
    expiry: date,
    optional_data: str = "",
) -> str:
    """A valid passport MRZ (2x44); names are transliterated and truncated to fit."""
    if document_type.strip().upper().startswith("V"):
        raise ValueError("a leading V makes an MRV-A visa, which has another layout")
    line1 = (
        _code(document_type, 2, "document type")
        + _code(issuing_state, 3, "issuing state")
        + _name_field(surname, given_names, 39)
    )
    optional = _code(optional_data, 14, "optional data")
    line2 = (
        _with_check(_code(normalize_document_number(document_number), 9, "document number"))
        + _code(nationality, 3, "nationality")
        + _with_check(date_of_birth.strftime("%y%m%d"))
        + _sex_char(sex)
        + _with_check(expiry.strftime("%y%m%d"))
        + (_with_check(optional) if optional.strip("<") else optional + "<")
    )
    line2 += icao_check_digit(line2[0:10] + line2[13:20] + line2[21:43])
    return f"{line1}\n{line2}"


def build_td1(
    document_type: str,
    issuing_state: str,
    surname: str,
    given_names: str,
    document_number: str,
    *,
    nationality: str,
    date_of_birth: date,
    sex: str | None,
    expiry: date,
    optional_data: str = "",
) -> str:
    """A valid identity card MRZ (3x30); numbers over 9 characters continue in the
    optional data the 9303 way."""
    number = normalize_document_number(document_number)
    if len(number) <= 9:
        head = _with_check(_code(number, 9, "document number"))
        optional = _code(optional_data, 15, "optional data")
    else:
        head = number[:9] + "<"
        tail = number[9:] + icao_check_digit(number)  # the check covers the whole number
        tail += "<" + optional_data if optional_data else ""
        optional = _code(tail, 15, "document number and optional data")
    line1 = _code(document_type, 2, "document type") + _code(issuing_state, 3, "issuing state")
    line1 += head + optional
    line2 = (
        _with_check(date_of_birth.strftime("%y%m%d"))
        + _sex_char(sex)
        + _with_check(expiry.strftime("%y%m%d"))
        + _code(nationality, 3, "nationality")
        + "<" * 11
    )
    line2 += icao_check_digit(line1[5:30] + line2[0:7] + line2[8:15] + line2[18:29])
    return f"{line1}\n{line2}\n{_name_field(surname, given_names, 30)}"


__all__ = ["build_td1", "build_td3"]
