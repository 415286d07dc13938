"""The feed's rebase onto a new copy: updates applied to the old reader are not lost."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from screening.edge.feed import SnapshotFeed
from screening.settings import Settings


class _Outbox:
    def __init__(self) -> None:
        self.meta: dict[str, Any] = {}

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        return fn(*args)

    def set_meta(self, key: str, value: Any) -> None:
        self.meta[key] = value


def _feed() -> tuple[SnapshotFeed, _Outbox]:
    outbox = _Outbox()
    feed = SnapshotFeed(Settings(), None, cast(Any, outbox), cast(Any, {}))
    return feed, outbox


async def test_a_copy_begun_before_the_feed_read_replays_from_where_the_feed_began() -> None:
    feed, outbox = _feed()
    feed.started = {0: 5, 1: 9}  # the feed began there, after the copy began (no mark)
    reader = cast(Any, SimpleNamespace(base="v2"))
    await feed.rebase(reader, None)
    assert feed._seek == {0: 5, 1: 9}
    assert outbox.meta == {"updates-from:v2": {"0": 5, "1": 9}}
    assert feed.snapshot is reader


async def test_a_mark_wins_over_where_the_feed_began() -> None:
    feed, outbox = _feed()
    feed.started = {0: 5}
    await feed.rebase(cast(Any, SimpleNamespace(base="v3")), {0: 40})
    assert feed._seek == {0: 40}
    assert outbox.meta == {"updates-from:v3": {"0": 40}}


async def test_no_mark_and_no_reading_yet_leaves_the_feed_where_it_will_start() -> None:
    feed, outbox = _feed()
    await feed.rebase(cast(Any, SimpleNamespace(base="v4")), None)
    assert feed._seek is None and outbox.meta == {}
