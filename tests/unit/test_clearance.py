"""Namesake clearances applied to a result (screening/clearance.py), and what counts as
one in force."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson

from screening.clearance import alert_field, apply, clearable, still_valid
from screening.models import Alert, CheckResult, Hit

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def hit(list_: str, record: str, on: list[str]) -> Hit:
    return Hit(list=list_, record_id=record, score=0.95, matched_on=on, category="red")


def alert(h: Hit, key: str | None = "subject:abc") -> Alert:
    return Alert(alert_id=f"a-{h.record_id}", event_id="e1", raised_at=NOW, priority="critical",
                 checkpoint_id="cp", terminal_id="t", hit=h, subject={}, record={},
                 instruction="REFER_SECONDARY", subject_key=key)


def result(*hits: Hit) -> CheckResult:
    return CheckResult(event_id="e1", checkpoint_id="cp", terminal_id="t", kind="traveller",
                       outcome="hit", hits=list(hits), decided_at=NOW, watchlist_version="v",
                       instruction="REFER_SECONDARY")


NAME = hit("notice", "N1", ["name", "date_of_birth"])
OTHER = hit("notice", "N2", ["name"])
DOC = hit("sltd", "S1", ["document_number"])


def test_only_a_travellers_name_match_can_be_cleared() -> None:
    assert clearable(alert(NAME))
    assert not clearable(alert(DOC)), "a listed document is no namesake"
    assert not clearable(alert(hit("notice", "N3", ["document_number", "name"])))
    assert not clearable(alert(NAME, key=None))


def test_a_cleared_hit_leaves_the_gate_and_reminds_the_analysts() -> None:
    until = NOW + timedelta(hours=4)
    out, alerts = apply(result(NAME), [alert(NAME)], {alert_field(alert(NAME)): until})
    assert (out.outcome, out.instruction, out.hits) == ("clear", "PROCEED", [])
    [reminder] = alerts
    assert (reminder.priority, reminder.cleared_until, reminder.instruction) == (
        "low", until, "PROCEED")


def test_other_hits_keep_the_referral() -> None:
    until = NOW + timedelta(hours=4)
    out, alerts = apply(result(NAME, OTHER), [alert(NAME), alert(OTHER)],
                        {alert_field(alert(NAME)): until})
    assert (out.outcome, out.instruction) == ("hit", "REFER_SECONDARY")
    assert [h.record_id for h in out.hits] == ["N2"]
    assert [a.priority for a in alerts] == ["low", "critical"]
    same, kept = apply(result(NAME), [alert(NAME)], {})
    assert same == result(NAME) and kept == [alert(NAME)]


def test_a_clearance_holds_until_its_end_and_unreadable_ones_never() -> None:
    entry = orjson.dumps({"until": (NOW + timedelta(seconds=1)).isoformat()})
    assert still_valid(entry, NOW) == NOW + timedelta(seconds=1)
    assert still_valid(entry, NOW + timedelta(seconds=1)) is None
    assert still_valid(b"{not json", NOW) is None and still_valid(None, NOW) is None
    assert still_valid(orjson.dumps({"until": "soon"}), NOW) is None


def test_clearing_never_turns_an_unconsulted_list_into_a_proceed() -> None:
    until = NOW + timedelta(hours=4)
    cleared = {alert_field(alert(NAME)): until}
    down = result(NAME).model_copy(update={"warnings": ["LIST_UNAVAILABLE"]})
    out, _ = apply(down, [alert(NAME)], cleared)
    assert (out.outcome, out.instruction) == ("unverified", "REFER_SECONDARY")
    # An alert the gate never heard of (not among the result's hits) changes nothing there.
    unverified = result().model_copy(update={"outcome": "unverified",
                                             "warnings": ["LIST_UNAVAILABLE"]})
    out, alerts = apply(unverified, [alert(NAME)], cleared)
    assert out == unverified and alerts[0].priority == "low"
