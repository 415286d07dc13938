"""A bulk load replays the update journal; an entry journalled under a laxer model (a
record dated year 1000, say, before record dates had a range) is skipped, not fatal."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from screening.models import WatchlistUpdate
from screening.watchlists import updates


def entry(rid: str, reported_at: str) -> bytes:
    return orjson.dumps({"update_id": f"u-{rid}", "op": "upsert",
                         "issued_at": "2026-11-28T10:00:00Z",
                         "record": {"list": "sltd", "id": rid, "document_number": "X1",
                                    "issuing_state": "D", "status": "lost",
                                    "reported_at": reported_at}})


class Journal:
    def __init__(self, entries: list[bytes]) -> None:
        self.entries = [(f"1-{i}".encode(), raw) for i, raw in enumerate(entries)]

    async def journal_since(self, position: bytes) -> list[tuple[bytes, bytes]]:
        return self.entries


async def test_replay_skips_entries_the_model_now_refuses(monkeypatch: pytest.MonkeyPatch,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    applied: list[WatchlistUpdate] = []

    async def apply_to(store: Any, version: Any, batch: Any, **kw: Any) -> list[bool]:
        applied.extend(batch)
        return [True] * len(batch)

    monkeypatch.setattr(updates, "_apply_to", apply_to)
    journal = Journal([entry("S1", "2026-01-02"), entry("S2", "1000-01-01"),
                       entry("S3", "2025-05-06T10:00:00Z")])
    n = await updates.replay_journal(journal, None, b"0-0")  # type: ignore[arg-type]
    assert n == 2
    assert [u.record.id for u in applied] == ["S1", "S3"]
    assert "journalled update skipped" in caplog.text
