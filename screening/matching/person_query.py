"""What a scan tells the person matcher about its holder."""

from __future__ import annotations

from typing import Any, NamedTuple

from screening.matching.name_tokens import split


class PersonQuery(NamedTuple):
    """What a scan tells about its holder (MRZ or printed fields). A tuple: made for
    every scan and a key of the matching caches, it must be cheap to build and hash."""

    surname: str | None
    given_names: str | None
    date_of_birth: str | None  # "YYYY-MM-DD", "YYYY-MM" or "YYYY"
    nationality: str | None  # ICAO 3-letter
    sex: str | None  # "M", "F", "X"


def same_query(query: PersonQuery) -> tuple[Any, ...]:
    """What the matcher sees of a query: two queries equal here get the same keys and
    the same scores (names are compared only as split, normalised tokens)."""
    return (tuple(split(query.surname)), tuple(split(query.given_names)), query.date_of_birth,
            query.nationality, query.sex)


__all__ = ["PersonQuery", "same_query"]
