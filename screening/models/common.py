"""Types shared by every message of the wire contract (../shared/CONTRACT.md)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

# C0 controls, DEL and C1 controls never belong in a field: they are how log injection
# and protocol smuggling start (U+0085, NEL, ends a line for some log readers), and so
# are the Unicode line and paragraph separators (U+2028, U+2029; JavaScript and many
# viewers break lines at them). The MRZ keeps its line breaks (\n), nothing else does.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# Ids (event, checkpoint, terminal, record and update ids) are codes, not text: the
# invisible bidirectional controls (marks, embeddings, overrides, isolates) only serve
# there to make two ids look alike or one read backwards in a log or a console. Names
# keep them: a name in Arabic script may carry marks, and names are matched after
# normalisation, not shown as identifiers.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def _no_control_but_newline(value: str) -> str:
    if _CONTROL_BUT_NEWLINE.search(value):
        raise ValueError("control characters other than line breaks are not allowed")
    return value


_NOT_IN_ID = re.compile(f"{_CONTROL.pattern}|{_BIDI.pattern}")  # one search for the common case


def _id(value: str) -> str:
    if _NOT_IN_ID.search(value):
        _no_control(value)  # a control character is named as such first
        raise ValueError("bidirectional text controls are not allowed in an id")
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
CountryCode = Annotated[
    str,
    BeforeValidator(_country),
    Field(pattern=r"^[A-Z]{1,3}$", description="ICAO 9303 three-letter code (D = Germany)"),
]
Timestamp = Annotated[AwareDatetime, Field(description="RFC 3339 with an offset")]

_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
# Years a date of birth may have. The oldest person on record was born in 1875; 1800
# leaves room for estimated years (black notices on unidentified remains, archived
# records) while refusing placeholders (0000, 0001, 1111) and mistyped centuries.
# The upper bound is fixed, not today's year, so that a valid input stays valid on
# any clock: it refuses 9999-style sentinels, whose date arithmetic overflows.
BIRTH_YEARS = range(1800, 2101)


def _partial_date(value: str) -> str:
    m = _PARTIAL_DATE.match(value)
    if not m:
        raise ValueError("expected YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = m.groups()
    if int(year) not in BIRTH_YEARS:
        raise ValueError(f"year out of range ({BIRTH_YEARS.start}-{BIRTH_YEARS[-1]})")
    if month is not None and not 1 <= int(month) <= 12:
        raise ValueError("month out of range")
    if day is not None:
        date(int(year), int(month), int(day))  # raises on 2023-02-30
    return value


PartialDate = Annotated[str, AfterValidator(_partial_date)]


class Model(BaseModel):
    """Base of the wire models: unknown fields are kept out, values are checked."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class StrictModel(Model):
    """For messages this project writes: nothing unexpected goes out."""

    model_config = ConfigDict(extra="forbid", frozen=True)


__all__ = [
    "CleanStr",
    "CountryCode",
    "Id",
    "Model",
    "MrzText",
    "NameText",
    "PartialDate",
    "ShortText",
    "StrictModel",
    "Timestamp",
]
