"""What every list (SLTD, notices, stolen vehicles) provides to the shared index machinery.

A list turns one record into *entries*: (table, field, value) triples stored in
bucketed Redis hashes. Several records may share a field (two notices with the same
name key), so a field holds a list of entries separated by RS (0x1E), each starting
with the record id and, where the lookup needs more, a payload after US (0x1F).
A list may also keep a *blob* per record (a compact JSON summary) for scoring and
for the analysts' alert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

RS = "\x1e"  # between entries of one field
US = "\x1f"  # between an entry's id and its payload


@dataclass(frozen=True, slots=True)
class Entry:
    table: str
    field: str
    record_id: str
    payload: str = ""

    @property
    def value(self) -> str:
        return f"{self.record_id}{US}{self.payload}" if self.payload else self.record_id


@dataclass(frozen=True, slots=True)
class Blob:
    table: str
    record_id: str
    value: bytes


@dataclass(frozen=True, slots=True)
class Indexed:
    """Everything one record writes: entries for lookups, blobs for scoring and alerts."""

    entries: tuple[Entry, ...]
    blobs: tuple[Blob, ...] = ()


def parse_entries(raw: bytes | str | None) -> list[tuple[str, str]]:
    """A stored field back into (record_id, payload) pairs."""
    if not raw:
        return []
    text = raw.decode() if isinstance(raw, bytes) else raw
    out = []
    for item in text.split(RS):
        rid, _, payload = item.partition(US)
        out.append((rid, payload))
    return out


class WatchList(Protocol):
    """One list's normalisation and index layout."""

    name: ClassVar[str]
    model: ClassVar[type[Any]]  # a pydantic model
    # Tables this list writes, with their expected fields per record (sizes bucket counts).
    tables: ClassVar[dict[str, float]]

    def index(self, record: Any) -> Indexed: ...
