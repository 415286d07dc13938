"""Masking of personal data for logs, alerts and console output.

A masked value must be useless to whoever reads a log, yet still let an analyst tell
two alerts apart: document numbers keep their last 3 characters (the contract's rule
for alerts), names their initials, dates of birth their year. Short values are hidden
harder, so that a mask never gives away most of what it hides.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

_HIDDEN = "***"
_KEEP_TAIL = 3
_WORD = re.compile(r"\w+")
_BIRTH_YEAR = re.compile(r"\d{4}")
# A run of MRZ characters with filler: an MRZ line pasted into some free-text field.
_MRZ_RUN = re.compile(r"[A-Z0-9<]*<<[A-Z0-9<]*")
_MRZ_RUN_MIN = 20

_DOCUMENT_FIELDS = frozenset({"document_number", "number", "vin", "plate"})
_WHOLE_FIELDS = frozenset({"mrz"})
_NAME_FIELDS = frozenset({"surname", "given_names", "name", "names", "full_name", "alias"})
_BIRTH_FIELDS = frozenset({"date_of_birth", "dob", "birth_date"})


def _looks_like_mrz(text: str) -> bool:
    return "\n" in text or "<<" in text


def mask_document(s: str | None) -> str:
    """"L898902C3" -> "******2C3". At most half the characters are ever shown, so
    values of 3 or fewer characters become "***" and short ones show less than 3.
    Anything that looks like an MRZ is hidden whole: it holds names and dates too."""
    if not s:
        return _HIDDEN
    text = s.strip()
    if _looks_like_mrz(text):
        return _HIDDEN
    keep = min(_KEEP_TAIL, len(text) // 2)
    if keep == 0 or len(text) <= _KEEP_TAIL:
        return _HIDDEN
    return "*" * (len(text) - keep) + text[-keep:]


def _mask_word(match: re.Match[str]) -> str:
    word = match.group()
    if len(word) < 2:
        return "*"  # an initial alone would be the whole word
    return word[0] + "*" * (len(word) - 1)


def mask_name(s: str | None) -> str:
    """"ERIKSSON ANNA" -> "E******* A***": initials only, separators kept."""
    if not s:
        return _HIDDEN
    return _WORD.sub(_mask_word, s.replace("_", " "))


def mask_birth_date(value: str | date | None) -> str:
    """Year only: "1974-08-12" -> "1974"."""
    if isinstance(value, date):
        return f"{value.year:04d}"
    m = _BIRTH_YEAR.match(value.strip()) if isinstance(value, str) else None
    return m.group() if m else _HIDDEN


def mask_value(field_name: str, value: Any) -> Any:
    """Mask `value` the way its field name calls for; other fields pass unchanged.

    Dotted names ("holder.surname") are judged by their last part; mappings and lists
    are masked inside, so a whole `holder` or `subject` can be logged safely.
    """
    if value is None:
        return None
    key = field_name.rsplit(".", 1)[-1].lower()
    if isinstance(value, Mapping):
        return {k: mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [mask_value(key, v) for v in value]
    if key in _WHOLE_FIELDS:
        return _HIDDEN
    if key in _DOCUMENT_FIELDS:
        return mask_document(str(value))
    if key in _NAME_FIELDS:
        return mask_name(str(value))
    if key in _BIRTH_FIELDS:
        return mask_birth_date(value)
    if isinstance(value, str) and "<<" in value:
        return _MRZ_RUN.sub(_hide_mrz_run, value)
    return value


# A vehicle's identifiers point at its keeper: shown as document numbers are (last 3),
# unmasked only by an explicit, audited act (`alerts tail --unmask`, the console's "show").
VEHICLE_IDS = ("vin", "plate")


def mask_vehicle_ids(fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with its VIN and plate masked to their last 3 characters."""
    return {k: (mask_document(v) if k in VEHICLE_IDS and isinstance(v, str) else v)
            for k, v in fields.items()}


def vehicle_ids(fields: Mapping[str, Any]) -> dict[str, str]:
    """The VIN and plate of `fields`, as they are (what unmasking shows)."""
    return {k: v for k, v in fields.items() if k in VEHICLE_IDS and isinstance(v, str)}


def _hide_mrz_run(match: re.Match[str]) -> str:
    return _HIDDEN if len(match.group()) >= _MRZ_RUN_MIN else match.group()


__all__ = ["VEHICLE_IDS", "mask_birth_date", "mask_document", "mask_name", "mask_value",
           "mask_vehicle_ids", "vehicle_ids"]
