"""The lists this deployment screens against: one line per list, naming its package.

A list's package holds ``record.py`` (``MODEL``), ``layout.py``, ``screen.py`` (``LIST``)
and ``mock.py`` (``MOCK``); see base.py. Adding a list is adding its package and its
line here. This module imports nothing, so that the wire models can name the lists.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

PACKAGES: dict[str, str] = {
    "sltd": "screening.watchlists.sltd",
    "notice": "screening.watchlists.notices",
    "smv": "screening.watchlists.smv",
    "event": "screening.watchlists.event",
}

LIST_NAMES: tuple[str, ...] = tuple(PACKAGES)

if TYPE_CHECKING:
    ListName = str
else:
    ListName = Literal[LIST_NAMES]
