"""The lists of the registry, loaded: each list's `WatchList`, and which layout owns each
table (so that the store reads and writes any table without knowing the lists)."""

from __future__ import annotations

import importlib

from screening.watchlists.base import Layout, WatchList
from screening.watchlists.registry import PACKAGES

LISTS: dict[str, WatchList] = {
    name: importlib.import_module(f"{package}.screen").LIST for name, package in PACKAGES.items()}


def _owners() -> dict[str, Layout]:
    owners: dict[str, Layout] = {}
    for lst in LISTS.values():
        for table in lst.layout.tables:
            if table in owners:
                raise ValueError(f"table {table!r} is claimed by two lists")
            owners[table] = lst.layout
    # SLTD is looked up by its logical table and stored in two physical ones.
    for lst in LISTS.values():
        for table in getattr(lst.layout, "logical_tables", ()):
            owners[table] = lst.layout
    return owners


OWNERS: dict[str, Layout] = _owners()
