"""The benchmark's baseline: the same decisions, one awaited Redis call per look-up.

This is how a first Faust agent is usually written (handle an event, await each
look-up, move on); the benchmark runs it in the same session so that every figure
of the batched worker is also a ratio. It is `screening worker`'s own start-up with
batches of one and the screener reading through PerScanStore, run as
`python -m screening_bench.baseline`: the product has no switch for it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from screening.logs import setup_logging
from screening.settings import Settings
from screening.watchlists.base import Found
from screening.watchlists.store import Version, WatchlistStore
from screening_bench.processes import WorkerProcess


class PerScanStore:
    """Duck-types the two read methods of WatchlistStore the engine uses."""

    def __init__(self, store: WatchlistStore) -> None:
        self.store = store

    async def current_version(self, *, refresh: bool = False) -> Version:
        return await self.store.current_version(refresh=refresh)

    async def _hget(self, version: Version, lookup: tuple[str, str]) -> bytes | None:
        [key], [fld] = self.store.locate(version, [lookup])
        value = await self.store.redis.hget(key, fld)
        return value if isinstance(value, bytes) or value is None else str(value).encode()

    async def fetch(self, fields: Sequence[tuple[str, str]]) -> tuple[Version, list[list[Found]]]:
        version = await self.store.current_version()
        return version, [self.store.decode(f, await self._hget(version, f)) for f in fields]

    async def fetch_blobs(self, version: Version,
                          refs: Sequence[tuple[str, str]]) -> list[bytes | None]:
        return [await self._hget(version, ref) for ref in refs]


class BaselineWorkerProcess(WorkerProcess):
    """This module as a subprocess, in place of `screening worker` (same settings)."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", __name__]


def main() -> int:
    from screening.cli.worker import serve

    # One scan per batch: each is handled, and each look-up awaited, on its own.
    settings = Settings().model_copy(update={"batch_size": 1})
    setup_logging(settings.log_level, settings.log_json)
    return serve(settings, reader=PerScanStore)


if __name__ == "__main__":
    sys.exit(main())
