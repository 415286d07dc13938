"""The name-candidate prefilter changes what is fetched, never what is decided.

Namesakes of generated notices (same name; date of birth equal, a day, a month or
years away, or partial; nationality the same or another) are screened with the
prefilter and without it: the results must be identical, and fewer profiles fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any

import orjson
import pytest

import screening.core.engine as engine
from screening.core.engine import RawScan, Screener
from screening.core.prepare import Prepared
from screening.mockdata.lists import iter_notices
from screening.settings import Settings
from screening.watchlists.store import Version

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def counting(base: type[Any], records: Sequence[dict[str, Any]]) -> Any:
    """The in-memory store (conftest), counting the profiles fetched."""

    class CountingStore(base):
        fetched = 0

        async def fetch_blobs(self, version: Version, refs: Sequence[tuple[str, str]]
                              ) -> list[bytes | None]:  # fmt: skip
            self.fetched += len(refs)
            return await super().fetch_blobs(version, refs)

    return CountingStore(records)


def _namesakes(notices: list[dict[str, Any]], rng: Random) -> list[bytes]:
    scans = []
    for i, notice in enumerate(notices):
        name = notice["names"][0]
        dob = notice.get("date_of_birth") or "1980-01-01"
        born = date.fromisoformat((dob + "-01-01")[:10])
        shift = rng.choice([0, 0, 1, 31, 366, 3 * 365, 20 * 365])
        scanned_dob = (born + timedelta(days=shift)).isoformat()
        nats = notice.get("nationalities") or ["FRA"]
        nationality = nats[0] if rng.random() < 0.6 else rng.choice(["USA", "BRA", "D", "EGY"])
        holder = {"surname": name.get("surname"), "given_names": name.get("given_names"),
                  "date_of_birth": scanned_dob[: rng.choice([10, 10, 7, 4])],
                  "nationality": nationality}
        scans.append(orjson.dumps({
            "event_id": f"e{i}", "checkpoint_id": "cp", "terminal_id": "t",
            "scanned_at": "2026-11-28T11:59:59Z",
            "document": {"number": f"Z{i:08d}", "issuing_state": nationality},
            "holder": {k: v for k, v in holder.items() if v}}))
    return scans


async def _screen(store: Any, raws: list[bytes]) -> list[bytes]:
    screener = Screener(store, Settings(lookup_budget_s=0.2), clock=lambda: NOW)
    items = await screener.screen([RawScan(kind="traveller", value=r, offset=i)
                                   for i, r in enumerate(raws)])
    return [item.result.model_dump_json().encode() for item in items if item.result]


async def test_same_results_with_and_without_the_prefilter(monkeypatch: pytest.MonkeyPatch,
                                                            memory_store: Any) -> None:
    notices = [n for n in iter_notices(1500, seed=5) if n["names"][0].get("script") == "Latn"
               or n["names"][0].get("script") is None]  # fmt: skip
    raws = _namesakes(notices[:600], Random(3))
    filtered = counting(type(memory_store), notices)
    with_filter = await _screen(filtered, raws)

    real_prepare = engine.prepare

    def without_threshold(scan: Any, settings: Settings) -> Prepared:
        p = real_prepare(scan, settings)
        p.threshold = None
        return p

    monkeypatch.setattr(engine, "prepare", without_threshold)
    unfiltered = counting(type(memory_store), notices)
    without_filter = await _screen(unfiltered, raws)

    assert with_filter == without_filter
    hits = sum(b'"outcome":"hit"' in r for r in with_filter)
    assert 50 < hits < len(raws) - 50  # both kinds of answer are exercised
    assert filtered.fetched < unfiltered.fetched * 0.7
