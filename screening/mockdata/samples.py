"""A few records per list, drawn from NDJSON watchlist files, to build hits from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from random import Random
from typing import Any

import orjson

from screening.watchlists.actions import lapsed

Record = dict[str, Any]


@dataclass
class ListSample:
    """Raw record dicts, a few per list, to build hits from."""

    sltd: list[Record] = field(default_factory=list)
    notices: list[Record] = field(default_factory=list)
    smv: list[Record] = field(default_factory=list)
    events: list[Record] = field(default_factory=list)

    @classmethod
    def of(cls, records: Iterable[Record]) -> ListSample:
        """The records that can still hit: one past its valid_until no longer does, so
        a scan built to hit it would be expected to hit wrongly."""
        sample = cls()
        lists = {"sltd": sample.sltd, "notice": sample.notices, "smv": sample.smv,
                 "event": sample.events}
        now = datetime.now(UTC)
        for record in records:
            if not lapsed(record.get("valid_until"), now):
                lists[record["list"]].append(record)
        return sample


_PREFIX = b'{"list":"'


def _list_of(line: bytes) -> str | None:
    if line.startswith(_PREFIX):  # what lists.py writes: "list" comes first
        return line[len(_PREFIX) : line.index(b'"', len(_PREFIX))].decode()
    value = orjson.loads(line)
    return value.get("list") if isinstance(value, dict) else None


def sample_from_files(paths: Iterable[Path], per_list: int, seed: int) -> ListSample:
    """Up to `per_list` records of each list, uniformly at random (reservoir sampling):
    one pass, memory bounded by the sample, only the chosen lines are parsed."""
    rng = Random(f"sample:{seed}")
    now = datetime.now(UTC)
    reservoirs: dict[str, list[bytes]] = {"sltd": [], "notice": [], "smv": [], "event": []}
    seen = dict.fromkeys(reservoirs, 0)
    for path in paths:
        with open(path, "rb") as lines:
            for line in lines:
                if not line.strip():
                    continue
                name = _list_of(line)
                if name not in reservoirs:
                    continue
                if b'"valid_until"' in line and lapsed(orjson.loads(line).get("valid_until"),
                                                       now):
                    continue  # no longer hits: not one to build a hit from
                i = seen[name]
                seen[name] = i + 1
                if i < per_list:
                    reservoirs[name].append(line)
                else:
                    j = int(rng.random() * (i + 1))
                    if j < per_list:
                        reservoirs[name][j] = line
    return ListSample.of(orjson.loads(line) for res in reservoirs.values() for line in res)
