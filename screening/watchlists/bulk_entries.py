"""Bulk loads of the entries-layout lists (notices, event lists) in native HSETs.

A record's puts (EntriesLayout.puts: p entry ops and s body ops) applied one by one by
the write script cost Redis about 2.5 µs of its thread each, some twenty-five a notice.
A bulk load's new records are instead gathered by bucket and field (a field's entries
joined by RS, in the order the ops give them, an entry replacing its record's earlier
one in that field as the p op does), and each bucket written as one HSET by
BatchOps.write_bulk (mode p). A bucket an earlier group wrote is revisited: a field
already there is merged by the bulk script, which appends the group's entries to it
(their records are new to the version, so none of them is there to replace).

Only records new to the version go this way: an id met again is applied by the loader
as an update (EntriesLayout.indexed_changes), after what was gathered is written.
Gathering is compiled (native/src/entries.rs); _PyEntryGroups is its reference.
"""

from __future__ import annotations

from typing import Any

import screening_native
from redis.crc import key_slot

from screening.watchlists.base import RS
from screening.watchlists.batch import BucketWrite, as_bytes, spare_key, unpack_ops

_RS = RS.encode()


class EntryGroups:
    """New records' puts (batch.pack_ops) gathered by bucket and field until written."""

    def __init__(self, node_of_slot: list[str] | None) -> None:
        self.node_of_slot = node_of_slot
        self._groups = screening_native.EntryGroups()
        self._written: set[bytes] = set()  # buckets an earlier group wrote

    @property
    def ops(self) -> int:
        """Ops held (gathered since the last take, less those replaced)."""
        return self._groups.ops

    def add(self, packed: bytes) -> None:
        """One record's puts, packed (batch.pack_ops: p and s ops only); the records
        added are distinct (an entry replaces only its own record's earlier one)."""
        self._groups.add(packed)

    def take(self) -> list[tuple[str | None, list[BucketWrite]]]:
        """What was gathered as bucket writes, by the node serving them (None: one
        server); gathering starts again."""
        by_node: dict[str | None, list[BucketWrite]] = {}
        for key, pairs, body in self._groups.take():
            node = self.node_of_slot[key_slot(key)] if self.node_of_slot else None
            writes = by_node.get(node)
            if writes is None:
                writes = by_node[node] = []
            writes.append(BucketWrite(key, spare_key(key), b"p", key in self._written,
                                      pairs, body))
            self._written.add(key)
        return list(by_node.items())


class _PyEntryGroups:
    """screening_native.EntryGroups in Python: the reference the unit tests compare."""

    def __init__(self) -> None:
        # key -> field -> [(entry id, entry)] (p ops) or a body (s ops)
        self._keys: dict[bytes, dict[bytes, Any]] = {}
        self.ops = 0

    def add(self, packed: bytes) -> None:
        ops = unpack_ops(packed)
        if any(op not in ("p", "s") for op, *_ in ops):
            raise ValueError("bulk entries take p and s ops only")
        touched: dict[tuple[bytes, bytes], int] = {}  # this record's first entry in a field
        for op, key, field, rid, value in ops:
            self.ops += 1
            fields = self._keys.setdefault(key.encode(), {})
            f, rid_b, entry = as_bytes(field), as_bytes(rid), as_bytes(value)
            if op == "s":
                fields[f] = entry
                continue
            items = fields.get(f)
            if not isinstance(items, list):
                items = fields[f] = []
            start = touched.setdefault((key.encode(), f), len(items))
            mine = [i for i in range(start, len(items)) if items[i][0] == rid_b]
            if mine:
                del items[mine[0]]
                self.ops -= 1
            items.append((rid_b, entry))

    def take(self) -> list[tuple[bytes, int, bytes]]:
        """Buckets in the order first met, their fields in byte order."""
        out = []
        for key, fields in self._keys.items():
            parts = []
            for f, value in sorted(fields.items()):
                if isinstance(value, list):
                    value = _RS.join(e for _, e in value)
                parts.append(b"$%d\r\n%b\r\n$%d\r\n%b\r\n" % (len(f), f, len(value), value))
            out.append((key, len(parts), b"".join(parts)))
        self._keys = {}
        self.ops = 0
        return out
