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


@pytest.mark.parametrize(("extra", "kind", "outcome", "code"), [
    ({}, "vehicle", "hit", None),  # the plate is on the test store's list
    ({"document": {"number": "C0000001", "issuing_state": "D"}}, "traveller", "rejected",
     "AMBIGUOUS_KIND"),
    ({"holder": {"surname": "Muster"}}, "traveller", "rejected", "AMBIGUOUS_KIND"),
    ({"document": None, "holder": None}, "vehicle", "hit", None),
])
async def test_a_line_with_a_vehicle_and_a_document_is_neither(
        monkeypatch: pytest.MonkeyPatch, memory_store: Any, extra: dict[str, Any], kind: str,
        outcome: str, code: str | None) -> None:
    """Screened as a vehicle, its document would go unchecked (and the reverse): such a
    line is refused with a reason, with its ids, in its place."""
    monkeypatch.setattr(screen, "make_redis", lambda settings: _Redis())
    monkeypatch.setattr(screen, "WatchlistStore", lambda redis, prefix: memory_store)
    line = orjson.dumps({"event_id": "both", "checkpoint_id": "cp", "terminal_id": "t9",
                         "scanned_at": "2026-11-28T11:59:59Z",
                         "vehicle": {"plate": "B-AB 1234", "plate_country": "D"}, **extra})
    out, err = io.BytesIO(), io.StringIO()
    await screen.screen_stream(Settings(), io.BytesIO(_scan(1) + b"\n" + line + b"\n"), out,
                               None, "auto", err=err)
    first, result = [orjson.loads(x) for x in out.getvalue().splitlines()]
    assert first["event_id"] == "e1"
    assert (result["event_id"], result["terminal_id"]) == ("both", "t9")
    assert (result["kind"], result["outcome"]) == (kind, outcome)
    assert (code in result["warnings"]) if code else "AMBIGUOUS_KIND" not in result["warnings"]


async def test_a_traveller_with_a_null_vehicle_is_a_traveller(
        monkeypatch: pytest.MonkeyPatch, memory_store: Any) -> None:
    monkeypatch.setattr(screen, "make_redis", lambda settings: _Redis())
    monkeypatch.setattr(screen, "WatchlistStore", lambda redis, prefix: memory_store)
    line = orjson.dumps({**orjson.loads(_scan(1)), "vehicle": None})
    out = io.BytesIO()
    await screen.screen_stream(Settings(), io.BytesIO(line + b"\n"), out, None, "auto",
                               err=io.StringIO())
    result = orjson.loads(out.getvalue())
    assert (result["kind"], result["outcome"]) == ("traveller", "clear")


async def test_a_vehicle_after_a_byte_order_mark_is_a_vehicle(
        monkeypatch: pytest.MonkeyPatch, memory_store: Any) -> None:
    """Files saved by Windows tools start with a BOM: the first line keeps its kind."""
    monkeypatch.setattr(screen, "make_redis", lambda settings: _Redis())
    monkeypatch.setattr(screen, "WatchlistStore", lambda redis, prefix: memory_store)
    out = io.BytesIO()
    await screen.screen_stream(Settings(), io.BytesIO(b"\xef\xbb\xbf" + _scan(5) + b"\n"), out,
                               None, "auto", err=io.StringIO())
    result = orjson.loads(out.getvalue())
    assert (result["event_id"], result["kind"], result["outcome"]) == ("e5", "vehicle", "hit")


@pytest.mark.parametrize(("line", "kind"), [
    (_scan(5)[:-1], "vehicle"),  # cut short: rejected, answered as the vehicle it seems
    (_scan(1)[:-1], "traveller"),
    (_scan(5)[:-1] + b',"holder":{"surname":"X"', "traveller"),
])
async def test_a_line_cut_short_is_answered_as_the_kind_it_seems(
        monkeypatch: pytest.MonkeyPatch, memory_store: Any, line: bytes, kind: str) -> None:
    monkeypatch.setattr(screen, "make_redis", lambda settings: _Redis())
    monkeypatch.setattr(screen, "WatchlistStore", lambda redis, prefix: memory_store)
    out = io.BytesIO()
    missing = await screen.screen_stream(Settings(), io.BytesIO(line + b"\n"), out, None,
                                         "auto", err=io.StringIO())
    result = orjson.loads(out.getvalue())
    assert missing == 0
    assert (result["kind"], result["outcome"]) == (kind, "rejected")
    assert "INVALID_JSON" in result["warnings"]
