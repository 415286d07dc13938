"""What the mock lists share: short ids, days counted back from a fixed day, times.

Each list's own generator lives in its package (watchlists/<list>/mock.py); files are
written by mockdata/lists.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from random import Random
from typing import Any

AS_OF = date(2026, 1, 1)
CHUNK = 20_000

Record = dict[str, Any]

_DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_B36_3: list[str] = []  # all three-character base-36 strings, built on first use


def short_id(prefix: str, n: int) -> str:
    """prefix + six base-36 characters ("SLTD-00002S"): short, since every byte of an id
    is paid for in Redis for every record."""
    if not _B36_3:
        _B36_3.extend(a + b + c for a in _DIGITS36 for b in _DIGITS36 for c in _DIGITS36)
    hi, lo = divmod(n, 46656)
    return prefix + _B36_3[hi] + _B36_3[lo]


def days_back(as_of: date, days: int) -> list[str]:
    return [(as_of - timedelta(days=d)).isoformat() for d in range(days)]


def timestamp(day: str, rng: Random) -> str:
    return f"{day}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"


@dataclass(frozen=True)
class MockList:
    """A list's part of the mock generator: its file's name and its records."""

    file_name: str
    records: Callable[..., Iterator[Record]]  # (count, seed, *, as_of) -> records
    default_count: int  # what `screening watchlists generate` writes when not told

