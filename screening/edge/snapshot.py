"""The edge's own copy of the lists, for answers when the centre cannot give one.

Built from the feed's signed bulk files (NDJSON, each with its `.sig` manifest) in
`edge_snapshot_dir`, the same files `screening watchlists load` takes: every file is
checked against its manifest with the trusted feed keys before a record is read, and a
file that fails stops the load (SignatureRefused), so a tampered or unsigned list is
never screened against. The bytes checked are the bytes read (no window between).

Each record is indexed by its list's own layout (`Layout.index`: the logical entries
the store's look-ups answer) into memory, and the snapshot answers `fetch` and
`fetch_blobs` as the Redis store does, so the engine screens with the same code.

Not done yet (issue 24): the index lives in memory, rebuilt from the files at each start
(seconds for the mock lists; a million SLTD records would take minutes and ~1 GB); no
live updates from `watchlist.updates` while running.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

from screening.exceptions import NoWatchlistLoaded, SignatureRefused
from screening.logs import kv
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
    """A ListReader over signed list files."""

    def __init__(self, version: str) -> None:
        self.version = Version(id=version, buckets={})
        self.entries: dict[Lookup, list[Found]] = {}
        self.blobs: dict[RecordRef, bytes] = {}
        self.records = 0

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

    def add(self, record: object) -> None:
        indexed = LISTS[record.list].layout.index(record)  # type: ignore[attr-defined]
        for e in indexed.entries:
            self.entries.setdefault((e.table, e.field), []).append(Found(e.record_id,
                                                                         e.payload))
        for b in indexed.blobs:
            self.blobs[(b.table, b.record_id)] = b.value
        self.records += 1

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
