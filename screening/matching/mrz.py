"""ICAO Doc 9303 machine readable zones: parse, verify and compare them.

Formats: TD1 (3x30, identity cards), TD2 (2x36), TD3 (2x44, passports) and the visas
MRV-A (2x44) and MRV-B (2x36), told from TD3/TD2 by their leading 'V'. A failing check
digit never raises: a forged or misread document still has to be looked up, so the
fields come back with `failed_checks` naming what did not verify. Only text that is no
MRZ at all (wrong shape or alphabet) raises MrzFormatError.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Literal, NamedTuple

import screening_native

from screening.matching.checkdigits import _py_icao_check_digit
from screening.matching.normalize import (
    canonical_country,
    mrz_name,
    normalize_document_number,
    normalize_name,
)

MrzFormat = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB"]
Sex = Literal["M", "F", "X"]


class MrzFormatError(ValueError):
    """The text is not an MRZ of any known shape, so none of it can be trusted."""


class MrzData(NamedTuple):
    """What an MRZ says. A tuple: one is made for most traveller scans, and a frozen
    dataclass of twelve fields cost four times as long to build."""

    format: MrzFormat
    document_type: str
    issuing_state: str
    document_number: str
    surname: str
    given_names: str
    nationality: str
    date_of_birth: str | None  # "YYYY-MM-DD", "YYYY-MM", "YYYY" or None when unknown
    sex: Sex | None  # None when the MRZ says '<' (unspecified)
    expiry: date | None
    optional_data: str  # filler trimmed; TD1's two fields joined by a space
    failed_checks: tuple[str, ...]

    @property
    def check_digits_ok(self) -> bool:
        return not self.failed_checks


_LINE = re.compile(r"[A-Z0-9<]+")
_SHAPES: dict[tuple[int, int], MrzFormat] = {(3, 30): "TD1", (2, 36): "TD2", (2, 44): "TD3"}
_VISAS: dict[MrzFormat, MrzFormat] = {"TD2": "MRVB", "TD3": "MRVA"}
# Some readers drop the line breaks; the three lengths are distinct, so no ambiguity.
_JOINED = {90: (3, 30), 72: (2, 36), 88: (2, 44)}
_NAME_WIDTH: dict[MrzFormat, int] = {"TD1": 30, "TD2": 31, "TD3": 39, "MRVA": 39, "MRVB": 31}
# Unknown day or month: 9303 says '<<'; older documents wrote XX or 00.
_UNKNOWN = frozenset({"<<", "XX", "00"})
# Expiry is 20YY, unless that is further ahead than any document is valid: a
# passport that expired in 1998 must read as expired, not as valid until 2098.
_EXPIRY_HORIZON_YEARS = 50
_DIGRAPHS = re.compile(r"(?<=[AOU])E|(?<=A)A")


def _lines(text: str) -> list[str]:
    # isascii before upper(): 'ß'.upper() is "SS", which would pass the alphabet check.
    if not text.isascii():
        raise MrzFormatError("an MRZ holds only A-Z, 0-9 and '<'")
    lines = [ln.strip().upper() for ln in text.strip().splitlines()]
    lines = [ln for ln in lines if ln]
    for ln in lines:
        if not _LINE.fullmatch(ln):
            raise MrzFormatError("an MRZ holds only A-Z, 0-9 and '<'")
    if len(lines) == 1 and len(lines[0]) in _JOINED:
        n, w = _JOINED[len(lines[0])]
        lines = [lines[0][i * w : (i + 1) * w] for i in range(n)]
    if not lines or (len(lines), len(lines[0])) not in _SHAPES or len(set(map(len, lines))) > 1:
        shape = "x".join(str(len(ln)) for ln in lines) or "empty"
        raise MrzFormatError(f"expected 3x30, 2x36 or 2x44 characters, got {shape}")
    return lines


def _words(field: str) -> str:
    return " ".join(filter(None, field.split("<")))


def _names(field: str) -> tuple[str, str]:
    surname, _, given = field.rstrip("<").partition("<<")
    return _words(surname), _words(given)


def _part(two: str) -> int | None:
    """Month or day: None when unknown, -1 when not a number at all."""
    if two in _UNKNOWN:
        return None
    return int(two) if two.isdigit() else -1


@lru_cache(maxsize=65536)  # a few tens of thousands of birth dates, and one today a day
def _birth_date(field: str, today: date) -> str | None:
    if not field[:2].isdigit():
        return None
    month, day = _part(field[2:4]), _part(field[4:6])
    if month == -1 or day == -1:
        return None
    if month is None:
        day = None  # a day without its month says nothing
    year = 2000 + int(field[:2])
    if (year, month or 1, day or 1) > (today.year, today.month, today.day):
        year -= 100  # nobody is born in the future
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


@lru_cache(maxsize=16384)
def _expiry(field: str, today: date) -> date | None:
    if not field.isdigit():
        return None
    year = 2000 + int(field[:2])
    if year > today.year + _EXPIRY_HORIZON_YEARS:
        year -= 100
    try:
        return date(year, int(field[2:4]), int(field[4:6]))
    except ValueError:
        return None


def _long_number(head: str, check: str, optional: str) -> tuple[str, str, str, str]:
    """9303 part 5 §4.2.2 note j (and part 6 likewise): a number longer than 9 characters
    puts '<' in the check digit position and continues in the optional data, followed
    by its check digit and a filler.

    Returns (number, the characters its check digit covers, the check digit, the rest
    of the optional data).
    """
    if check == "<" and optional[:1] not in ("", "<"):
        continuation, _, rest = optional.partition("<")
        covered = head + continuation[:-1]
        # A filler inside is a misprint (a long number fills its 9 places); it is no digit.
        return covered.replace("<", ""), covered, continuation[-1], rest
    return head.replace("<", ""), head, check, optional


def _sex(ch: str) -> Sex | None:
    if ch == "M":
        return "M"
    if ch == "F":
        return "F"
    if ch == "X":
        return "X"
    return None


def _check(failed: list[str], name: str, field: str, digit: str) -> None:
    if _py_icao_check_digit(field) != digit:
        failed.append(name)


def _parse_td1(lines: list[str], today: date) -> MrzData:
    l1, l2, l3 = lines
    failed: list[str] = []
    number, covered, number_check, optional1 = _long_number(l1[5:14], l1[14], l1[15:30])
    _check(failed, "document_number", covered, number_check)
    _check(failed, "date_of_birth", l2[0:6], l2[6])
    _check(failed, "expiry", l2[8:14], l2[14])
    _check(failed, "composite", l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], l2[29])
    surname, given = _names(l3)
    optional = " ".join(p for p in (optional1.strip("<"), l2[18:29].strip("<")) if p)
    return MrzData(
        "TD1", l1[0:2].replace("<", ""), l1[2:5].replace("<", ""), number, surname, given,
        l2[15:18].replace("<", ""), _birth_date(l2[0:6], today), _sex(l2[7]),
        _expiry(l2[8:14], today), optional, tuple(failed),
    )  # fmt: skip


def _parse_two_lines(fmt: MrzFormat, lines: list[str], today: date) -> MrzData:
    l1, l2 = lines
    width = len(l2)
    failed: list[str] = []
    optional_end = {"TD3": 42, "TD2": 35}.get(fmt, width)
    optional = l2[28:optional_end]
    if fmt == "TD2":
        number, covered, number_check, optional = _long_number(l2[0:9], l2[9], optional)
    else:
        number, covered, number_check = l2[0:9].replace("<", ""), l2[0:9], l2[9]
    _check(failed, "document_number", covered, number_check)
    _check(failed, "date_of_birth", l2[13:19], l2[19])
    _check(failed, "expiry", l2[21:27], l2[27])
    # An unused personal number may carry '<' as its check digit (part 4 §4.2.2).
    if fmt == "TD3" and not (l2[42] == "<" and optional.strip("<") == ""):
        _check(failed, "optional_data", optional, l2[42])
    if fmt in ("TD2", "TD3"):
        _check(failed, "composite", l2[0:10] + l2[13:20] + l2[21 : width - 1], l2[width - 1])
    surname, given = _names(l1[5:])
    return MrzData(
        fmt, l1[0:2].replace("<", ""), l1[2:5].replace("<", ""), number, surname, given,
        l2[10:13].replace("<", ""), _birth_date(l2[13:19], today), _sex(l2[20]),
        _expiry(l2[21:27], today), optional.strip("<"), tuple(failed),
    )  # fmt: skip


_make = MrzData._make


def parse_mrz(text: str, *, today: date | None = None) -> MrzData:
    """Parse an MRZ (lines joined by newlines) and verify its check digits.

    `today` picks the century of the birth date (never in the future) and of expiry.
    Compiled (native/src/mrz.rs); _py_parse_mrz is its reference.
    """
    today = today or date.today()
    fields = screening_native.parse_mrz(text, today.year, today.month, today.day, date)
    if isinstance(fields, str):
        raise MrzFormatError(fields)
    return _make(fields)


def _py_parse_mrz(text: str, *, today: date | None = None) -> MrzData:
    lines = _lines(text)
    fmt = _SHAPES[(len(lines), len(lines[0]))]
    today = today or date.today()
    if fmt == "TD1":
        return _parse_td1(lines, today)
    if lines[0][0] == "V":
        fmt = _VISAS[fmt]
    return _parse_two_lines(fmt, lines, today)


# --- comparison with the fields a terminal sent beside the MRZ ------------------------


@lru_cache(maxsize=65536)
def _loose(name: str) -> str:
    """Both 9303 spellings of Ä, Ö, Ü, Å (AE or A...) in one form, and no spaces."""
    return _DIGRAPHS.sub("", normalize_name(name)).replace(" ", "")


def _name_field_full(mrz: MrzData) -> bool:
    """Whether the MRZ's name field is full, so that its names may have been cut."""
    encoded = mrz_name(mrz.surname) + ("<<" + mrz_name(mrz.given_names)
                                       if mrz.given_names else "")
    return len(encoded) >= _NAME_WIDTH[mrz.format]


def _name_agrees(value: str, in_mrz: str, mrz: MrzData, *, last_in_field: bool) -> bool:
    """Equal, or (rarely) a longer name the full field cut: only the field's last name
    can be cut, and only then is the field rebuilt to see whether it is full."""
    v, m = _loose(value), _loose(in_mrz)
    return v == m or (last_in_field and v.startswith(m) and _name_field_full(mrz))


def _iso(value: date | str) -> str:
    return value.isoformat() if isinstance(value, date) else value.strip()


def compare_with_fields(
    mrz: MrzData,
    *,
    number: str | None = None,
    issuing_state: str | None = None,
    surname: str | None = None,
    given_names: str | None = None,
    date_of_birth: date | str | None = None,
    nationality: str | None = None,
    sex: str | None = None,
    expiry: date | str | None = None,
    document_type: str | None = None,
) -> list[str]:
    """Names of the fields (as passed here) that disagree with the MRZ.

    Compiled for ASCII text (native/src/lib.rs); names in other scripts are compared by
    _py_compare_with_fields, the reference, which transliterates them.
    """
    found = screening_native.compare_with_fields(
        mrz, date, number, issuing_state, surname, given_names, date_of_birth, nationality,
        sex, expiry, document_type)
    if found is None:
        return _py_compare_with_fields(
            mrz, number=number, issuing_state=issuing_state, surname=surname,
            given_names=given_names, date_of_birth=date_of_birth, nationality=nationality,
            sex=sex, expiry=expiry, document_type=document_type)
    return found


def _py_compare_with_fields(
    mrz: MrzData,
    *,
    number: str | None = None,
    issuing_state: str | None = None,
    surname: str | None = None,
    given_names: str | None = None,
    date_of_birth: date | str | None = None,
    nationality: str | None = None,
    sex: str | None = None,
    expiry: date | str | None = None,
    document_type: str | None = None,
) -> list[str]:
    """Names of the fields (as passed here) that disagree with the MRZ.

    Only disagreement counts: a field missing on either side is no evidence. Names agree
    whichever 9303 spelling either side used (Müller, MUELLER, MULLER) and, when the
    MRZ name field is full, as a prefix, since the MRZ truncates long names; this is a
    consistency warning, not matching, so it errs towards not crying wolf.
    """
    out: list[str] = []
    if number and normalize_document_number(number) != mrz.document_number:
        out.append("number")
    if issuing_state and canonical_country(issuing_state) != canonical_country(mrz.issuing_state):
        out.append("issuing_state")
    if surname and not _name_agrees(surname, mrz.surname, mrz,
                                    last_in_field=not mrz.given_names):
        out.append("surname")
    if given_names and not _name_agrees(given_names, mrz.given_names, mrz,
                                        last_in_field=True):
        out.append("given_names")
    if date_of_birth and mrz.date_of_birth:
        given, known = _iso(date_of_birth), mrz.date_of_birth
        common = min(len(given), len(known))
        if given[:common] != known[:common]:
            out.append("date_of_birth")
    if nationality and canonical_country(nationality) != canonical_country(mrz.nationality):
        out.append("nationality")
    if sex and mrz.sex and sex.strip().upper() != mrz.sex:
        out.append("sex")
    if expiry and mrz.expiry and _iso(expiry) != mrz.expiry.isoformat():
        out.append("expiry")
    if document_type:
        wanted = document_type.strip().upper().replace("<", "")
        if not mrz.document_type.startswith(wanted):
            out.append("document_type")
    return out


__all__ = [
    "MrzData",
    "MrzFormat",
    "MrzFormatError",
    "compare_with_fields",
    "parse_mrz",
]
