"""`screening screen`'s loop: with two batches in flight, one result a line, in input order."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest

from screening.cli import screen
from screening.settings import Settings


class _Redis:
    async def aclose(self) -> None:
        return None


def _scan(i: int) -> bytes:
    if i % 7 == 3:  # an invalid scan whose id can be read: rejected, in its place
        return orjson.dumps({"event_id": f"e{i}", "checkpoint_id": "cp", "terminal_id": "t"})
    if i % 11 == 5:
        return orjson.dumps({"event_id": f"e{i}", "checkpoint_id": "cp", "terminal_id": "t9",
                             "scanned_at": "2026-11-28T11:59:59Z",
                             "vehicle": {"plate": "B-AB 1234", "plate_country": "D"}})
    return orjson.dumps({"event_id": f"e{i}", "checkpoint_id": "cp", "terminal_id": "t",
                         "scanned_at": "2026-11-28T11:59:59Z",
                         "document": {"number": f"C{i:07d}", "issuing_state": "D"},
                         "holder": {"surname": "Muster", "given_names": "Erika"}})


@pytest.mark.parametrize("batch_size", [1, 7, 100, 5000])
async def test_results_in_input_order(monkeypatch: pytest.MonkeyPatch, memory_store: Any,
                                      batch_size: int) -> None:  # fmt: skip
    monkeypatch.setattr(screen, "make_redis", lambda settings: _Redis())
    monkeypatch.setattr(screen, "WatchlistStore", lambda redis, prefix: memory_store)
    lines = [_scan(i) for i in range(1000)] + [b"", b"not json"]
    out, err = io.BytesIO(), io.StringIO()
    missing = await screen.screen_stream(Settings(), io.BytesIO(b"\n".join(lines) + b"\n"), out,
                                         None, "auto", err=err, batch_size=batch_size)
    results = [orjson.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event_id"] for r in results] == [f"e{i}" for i in range(1000)]
    assert missing == 1 and "INVALID_JSON" in err.getvalue()
    assert {r["outcome"] for r in results} == {"clear", "hit", "rejected"}
    assert all(r["kind"] == "vehicle" for i, r in enumerate(results) if i % 11 == 5 and i % 7 != 3)
    assert all(r["watchlist_version"] == "v-test" for r in results if r["outcome"] != "rejected")
