"""The edge's own copy of the lists, for answers when the centre cannot give one.

Built from the feed's signed bulk files (NDJSON, each with its `.sig` manifest) in
`edge_snapshot_dir`, the same files `screening watchlists load` takes: every file is
checked against its manifest with the trusted feed keys before a record is read, and a
file that fails stops the load (SignatureRefused), so a tampered or unsigned list is
never screened against. The bytes checked are the bytes read (no window between).

Each record is indexed by its list's own layout (`Layout.index`: the logical entries
the store's look-ups answer) into memory, and the snapshot answers `fetch` and
`fetch_blobs` as the Redis store does, so the engine screens with the same code.

Live updates (`watchlist.updates`, signed like the worker's) are applied on top by
edge/feed.py; the version then reads `edge-<digest>+<updates applied>`.

This index is the edge's reader until it can copy the current version from Redis
(edge/copy.py: far more compact), and after a restart while Redis cannot be reached
(about 30 s and 0.9 GB per million SLTD records: bench/results/edge.md).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from screening.exceptions import NoWatchlistLoaded, SignatureRefused
from screening.logs import kv
from screening.models import WatchlistUpdate
from screening.watchlists.base import Found, Lookup, RecordRef
from screening.watchlists.lists import LISTS
from screening.watchlists.loader import parse_record
from screening.watchlists.signing import TrustedKeys, manifest_path, verify_manifest
from screening.watchlists.store import Version

log = logging.getLogger("screening.edge.snapshot")
NDJSON = ("*.ndjson", "*.jsonl")


def snapshot_files(folder: Path) -> list[Path]:
    return sorted({p for pattern in NDJSON for p in folder.glob(pattern)})


class Snapshot:
    """A ListReader over signed list files, and the signed live updates since."""

    def __init__(self, version: str) -> None:
        self.base = version
        self.version = Version(id=version, buckets={})
        self.entries: dict[Lookup, list[Found]] = {}
        self.blobs: dict[RecordRef, bytes] = {}
        self.records = 0
        # What each record put in the index, so an update can take it out again.
        self._placed: dict[tuple[str, str], tuple[list[tuple[Lookup, Found]],
                                                  list[RecordRef]]] = {}
        # The last update applied per record: (issued_at, update_id), as the worker
        # orders them (watchlists/updates.py): an older or equal one is not applied.
        self._stamps: dict[tuple[str, str], tuple[float, str]] = {}
        self.updates = 0
        # Every record an applied update named (an overlay's: edge/copy.py).
        self.touched: set[tuple[str, str]] = set()

    @classmethod
    def load(cls, folder: Path, trusted: TrustedKeys) -> Snapshot:
        files = snapshot_files(folder)
        if not files:
            raise NoWatchlistLoaded(f"no list files in {folder}")
        digests = []
        contents = []
        for path in files:
            signed = verify_manifest(path, trusted)
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != signed.sha256:
                raise SignatureRefused("FILE_MISMATCH", f"{path}: changed while being read")
            digests.append(signed.sha256)
            contents.append((path, data))
        snap = cls("edge-" + hashlib.sha256("".join(digests).encode()).hexdigest()[:12])
        for path, data in contents:
            for n, line in enumerate(data.splitlines(), 1):
                if line.strip():
                    snap.add(parse_record(line, f"{path.name}:{n}"))
        log.info("snapshot loaded", extra=kv(version=snap.version.id, records=snap.records,
                                             files=len(files)))
        return snap

    def add(self, record: Any) -> None:
        key = (record.list, record.id)
        if key in self._placed:
            self.remove(*key)
        indexed = LISTS[record.list].layout.index(record)
        placed: list[tuple[Lookup, Found]] = []
        for e in indexed.entries:
            found = Found(e.record_id, e.payload)
            self.entries.setdefault((e.table, e.field), []).append(found)
            placed.append(((e.table, e.field), found))
        refs = []
        for b in indexed.blobs:
            self.blobs[(b.table, b.record_id)] = b.value
            refs.append((b.table, b.record_id))
        self._placed[key] = (placed, refs)
        self.records += 1

    def remove(self, list_name: str, record_id: str) -> bool:
        placed = self._placed.pop((list_name, record_id), None)
        if placed is None:
            return False
        for lookup, found in placed[0]:
            entries = self.entries.get(lookup)
            if entries is not None and found in entries:
                entries.remove(found)
                if not entries:
                    del self.entries[lookup]
        for ref in placed[1]:
            self.blobs.pop(ref, None)
        self.records -= 1
        return True

    def apply(self, update: WatchlistUpdate) -> bool:
        """A verified live update; False when a newer one for its record came first."""
        key = (update.record.list, update.record.id)
        stamp = (update.issued_at.timestamp(), update.update_id)
        if key in self._stamps and self._stamps[key] >= stamp:
            return False
        self._stamps[key] = stamp
        self.touched.add(key)
        if update.op == "upsert":
            self.add(update.record)
        else:
            self.remove(*key)
        self.updates += 1
        self.version = Version(id=f"{self.base}+{self.updates}", buckets={})
        return True

    async def fetch(self, fields: Sequence[Lookup]) -> tuple[Version, list[list[Found]]]:
        return self.version, [list(self.entries.get(f, ())) for f in fields]

    async def fetch_blobs(self, version: Version,
                          refs: Sequence[RecordRef]) -> list[bytes | None]:
        return [self.blobs.get(r) for r in refs]


class NoSnapshot:
    """The reader of an edge without a snapshot: every offline answer is `unverified`
    (the engine answers so at once for NoWatchlistLoaded)."""

    async def fetch(self, fields: Sequence[Lookup]) -> tuple[Version, list[list[Found]]]:
        raise NoWatchlistLoaded("the edge has no snapshot of the lists")

    async def fetch_blobs(self, version: Version,
                          refs: Sequence[RecordRef]) -> list[bytes | None]:
        raise NoWatchlistLoaded("the edge has no snapshot of the lists")


__all__ = ["NoSnapshot", "Snapshot", "manifest_path", "snapshot_files"]
