"""The benchmark's baseline: the same decisions, one awaited Redis call per look-up.

This is how a first Faust agent is usually written (handle an event, await each
look-up, move on); the benchmark runs it in the same session so that every figure
of the batched worker is also a ratio. Selected with SCREENING_LOOKUP_MODE=per_scan
(and SCREENING_BATCH_SIZE=1); never the default.
"""

from __future__ import annotations

from collections.abc import Sequence

from screening.watchlists.store import Version, WatchlistStore


class PerScanStore:
    """Duck-types the two read methods of WatchlistStore the engine uses."""

    def __init__(self, store: WatchlistStore) -> None:
        self.store = store

    async def current_version(self, *, refresh: bool = False) -> Version:
        return await self.store.current_version(refresh=refresh)

    async def _hget(self, version: Version, table: str, fld: str) -> bytes | None:
        value = await self.store.redis.hget(version.key(self.store.data_keys, table, fld), fld)
        return value if isinstance(value, bytes) or value is None else str(value).encode()

    async def fetch(self, fields: Sequence[tuple[str, str]]) -> tuple[Version, list[bytes | None]]:
        version = await self.store.current_version()
        return version, [await self._hget(version, table, fld) for table, fld in fields]

    async def fetch_blobs(self, version: Version,
                          refs: Sequence[tuple[str, str]]) -> list[bytes | None]:
        return [await self._hget(version, table, rid) for table, rid in refs]
