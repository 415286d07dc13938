"""A lean check of a notice for bulk loads: what NoticeRecord.model_dump(mode="json")
gives, without the model, for a record in the plain shape feeds write; None for
anything else, which the model then checks (so a refused record keeps its message).

Accepted values are those the model keeps as they are (no whitespace to strip, codes
already upper-case, dates and times in the one spelling pydantic writes back), so the
dump is the input with the model's defaults filled in, in its field order. The unit
tests hold the two together on the generator's notices and on edge cases.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, get_args

from screening.models.common import BIRTH_YEARS, EVENT_YEARS
from screening.watchlists.actions import NoticeAction
from screening.watchlists.notices.record import NoticeColour

_KEYS = frozenset({"list", "id", "colour", "names", "date_of_birth", "nationalities", "sex",
                   "documents", "issued_at", "action", "owner", "valid_until"})
_NAME_KEYS = frozenset({"surname", "given_names", "script"})
_DOCUMENT_KEYS = frozenset({"number", "issuing_state"})
_COLOURS = frozenset(get_args(NoticeColour))
_ACTIONS = frozenset(get_args(NoticeAction))
_SEXES = frozenset({"M", "F", "X"})
_COUNTRY = re.compile(r"[A-Z]{1,3}")
_DOB = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_UTC_SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def _text(value: Any, most: int, least: int = 0) -> bool:
    """Text the model keeps as it is: printable (no control or separator character),
    nothing to strip, within its length."""
    return (type(value) is str and least <= len(value) <= most and value.isprintable()
            and value == value.strip())


def _countries(values: Any, most: int) -> bool:
    return (type(values) is list and len(values) <= most
            and all(type(v) is str and _COUNTRY.fullmatch(v) for v in values))


def _dob(value: Any) -> bool:
    if value is None:
        return True
    if type(value) is not str or not value.isascii() or not (m := _DOB.fullmatch(value)):
        return False
    year, month, day = m.groups()
    if int(year) not in BIRTH_YEARS or (month is not None and not 1 <= int(month) <= 12):
        return False
    if day is not None:
        try:
            date(int(year), int(month), int(day))
        except ValueError:
            return False
    return True


def _utc_second(value: str) -> bool:
    """YYYY-MM-DDTHH:MM:SSZ, a real instant within EVENT_YEARS."""
    if not value.isascii() or not _UTC_SECOND.fullmatch(value):
        return False
    try:
        return datetime.fromisoformat(value).year in EVENT_YEARS
    except ValueError:
        return False


def _issued(value: Any) -> bool:
    """A date, or a UTC time to the second other than midnight (which the model's union
    of a date and a timestamp reads as the date)."""
    if value is None:
        return True
    if type(value) is not str:
        return False
    if _DAY.fullmatch(value) and value.isascii():
        try:
            return date.fromisoformat(value).year in EVENT_YEARS
        except ValueError:
            return False
    return not value.endswith("T00:00:00Z") and _utc_second(value)


def fast_notice(data: dict[str, Any]) -> dict[str, Any] | None:
    """NoticeRecord.model_validate(data).model_dump(mode="json") when `data` is a notice
    in the plain shape, else None (ask the model)."""
    if data.get("list") != "notice" or not _KEYS.issuperset(data):
        return None
    rid, names, documents = data.get("id"), data.get("names"), data.get("documents", [])
    if (type(rid) is not str or not _text(rid, 64, 1) or not rid.isascii()
            or data.get("colour") not in _COLOURS):
        return None
    if type(names) is not list or not 1 <= len(names) <= 50:
        return None
    out_names = []
    for name in names:
        if type(name) is not dict or not _NAME_KEYS.issuperset(name):
            return None
        surname, given = name.get("surname", ""), name.get("given_names", "")
        script = name.get("script", "Latn")
        if not (_text(surname, 200) and _text(given, 200) and _text(script, 128)
                and (surname or given)):
            return None
        out_names.append({"surname": surname, "given_names": given, "script": script})
    if type(documents) is not list or len(documents) > 50:
        return None
    out_documents = []
    for doc in documents:
        if (type(doc) is not dict or not _DOCUMENT_KEYS.issuperset(doc)
                or not _text(doc.get("number"), 30, 1)
                or not _countries([doc.get("issuing_state")], 1)):
            return None
        out_documents.append({"number": doc["number"], "issuing_state": doc["issuing_state"]})
    nationalities = data.get("nationalities", [])
    sex, action = data.get("sex"), data.get("action")
    owner, valid_until = data.get("owner"), data.get("valid_until")
    if (not _countries(nationalities, 10) or (sex is not None and sex not in _SEXES)
            or not _dob(data.get("date_of_birth")) or not _issued(data.get("issued_at"))
            or (action is not None and action not in _ACTIONS)
            or (owner is not None and not _text(owner, 128))
            or (valid_until is not None and not (type(valid_until) is str
                                                 and _utc_second(valid_until)))):
        return None
    return {"list": "notice", "id": rid, "names": out_names,
            "date_of_birth": data.get("date_of_birth"), "nationalities": list(nationalities),
            "sex": sex, "documents": out_documents, "colour": data["colour"],
            "issued_at": data.get("issued_at"), "action": action, "owner": owner,
            "valid_until": valid_until}
