"""Alert `kind` is contract v2's alert kind; the scan's kind, which alerts carried in
`kind` before, is `scan_kind`, and such older alerts stay readable."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from screening.console.feed import read_alert
from screening.models import Alert
from screening.watchlists.updates import integrity_alert

BASE = {"alert_id": "a1", "event_id": "e1", "raised_at": "2026-11-28T10:00:00Z",
        "priority": "critical", "checkpoint_id": "cp", "terminal_id": "t",
        "hit": {"list": "sltd", "record_id": "S1", "score": 1.0, "matched_on": ["document_number"],
                "category": "stolen"}, "subject": {}, "record": {}}


def test_an_alert_is_a_watchlist_alert_unless_it_says_otherwise() -> None:
    assert Alert.model_validate(BASE).kind == "watchlist"


def test_an_alert_written_before_v2_keeps_its_scan_kind() -> None:
    old = read_alert(orjson.dumps({**BASE, "kind": "vehicle"}))
    assert (old.kind, old.scan_kind) == ("watchlist", "vehicle")


def test_an_integrity_alert_reads_back_as_written() -> None:
    raw = orjson.dumps({"update_id": "u1", "op": "delete", "issued_at": "2026-11-28T10:00:00Z",
                        "record": {"list": "notice", "id": "N\\n1"}})
    alert = integrity_alert(raw, "UNSIGNED_UPDATE", "the update is not signed",
                            datetime(2026, 11, 28, tzinfo=UTC), topic="watchlist.updates",
                            partition=1, offset=4)
    back = read_alert(alert.model_dump_json().encode())
    assert (back.kind, back.priority, back.hit.category) == ("integrity", "high",
                                                            "UNSIGNED_UPDATE")
    assert back.record["id"] is None  # an id that is not a plain code is not repeated
    assert back.record["list"] == "notice" and back.event_id == "u1"
