"""A scan whose look-ups all came back empty is answered by no list (Prepared.answered).

The engine no longer asks the lists for such a scan's records or hits. That rests on
what the lists promise (a list answers a scan from its own look-ups only), checked here
over a batch of mock scans, hits and namesakes among them, against mock lists: for
every scan none of whose look-ups found anything, each list's record_refs and hits
given the batch's answers and records are empty; and the batch screened with the
answered flags is screened exactly as with every list asked."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import chain, islice
from typing import Any

import orjson
import pytest

from screening.core.decide import _screening
from screening.core.engine import RawScan, Screener
from screening.mockdata.samples import ListSample
from screening.mockdata.scans import ScanFactory
from screening.settings import Settings
from screening.watchlists.event.mock import iter_events
from screening.watchlists.lists import LISTS
from screening.watchlists.notices.mock import iter_notices
from screening.watchlists.sltd.mock import iter_sltd
from screening.watchlists.smv.mock import iter_smv
from tests.support.memory_store import MemoryStore

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _records() -> list[dict[str, Any]]:
    return [*islice(iter_sltd(200, seed=3), 200), *islice(iter_notices(200, seed=3), 200),
            *islice(iter_smv(200, seed=3), 200), *islice(iter_events(50, seed=3), 50)]


def _batch(records: list[dict[str, Any]]) -> list[RawScan]:
    factory = ScanFactory(seed=9, sample=ListSample.of(records), now=lambda: NOW)
    return [RawScan(kind, p if isinstance(p, bytes) else orjson.dumps(p), topic="t",
                    partition=0, offset=i)
            for i, (kind, p, _) in enumerate(factory.mixed(300, 0.3, vehicle_share=0.3))]


def _outputs(items: list[Any]) -> list[Any]:
    return [(i.result.model_dump_json() if i.result else None,
             [a.model_dump_json() for a in i.alerts]) for i in items]


@pytest.fixture(scope="module")
def records() -> list[dict[str, Any]]:
    return _records()


async def test_no_list_answers_a_scan_whose_look_ups_found_nothing(
        records: list[dict[str, Any]]) -> None:
    settings = Settings()
    screener = Screener(MemoryStore(records), settings, clock=lambda: NOW)
    items = await screener.screen(_batch(records))
    prepared = [(i, i.prepared) for i in items if i.prepared is not None]
    fields = list(chain.from_iterable([p.lookups for _, p in prepared]))
    _, answers, found_records = await screener._lookup(prepared, fields)
    at = _screening(NOW, settings.name_threshold, frozenset())
    unanswered = [p for _, p in prepared if p.answered is False]
    answered = [p for _, p in prepared if p.answered]
    assert len(unanswered) > 50 and len(answered) > 50  # both kinds of scan are here
    assert any(i.alerts for i in items)
    for p in unanswered:
        assert not any(lookup in answers for lookup in p.lookups)
        for lst in LISTS.values():
            assert lst.record_refs(p, answers) == []
            assert lst.hits(p, answers, found_records, at) == []
    for p in answered:
        assert any(lookup in answers for lookup in p.lookups)


async def test_the_batch_is_screened_as_with_every_list_asked(
        records: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    batch = _batch(records)
    fast = await Screener(MemoryStore(records), Settings(), clock=lambda: NOW).screen(batch)
    lookup = Screener._lookup

    async def unknown(self: Screener, prepared: Any, fields: Any) -> Any:
        out = await lookup(self, prepared, fields)
        for _, p in prepared:
            p.answered = None  # as before the flag: every list asked
        return out

    monkeypatch.setattr(Screener, "_lookup", unknown)
    slow = await Screener(MemoryStore(records), Settings(), clock=lambda: NOW).screen(batch)
    assert _outputs(fast) == _outputs(slow)
    assert sum(1 for i in fast if i.alerts) > 10
