"""Redis key names: one place that knows the layout.

    {prefix}:current                  the version answering scans (switched atomically)
    {prefix}:loading                  the version being loaded (live updates go there too)
    {prefix}:retired                  zset: old versions and when they may be removed
    {prefix}:last_update              hash: list -> time of its last live update
    {prefix}:journal                  stream of applied live updates (replayed into a new load)
    {prefix}:applied:{day}            hash: "<list>:<id>|<stamp>" -> where the update first
                                      came (topic:partition:offset), per day of issued_at,
                                      kept REPLAY_WINDOW_S (watchlists/updates.py)
    {prefix}:meta:{ver}               hash: buckets per table, counts per list, times
    {prefix}:{ver}:{table}:{b}        hash bucket of a list's table (its layout.py says what)
    {prefix}:{ver}:sd:{b}, :si:{b}    SLTD's compact tables: document digest -> code + id,
                                      id digest -> document digests (sltd/layout.py)
    {prefix}:{ver}:sample             a sample of the SLTD records loaded, for simulators
    {prefix}:{ver}:seen:{b}           hash bucket: "<list>:<id>" -> last applied update

Tables are bucketed (crc32 of the field modulo a power of two chosen per version;
SLTD's by digest bits modulo a count sized to the server's hash-max-listpack-entries)
so that each bucket stays a small listpack-encoded hash: far less memory than one
key per record, and any number of buckets spread over a Redis Cluster's slots.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass


def bucket_of(field: str, buckets: int) -> int:
    return zlib.crc32(field.encode()) & (buckets - 1)


@dataclass(frozen=True, slots=True)
class Keys:
    prefix: str

    @property
    def current(self) -> str:
        return f"{self.prefix}:current"

    @property
    def loading(self) -> str:
        return f"{self.prefix}:loading"

    @property
    def retired(self) -> str:
        return f"{self.prefix}:retired"

    @property
    def last_update(self) -> str:
        return f"{self.prefix}:last_update"

    @property
    def journal(self) -> str:
        return f"{self.prefix}:journal"

    def applied(self, day: str) -> str:
        return f"{self.prefix}:applied:{day}"

    def meta(self, version: str) -> str:
        return f"{self.prefix}:meta:{version}"

    def version_pattern(self, version: str) -> str:
        return f"{self.prefix}:{version}:*"

    def bucket(self, version: str, table: str, field: str, buckets: int) -> str:
        return f"{self.prefix}:{version}:{table}:{bucket_of(field, buckets)}"


def next_pow2(n: float) -> int:
    size = 1
    while size < n:
        size <<= 1
    return size
