"""Types shared by every message of the wire contract (../shared/CONTRACT.md)."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

# C0 controls, DEL and C1 controls never belong in a field: they are how log injection
# and protocol smuggling start (U+0085, NEL, ends a line for some log readers), and so
# are the Unicode line and paragraph separators (U+2028, U+2029; JavaScript and many
# viewers break lines at them). The MRZ keeps its line breaks (\n, and \r\n as readers
# on Windows send them; matching/mrz.py splits lines at either), nothing else does.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Ids (event, checkpoint, terminal, record and update ids) are codes, not text: the
# invisible bidirectional controls (marks, embeddings, overrides, isolates) and the
# zero-width and other invisible format characters (soft hyphen, Mongolian vowel
# separator, zero-width space, non-joiner and joiner, word joiner, invisible operators,
# zero-width no-break space) only serve there to make two ids look alike or one read
# backwards in a log or a console. Names keep them: a name in Arabic script may carry
# marks, Persian and Indic names carry ZWNJ and ZWJ, and names are matched after
# normalisation, not shown as identifiers.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_INVISIBLE = re.compile(r"[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _no_control_but_newline(value: str) -> str:
    if _CONTROL_BUT_NEWLINE.search(value):
        raise ValueError("control characters other than line breaks are not allowed")
    return value


# One search for the common case; the message is chosen only for an id refused.
_NOT_IN_ID = re.compile(f"{_CONTROL.pattern}|{_BIDI.pattern}|{_INVISIBLE.pattern}")


def _id(value: str) -> str:
    if _NOT_IN_ID.search(value):
        _no_control(value)  # a control character is named as such first
        raise ValueError("invisible or bidirectional characters are not allowed in an id")
    return value


def _country(value: Any) -> Any:
    if isinstance(value, str):
        # MRZ country fields are padded with '<' ("D<<" is Germany).
        return value.strip().upper().rstrip("<")
    return value


CleanStr = Annotated[str, AfterValidator(_no_control)]
Id = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_id)]
ShortText = Annotated[str, Field(max_length=128), AfterValidator(_no_control)]
NameText = Annotated[str, Field(max_length=200), AfterValidator(_no_control)]
MrzText = Annotated[str, Field(max_length=200), AfterValidator(_no_control_but_newline)]
# Codes with a length of their own. The length sits inside the type, before the control
# check: set on the field instead, pydantic checked it after the validator and said
# "Value should have at most 2 items after validation" for a string.
DocumentNumberText = Annotated[str, Field(max_length=30), AfterValidator(_no_control)]
DocumentTypeText = Annotated[str, Field(max_length=2), AfterValidator(_no_control)]
VinText = Annotated[str, Field(max_length=32), AfterValidator(_no_control)]
PlateText = Annotated[str, Field(max_length=20), AfterValidator(_no_control)]
CountryCode = Annotated[
    str,
    BeforeValidator(_country),
    Field(pattern=r"^[A-Z]{1,3}$", description="ICAO 9303 three-letter code (D = Germany)"),
]
# The shape of an RFC 3339 date-time. pydantic on its own also takes a number, or a
# string of digits, as Unix time ("1234567890" is 2009-02-13T23:31:30Z): not what the
# contract's timestamps are, and a terminal sending one has its clock fields wrong.
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _date_time_text(value: Any) -> Any:
    if isinstance(value, str) and _DATE_TIME.match(value := value.strip()):
        return value
    if isinstance(value, datetime):
        return value
    raise ValueError("a timestamp must be RFC 3339 text with an offset, "
                     "like 2026-11-28T10:00:00Z")


_AwareTimestamp = Annotated[AwareDatetime, Field(description="RFC 3339 with an offset")]
Timestamp = Annotated[_AwareTimestamp, BeforeValidator(_date_time_text)]


def _check_year(year: int, years: range) -> None:
    if year not in years:
        raise ValueError(f"year out of range ({years.start}-{years[-1]})")


def years_within(years: range) -> AfterValidator:
    """The rule "the year of this date (or timestamp) lies in `years`", for Annotated."""

    def check(value: date) -> date:  # a datetime is a date
        _check_year(value.year, years)
        return value

    return AfterValidator(check)


# Years a date of birth may have. The oldest person on record was born in 1875; 1800
# leaves room for estimated years (black notices on unidentified remains, archived
# records) while refusing placeholders (0000, 0001, 1111) and mistyped centuries.
# The upper bound is fixed, not today's year, so that a valid input stays valid on
# any clock: it refuses 9999-style sentinels, whose date arithmetic overflows.
BIRTH_YEARS = range(1800, 2101)
# Years a travel document may expire in, and a watchlist record or update be reported
# or issued in. Nothing of the kind predates 1900: passports in today's sense date from
# 1920, INTERPOL notices from 1946, the SLTD database from 2002; the bound refuses
# placeholders (0001-01-01, 1000-01-01) and mistyped centuries (0202). The upper bound
# is fixed for the same reason as BIRTH_YEARS': far beyond any document's validity
# (ten years for most passports), it still refuses 9999-12-31 sentinels.
# The SLTD bulk-load fast path (watchlists/sltd/fast.py) spells this range in its
# regular expressions: tests/unit/watchlists pins the two together.
EVENT_YEARS = range(1900, 2201)

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _partial_date(value: str) -> str:
    m = _PARTIAL_DATE.match(value)
    if not m:
        raise ValueError("expected YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.groups()
    _check_year(int(year), BIRTH_YEARS)
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError("month out of range")
    if day is not None:
        date(int(year), int(month), int(day))  # raises on 2023-02-30
    return value


PartialDate = Annotated[str, AfterValidator(_partial_date)]
# A document's expiry date (for document.expiry in scans).
ExpiryDate = Annotated[date, years_within(EVENT_YEARS)]
# When a watchlist record was reported or issued: a date or a timestamp.
# (A date or a timestamp: the check above would make pydantic's union take a timestamp
# at midnight for a date, so records keep the plain aware type.)
RecordDate = Annotated[date | _AwareTimestamp, years_within(EVENT_YEARS)]
# When a watchlist update was issued.
RecordTimestamp = Annotated[Timestamp, years_within(EVENT_YEARS)]


class Model(BaseModel):
    """Base of the wire models: unknown fields are kept out, values are checked."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class StrictModel(Model):
    """For messages this project writes: nothing unexpected goes out."""

    model_config = ConfigDict(extra="forbid", frozen=True)


__all__ = [
    "CleanStr",
    "CountryCode",
    "DocumentNumberText",
    "DocumentTypeText",
    "ExpiryDate",
    "Id",
    "Model",
    "MrzText",
    "NameText",
    "PartialDate",
    "PlateText",
    "RecordDate",
    "RecordTimestamp",
    "ShortText",
    "StrictModel",
    "Timestamp",
    "VinText",
]
