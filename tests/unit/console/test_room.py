"""The operations room's rules without services: which alerts the feed keeps (every open
one), reason codes, what undoing a step leaves and tells the gate, what a search
matches, and the tail's decision line. Against the real Kafka and Redis:
tests/integration/test_console_room.py."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from screening.audit.digests import Digester
from screening.cli.alerts import format_decision
from screening.console.feed import Feed
from screening.console.search import Query, matches
from screening.procedure import (
    FINAL,
    REASONS,
    is_open,
    note_problem,
    reason_problem,
    undo_instruction,
    undo_target,
)
from screening.settings import Settings

ALERTS, DECISIONS = "u.screening.alerts", "u.screening.alert-decisions"
T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


def _alert(alert_id: str, at: datetime, checkpoint: str = "c") -> bytes:
    return orjson.dumps({
        "alert_id": alert_id, "event_id": f"e-{alert_id}", "raised_at": at.isoformat(),
        "priority": "critical", "checkpoint_id": checkpoint, "terminal_id": "t",
        "subject": {"surname": "ERIKSSON", "given_names": "ANNA"}, "record": {},
        "hit": {"list": "sltd", "record_id": "r", "score": 1.0,
                "matched_on": ["document_number"], "category": "stolen"}})


def _decision(alert_id: str, choice: str, at: datetime, **extra: Any) -> bytes:
    return orjson.dumps({"alert_id": alert_id, "decision": choice, "analyst": "ana",
                         "decided_at": at.isoformat(), "note": ""} | extra)


def _feed(max_alerts: int = 10) -> Feed:
    return Feed(Settings(topic_prefix="u."), lookback=10, max_alerts=max_alerts,
                clock=lambda: T0 + timedelta(days=1))


def test_open_alerts_are_never_dropped_and_decided_ones_are_counted_when_they_are() -> None:
    feed = _feed(max_alerts=10)
    feed.receive(ALERTS, _alert("open-old", T0, checkpoint="x"))
    for i in range(3000):
        at = T0 + timedelta(seconds=i + 1)
        feed.receive(ALERTS, _alert(f"d{i}", at, checkpoint="x" if i % 2 else "y"))
        feed.receive(DECISIONS, _decision(f"d{i}", "dismissed", at, reason="exercise"))
    # A decision read before its alert (the two topics are read side by side).
    feed.receive(DECISIONS, _decision("early", "acknowledged", T0))
    feed.receive(ALERTS, _alert("early", T0))
    snap = orjson.loads(feed.snapshot())
    ids = [a["alert_id"] for a in snap["alerts"]]
    assert "open-old" in ids and "early" in ids, "open alerts stay, however old"
    assert ids[:10] == [f"d{i}" for i in range(2999, 2989, -1)], "the newest decided"
    assert len(ids) == 12 and snap["open"] == 2
    assert snap["decided_left_out"] == 2990
    only_x = orjson.loads(feed.snapshot(lambda a: a["checkpoint_id"] == "x"))
    assert only_x["decided_left_out"] == 1495, "counted for what the page may see"
    assert feed.decision("early") is not None and feed.decision("early")["decision"] == (
        "acknowledged")


def test_a_final_step_undone_makes_the_alert_open_again() -> None:
    feed = _feed(max_alerts=10)
    feed.receive(ALERTS, _alert("a", T0))
    feed.receive(DECISIONS, _decision("a", "dismissed", T0, reason="exercise"))
    assert not feed.still_open("a")
    feed.receive(DECISIONS, _decision("a", "acknowledged", T0 + timedelta(seconds=2),
                                      undoes="dismissed"))
    assert feed.still_open("a")
    for i in range(20):  # decided alerts coming after it do not push it out
        feed.receive(ALERTS, _alert(f"d{i}", T0))
        feed.receive(DECISIONS, _decision(f"d{i}", "closed", T0))
    assert feed.alert("a") is not None


def test_memory_is_bounded_by_the_open_alerts() -> None:
    """The feed's memory with 500 open alerts grows with the decided ones up to
    max_alerts and no further: 2,000 decided more cost (almost) nothing."""
    def size(decided: int) -> int:
        tracemalloc.start()
        feed = _feed(max_alerts=100)
        for i in range(500):
            feed.receive(ALERTS, _alert(f"o{i}", T0))
        for i in range(decided):
            feed.receive(ALERTS, _alert(f"d{i}", T0))
            feed.receive(DECISIONS, _decision(f"d{i}", "closed", T0))
        current, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert feed.open_count() == 500
        return current
    base, more = size(1000), size(3000)
    assert more < base * 1.1, (base, more)


@pytest.mark.parametrize(("decision", "reason", "note", "wrong"), [
    ("dismissed", None, "", "a reason is needed"),
    ("dismissed", "owner_says_no_match", "", "not a reason for dismissed"),
    ("dismissed", "other", " ", "needs a note"),
    ("not_confirmed", None, "", "a reason is needed"),
    ("confirmed", "different_person", "", "a reason is given only for"),
])
def test_reasons_are_required_and_checked(decision: str, reason: str | None, note: str,
                                          wrong: str) -> None:
    problem = reason_problem(decision, reason, note)
    assert problem is not None and wrong in problem


def test_valid_reasons_pass() -> None:
    for decision, codes in REASONS.items():
        for code in codes:
            assert reason_problem(decision, code, "why") is None
    assert reason_problem("acknowledged", None, "") is None
    assert {"closed", "dismissed"} == FINAL and is_open("not_confirmed")


@pytest.mark.parametrize(("steps", "target"), [
    ([], None),
    (["acknowledged"], None),  # undoing it would leave the alert where it is
    (["dismissed"], "acknowledged"),  # no step back to raised: acknowledged allows as much
    (["acknowledged", "verification_requested"], "acknowledged"),
    (["acknowledged", "confirmed", "closed"], "confirmed"),
])
def test_undo_goes_back_one_step(steps: list[str], target: str | None) -> None:
    assert undo_target([{"decision": s} for s in steps]) == target


def test_an_undo_is_not_undone() -> None:
    steps = [{"decision": "dismissed"}, {"decision": "acknowledged", "undoes": "dismissed"}]
    assert undo_target(steps) is None


@pytest.mark.parametrize(("told", "undone", "sent"), [
    # The gate let the traveller go on a false match: hold and refer again, as first told.
    ("SEIZE_DOCUMENT", "dismissed", "SEIZE_DOCUMENT"),
    ("REFER_SECONDARY", "not_confirmed", "REFER_SECONDARY"),
    # A withdrawn confirmation: still a hit to verify, the hold stands.
    ("HOLD_VEHICLE", "confirmed", "HOLD_VEHICLE"),
    (None, "dismissed", "REFER_SECONDARY"),
    # Nothing was told, nothing to correct.
    ("REFER_SECONDARY", "acknowledged", None),
    ("DISCREET_CHECK", "dismissed", None),
])
def test_what_the_gate_is_told_when_a_step_is_undone(told: str | None, undone: str,
                                                      sent: str | None) -> None:
    assert undo_instruction(undone, {"instruction": told, "kind": "watchlist"}) == sent


def _shown(**extra: Any) -> dict[str, Any]:
    return {"alert_id": "a1", "event_id": "e1", "reference": "R-0A1B2C3D4E",
            "case_id": "case-1", "hit": {"record_id": "NTC-7", "matched_alias": "AL-MASRI"},
            "subject": {"surname": "Müller", "given_names": "Anna Maria",
                        "document_number": "******2C3"},
            "record": {"id": "NTC-7", "names": [{"surname": "Мюллер", "given_names": "Анна"}]},
            } | extra


@pytest.mark.parametrize(("q", "found"), [
    ("mueller", ["name"]), ("MULLER anna", ["name"]), ("maria", ["name"]),
    ("ntc-7", ["record"]), ("r-0a1b2c3d4e", ["reference"]), ("case-1", ["case"]),
    ("a1", ["alert"]), ("al-masri", ["name"]),
    ("mull", []), ("anna eriksson", []),
])
def test_search_matches_names_by_words_and_codes_whole(q: str, found: list[str]) -> None:
    assert matches(Query.read(q, None), _shown(), {}) == found


def test_search_compares_plates_vins_and_documents_whole_never_in_part() -> None:
    vehicles = {"subject": {"plate": "AB-123-CD", "vin": "WVWZZZ1JZXW000001"}, "record": {}}
    assert matches(Query.read("ab 123 cd", None), _shown(), vehicles) == ["plate"]
    assert matches(Query.read("wvwzzz1jzxw000001", None), _shown(), vehicles) == ["vin"]
    assert matches(Query.read("AB123", None), _shown(), vehicles) == []
    assert matches(Query.read("2C3", None), _shown(), vehicles) == [], "the masked tail"
    digester = Digester(b"unit-test-audit-key-0123456789")
    alert = _shown(document_key=digester.digest("document_number", "L898902C3"))
    assert matches(Query.read("l89 8902c3", digester), alert, {}) == ["document"]
    assert matches(Query.read("L898902C", digester), alert, {}) == []


def test_the_tail_says_why_who_seconded_and_what_was_undone() -> None:
    line = format_decision({"alert_id": "A-1", "decision": "confirmed", "analyst": "ana",
                            "second_analyst": "bo", "decided_at": "2026-11-29T07:40:00+00:00",
                            "role": "analyst"}, colour=False)
    assert "confirmed by=ana (analyst) second=bo at=" in line
    line = format_decision({"alert_id": "A-1", "decision": "dismissed", "analyst": "ana",
                            "reason": "different_person", "note": "Anna, born 1997",
                            "decided_at": "2026-11-29T07:40:00+00:00"}, colour=False)
    assert "dismissed by=ana reason=different_person" in line and "1997" not in line
    line = format_decision({"alert_id": "A-1", "decision": "acknowledged", "analyst": "ana",
                            "undoes": "dismissed", "decided_at": "2026-11-29T07:40:05+00:00"},
                           colour=False)
    assert "acknowledged by=ana undoes=dismissed" in line


def test_a_critical_dismissal_needs_a_note_and_others_do_not() -> None:
    assert note_problem("dismissed", {"priority": "critical"}, " ") == (
        "a note is needed to dismiss a critical alert")
    assert note_problem("dismissed", {"priority": "critical"}, "born 1997") is None
    assert note_problem("dismissed", {"priority": "high"}, "") is None
    assert note_problem("confirmed", {"priority": "critical"}, "") is None
