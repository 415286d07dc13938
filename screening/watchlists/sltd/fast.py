"""SLTD lines checked without building a pydantic model: the bulk load's fast path.

It accepts only the plain shape feeds send (printable ASCII strings without
surrounding spaces, an upper-case state, a known status, an ISO date or UTC-offset
timestamp) and returns None for anything else, which then goes through the model
(SltdRecord): so the fast path can never accept a line the model rejects, and what
it accepts it reads exactly as the model would. tests/unit/watchlists pins that with
hypothesis.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

from screening.models.common import EVENT_YEARS
from screening.watchlists.sltd.layout import STATUSES

# The years the model allows a reported_at (models.common.EVENT_YEARS, 1900-2200),
# spelt out: tests/unit/watchlists pins the two together.
_YEAR = r"(?:19\d\d|2[01]\d\d|2200)"
_WHEN = re.compile(r"(" + _YEAR + r")-(\d{2})-(\d{2})"
                   r"(?:T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?")
_FIRST_YEAR, _LAST_YEAR = str(EVENT_YEARS.start), str(EVENT_YEARS[-1])  # compared as text
_STATUSES = frozenset(STATUSES)


def _plain(s: str, most: int) -> bool:
    """1..most printable ASCII characters, no space at either end (what the model's
    whitespace stripping, length and control-character checks leave unchanged)."""
    return (0 < len(s) <= most and s.isascii() and s.isprintable()
            and s[0] != " " and s[-1] != " ")


# A whole NDJSON line in the shape (and key order) feeds and the generator write, with
# no JSON escapes: read without parsing JSON at all. Strings are printable ASCII other
# than '"' and '\\', with no space at either end; the rest as in fast_sltd.
_END = rb'[!#-\[\]-~]'
_MID = rb'[ !#-\[\]-~]'
_LINE = re.compile(
    rb'\{"list":"sltd","id":"(' + _END + rb'(?:' + _MID + rb'{0,62}' + _END + rb')?)"'
    rb',"document_number":"(' + _END + rb'(?:' + _MID + rb'{0,28}' + _END + rb')?)"'
    rb',"issuing_state":"([A-Z]{1,3})"'
    rb',"document_type":(?:"(' + _END + rb'{0,2})"|null)'
    rb',"status":"(stolen|lost|revoked|invalidated|stolen_blank)"'
    rb'(?:,"reported_at":(?:null|"(' + _YEAR.encode() + rb'-\d{2}-\d{2})'
    rb'(?:T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d))?"))?\}')


# The same, found line by line in a whole block (a line that does not match exactly,
# e.g. with spaces around it, is read the slow way).
LINES = re.compile(rb"^" + _LINE.pattern + rb"$", re.MULTILINE)


class Sltd(NamedTuple):
    id: str
    document_number: str
    issuing_state: str
    document_type: str | None
    status: str
    # The compact entry's extras (action, owner, valid_until: layout.extras_of); the fast
    # path takes only records without them.
    extras: bytes = b""


# Fields the fast path leaves to the model.
_NOT_FAST = ("action", "owner", "valid_until")


def fast_sltd(data: dict[str, Any]) -> Sltd | None:
    """The record when `data` is a plainly valid SLTD record, else None (ask the model)."""
    rid = data.get("id")
    number = data.get("document_number")
    state = data.get("issuing_state")
    status = data.get("status")
    doc_type = data.get("document_type")
    when = data.get("reported_at")
    if any(data.get(k) is not None for k in _NOT_FAST):
        return None
    if (data.get("list") != "sltd" or type(rid) is not str or type(number) is not str
            or type(state) is not str or type(status) is not str or status not in _STATUSES
            or not _plain(rid, 64) or not _plain(number, 30)
            or not (len(state) <= 3 and state.isascii() and state.isalpha() and state.isupper())):
        return None
    if doc_type is not None and (type(doc_type) is not str or len(doc_type) > 2
                                 or not (doc_type.isascii() and doc_type.isprintable())
                                 or " " in doc_type):
        return None
    if when is not None:
        if type(when) is not str:
            return None
        if (len(when) == 10 and when[4] == "-" and when[7] == "-" and when[:4].isdigit()
                and _FIRST_YEAR <= when[:4] <= _LAST_YEAR
                and when[5:7].isdigit() and when[8:].isdigit()):
            try:
                date.fromisoformat(when)
            except ValueError:
                return None
            return Sltd(rid, number, state, doc_type, status)
        m = _WHEN.fullmatch(when)
        if m is None:
            return None
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return Sltd(rid, number, state, doc_type, status)


_good_dates: set[bytes] = set()


def real_date(when: bytes) -> bool:
    """A YYYY-MM-DD that _LINE matched is a date of the calendar (not 2021-02-30)."""
    if when in _good_dates:
        return True
    try:
        date.fromisoformat(when.decode())
    except ValueError:
        return False
    if len(_good_dates) < 100_000:
        _good_dates.add(when)
    return True


def fast_line(line: bytes) -> Sltd | None:
    """The record when `line` is a plainly valid SLTD line in the usual key order, else
    None (parse it as JSON then)."""
    m = _LINE.fullmatch(line)
    if m is None:
        return None
    rid, number, state, doc_type, status, when = m.groups()
    if when is not None and not real_date(when):
        return None
    return Sltd(rid.decode(), number.decode(), state.decode(),
                doc_type.decode() if doc_type is not None else None, status.decode())
