"""Mock watchlists as NDJSON, streamed: each list's records from its package's mock.py.

Records are plain dicts in the contract's record shapes, dumped with orjson in chunks:
memory stays flat whatever the count (ten million SLTD records is a matter of time,
not of RAM), and pydantic stays off the hot path; tests validate samples against the
models instead. The same seed gives the same files, byte for byte: dates count back
from a fixed `as_of` day rather than from today.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from itertools import islice
from pathlib import Path

import orjson

from screening.mockdata.common import AS_OF, CHUNK, MockList, Record, short_id
from screening.watchlists.notices.mock import iter_notices
from screening.watchlists.registry import PACKAGES
from screening.watchlists.sltd.mock import iter_sltd
from screening.watchlists.smv.mock import iter_smv

Progress = Callable[[str, int], None]

__all__ = ["AS_OF", "FILE_NAMES", "MOCKS", "generate_lists", "iter_notices", "iter_sltd",
           "iter_smv", "short_id", "write_ndjson"]



MOCKS: dict[str, MockList] = {
    name: importlib.import_module(f"{package}.mock").MOCK for name, package in PACKAGES.items()}
FILE_NAMES = {name: mock.file_name for name, mock in MOCKS.items()}
# The generator's first lists were named by keywords (`notices=`); a list's name works too.
_ALIASES = {"notices": "notice", "events": "event"}


def write_ndjson(
    path: Path, records: Iterator[Record], *, label: str = "", progress: Progress | None = None
) -> int:
    """Write records one a line, atomically (a half-written file never has the final name)."""
    tmp = path.with_name(f".{path.name}.tmp")
    option = orjson.OPT_APPEND_NEWLINE
    written = 0
    try:
        with open(tmp, "wb", buffering=1 << 20) as out:
            while chunk := list(islice(records, CHUNK)):
                out.write(b"".join([orjson.dumps(r, option=option) for r in chunk]))
                written += len(chunk)
                if progress:
                    progress(label, written)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return written


def generate_lists(
    out_dir: Path,
    counts: Mapping[str, int] | None = None,
    *,
    seed: int = 1,
    progress: Progress | None = None,
    as_of: date = AS_OF,
    **named: int,
) -> dict[str, Path]:
    """Write each list's mock file into out_dir, as many records as `counts` (or the
    keywords: sltd=, notice= or notices=, smv=, event=) say per list; a list not named
    gets none.

    Returns the paths by list name (as records' "list" field); every list of the registry
    gets its file, empty when it was given no count. `progress(list_name,
    records_written)` is called after every chunk.
    """
    wanted = {_ALIASES.get(k, k): n for k, n in {**(counts or {}), **named}.items()}
    unknown = set(wanted) - set(MOCKS)
    if unknown:
        raise ValueError(f"no such list: {', '.join(sorted(unknown))}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, mock in MOCKS.items():
        path = out_dir / mock.file_name
        write_ndjson(path, mock.records(wanted.get(name, 0), seed, as_of=as_of), label=name,
                     progress=progress)
        paths[name] = path
    return paths
