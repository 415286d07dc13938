"""The pass-through's answers: each scan's ids back, never a screening outcome."""

from __future__ import annotations

import orjson

from screening_bench.passthrough import answer


def test_an_answer_carries_the_scans_ids_and_says_it_was_not_screened() -> None:
    scan = {"event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t7", "document": {}}
    key, value = answer(orjson.dumps(scan), "traveller", "2026-12-05T10:00:00+00:00")
    result = orjson.loads(value)
    assert key == b"t7"
    assert {k: result[k] for k in ("event_id", "checkpoint_id", "terminal_id", "kind")} == {
        "event_id": "e1", "checkpoint_id": "cp", "terminal_id": "t7", "kind": "traveller"}
    assert result["outcome"] == "unverified" and result["hits"] == []


def test_what_is_no_scan_still_gets_an_answer_without_ids() -> None:
    for raw in (b"{broken", b"[1]", None):
        key, value = answer(raw, "vehicle", "now")
        assert key is None and orjson.loads(value)["event_id"] is None
