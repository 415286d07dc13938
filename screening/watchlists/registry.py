"""The lists this deployment screens against, by name."""

from __future__ import annotations

from screening.watchlists.base import WatchList
from screening.watchlists.notices import NoticeList
from screening.watchlists.sltd import SltdList
from screening.watchlists.smv import SmvList

LISTS: dict[str, WatchList] = {"sltd": SltdList(), "notice": NoticeList(), "smv": SmvList()}
