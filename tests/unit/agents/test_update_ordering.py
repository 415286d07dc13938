"""Live updates order by issued_at: numerically (not as text), and none dated so far
ahead of the worker's clock that it would outrank every later real update."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import pytest

from screening.agents import updates as agent
from screening.agents.updates import UpdateApplier
from screening.metrics import Metrics
from screening.settings import Settings
from screening.watchlists.updates import _order, _stamp, parse_update
from tests.support.feed import signed
from tests.support.updates import Producer, message


def _update(issued_at: str, update_id: str = "u1") -> bytes:
    return signed({"update_id": update_id, "op": "delete", "issued_at": issued_at,
                   "record": {"list": "sltd", "id": "S1"}})


@pytest.mark.parametrize(("older", "newer"), [
    ("1999-01-01T00:00:00Z", "2026-11-28T10:00:00Z"),  # 9 digits before the point, then 10
    ("1960-05-01T00:00:00Z", "1975-01-01T00:00:00Z"),  # before the epoch: negative
    ("2026-11-28T10:00:00Z", "2026-11-28T10:00:00.000001Z"),
    ("2100-01-01T00:00:00Z", "2200-12-31T00:00:00Z"),
])
def test_a_later_update_outranks_an_earlier_one(older: str, newer: str) -> None:
    a, b = _stamp(parse_update(_update(older))), _stamp(parse_update(_update(newer)))
    assert _order(a) < _order(b)


def test_equal_times_are_ordered_by_update_id() -> None:
    a = _stamp(parse_update(_update("2026-11-28T10:00:00Z", "u1")))
    b = _stamp(parse_update(_update("2026-11-28T10:00:00Z", "u2")))
    assert _order(a) < _order(b)
    assert _order(a) == _order(a)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


async def test_an_update_dated_far_ahead_is_dead_lettered_not_applied(
        monkeypatch: pytest.MonkeyPatch) -> None:
    applied: list[Any] = []

    async def fake_apply(store: Any, good: list[Any], **kw: Any) -> list[Any]:
        applied.extend(good)
        return []

    monkeypatch.setattr(agent, "apply_updates", fake_apply)
    settings = Settings(update_max_ahead_s=3600)
    applier = UpdateApplier(settings, Metrics.create())
    producer = Producer()
    now = time.time()
    messages = [message(_update(_iso(now + 600), "soon"), 1),
                message(_update("2199-01-01T00:00:00Z", "far"), 2),
                message(_update(_iso(now + 7200), "hours"), 3)]
    await applier._handle(None, producer, messages)  # type: ignore[arg-type]
    assert [u.update_id for u in applied] == ["soon"]  # clock skew of minutes is fine
    letters = producer.letters()
    assert [d.offset for d in letters] == [2, 3]
    assert all(d.reason.code == "INVALID_UPDATE" for d in letters)
    assert all("ahead of this worker's clock" in d.reason.message for d in letters)
