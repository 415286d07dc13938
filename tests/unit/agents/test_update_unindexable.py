"""An update whose record cannot be indexed is dead-lettered whole, with where it came
from: bad input loses nothing (it used to go out with an empty payload)."""

from __future__ import annotations

from typing import Any

import pytest

from screening.agents import updates as agent
from screening.agents.updates import UpdateApplier
from screening.metrics import Metrics
from screening.settings import Settings
from tests.support.deadletters import opened
from tests.support.feed import signed
from tests.support.updates import Producer, message


def _upsert(rid: str) -> bytes:
    return signed({"update_id": f"u-{rid}", "op": "upsert",
                   "issued_at": "2026-11-28T10:00:00Z",
                   "record": {"list": "sltd", "id": rid, "document_number": "X1",
                              "issuing_state": "D", "status": "lost"}})


async def test_an_unindexable_update_is_dead_lettered_with_its_payload(
        monkeypatch: pytest.MonkeyPatch) -> None:
    async def fake_apply(store: Any, good: list[Any], *, on_error: Any, **kw: Any) -> list[Any]:
        for version in ("current", "loading"):  # the same record fails in both versions
            on_error(good[1].record, ValueError(version))
        return []

    monkeypatch.setattr(agent, "apply_updates", fake_apply)
    producer = Producer()
    ok, bad = _upsert("S1"), _upsert("S2")
    await UpdateApplier(Settings(), Metrics.create())._handle(
        None, producer, [message(ok, 40, partition=2), message(bad, 41, partition=2)])  # type: ignore[arg-type]
    [letter] = producer.letters()
    assert letter.reason.message == "sltd:S2 cannot be indexed"
    assert (letter.topic, letter.partition, letter.offset) == ("watchlist.updates", 2, 41)
    assert opened(letter) == bad
    assert letter.payload_bytes == len(bad)
