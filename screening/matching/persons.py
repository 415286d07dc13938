"""Persons-of-interest matching: blocking keys for the notice index and a scored comparison.

First version: exact normalised names (order-insensitive tokens) with date-of-birth,
nationality and sex penalties. The interface is the one the notice index and the
decision code use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from screening.matching.names import tokens

MAX_QUERY_KEYS = 24


@dataclass(frozen=True, slots=True)
class PersonQuery:
    """What a scan tells about its holder (MRZ or printed fields)."""

    surname: str | None
    given_names: str | None
    date_of_birth: str | None  # "YYYY-MM-DD", "YYYY-MM" or "YYYY"
    nationality: str | None  # ICAO 3-letter
    sex: str | None  # "M", "F", "X"


@dataclass(frozen=True, slots=True)
class PersonMatch:
    score: float
    matched_on: tuple[str, ...]
    matched_alias: str
    penalties: tuple[tuple[str, float], ...]


def _alias_label(name: dict[str, Any]) -> str:
    return " ".join(p for p in (name.get("surname") or "", name.get("given_names") or "") if p)


def notice_profile(record: dict[str, Any]) -> dict[str, Any]:
    """Everything score() needs, precomputed once per notice; JSON-serialisable."""
    aliases = []
    for name in record.get("names") or []:
        toks = sorted(tokens(name.get("surname")) + tokens(name.get("given_names")))
        if toks:
            aliases.append({"label": _alias_label(name), "key": " ".join(toks)})
    return {
        "id": record.get("id"),
        "colour": record.get("colour"),
        "aliases": aliases,
        "dob": record.get("date_of_birth"),
        "nat": list(record.get("nationalities") or []),
        "sex": record.get("sex"),
    }


def notice_keys(profile: dict[str, Any]) -> set[str]:
    return {"n:" + alias["key"].replace(" ", "_") for alias in profile["aliases"]}


def _query_name_key(query: PersonQuery) -> str:
    return " ".join(sorted(tokens(query.surname) + tokens(query.given_names)))


def query_keys(query: PersonQuery) -> list[str]:
    key = _query_name_key(query)
    return ["n:" + key.replace(" ", "_")] if key else []


def _dob_penalty(q: str | None, n: str | None) -> tuple[str, float] | None:
    if not q or not n:
        return None
    if q[:4] != n[:4]:
        return ("birth_year_mismatch", 0.15)
    common = min(len(q), len(n))
    if q[:common] != n[:common]:
        return ("birth_day_mismatch", 0.05)
    return None


def score(query: PersonQuery, profile: dict[str, Any], threshold: float) -> PersonMatch | None:
    key = _query_name_key(query)
    if not key:
        return None
    alias = next((a for a in profile["aliases"] if a["key"] == key), None)
    if alias is None:
        return None
    matched_on = ["name"]
    penalties: list[tuple[str, float]] = []
    dob_pen = _dob_penalty(query.date_of_birth, profile["dob"])
    if dob_pen:
        penalties.append(dob_pen)
    elif query.date_of_birth and profile["dob"]:
        matched_on.append("date_of_birth")
    if query.nationality and profile["nat"]:
        if query.nationality in profile["nat"]:
            matched_on.append("nationality")
        else:
            penalties.append(("country_mismatch", 0.1))
    if query.sex and profile["sex"] and query.sex != profile["sex"]:
        penalties.append(("sex_mismatch", 0.1))
    value = max(0.0, 1.0 - sum(p for _, p in penalties))
    if value < threshold:
        return None
    return PersonMatch(round(value, 4), tuple(matched_on), alias["label"], tuple(penalties))
