"""Incident mode without a broker: which changes a worker applies, and what a profile
does to a batch's alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from screening.metrics import Metrics
from screening.models import Alert, Correlation, Hit
from screening.modes.control import ModeState, make_change
from screening.modes.follow import ModeFollower, mode_audit
from screening.modes.profiles import PROFILES, apply_profile
from screening.settings import Settings
from screening.watchlists import signing
from tests.support.modes import control_settings

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def settings(**kw: object) -> Settings:
    return Settings(**control_settings(), **kw)  # type: ignore[arg-type]


def alert(lst: str, category: str, priority: str = "medium",
          code: str | None = None) -> Alert:
    return Alert(alert_id="a", event_id="e", raised_at=NOW, priority=priority,  # type: ignore[arg-type]
                 checkpoint_id="cp", terminal_id="t",
                 hit=Hit(list=lst, record_id="r", score=1.0, matched_on=[], category=category),
                 subject={}, record={}, kind="correlation" if code else "watchlist",
                 correlation=Correlation(code=code, event_ids=["x", "e"],  # type: ignore[arg-type]
                                         checkpoints=["a", "b"], explanation="")
                 if code else None)


def follower() -> tuple[ModeFollower, Metrics]:
    metrics = Metrics.create()
    return ModeFollower(settings(), ModeState(), metrics), metrics


def test_a_signed_change_is_applied_and_shown_in_the_metrics() -> None:
    f, metrics = follower()
    assert f.state.profile is None
    change = f.handle(make_change("incident", "dvi", "sup1", settings(), NOW), NOW)
    assert change is not None and change.profile == "dvi"
    assert f.state.profile is PROFILES["dvi"]
    assert metrics.mode.labels("incident", "dvi")._value.get() == 1
    later = NOW + timedelta(minutes=1)
    assert f.handle(make_change("normal", None, "sup1", settings(), later), later) is not None
    assert f.state.profile is None
    assert metrics.mode.labels("normal", "")._value.get() == 1


@pytest.mark.parametrize(("raw", "code"), [
    (orjson.dumps({"mode": "incident", "profile": "dvi", "issued_at": NOW.isoformat(),
                   "by": "x"}), "UNSIGNED_UPDATE"),
    (orjson.dumps(signing.sign_update({"mode": "incident", "profile": "dvi",
                                       "issued_at": NOW.isoformat(), "by": "x"},
                                      signing.new_key())), "BAD_SIGNATURE"),
    (b"{not json", "INVALID_MODE"),
])
def test_an_unsigned_or_stranger_signed_change_is_refused(raw: bytes, code: str) -> None:
    f, metrics = follower()
    assert f.handle(raw, NOW) is None
    assert f.state.profile is None
    assert metrics.mode_changes.labels("refused", code)._value.get() == 1


def test_an_old_change_sent_again_does_not_switch_back() -> None:
    f, metrics = follower()
    old = make_change("incident", "crime", "sup1", settings(), NOW)
    f.handle(old, NOW)
    later = NOW + timedelta(minutes=5)
    assert f.handle(make_change("normal", None, "sup1", settings(), later), later)
    assert f.handle(old, later) is None  # a replay of the signed incident switch
    assert f.state.change.mode == "normal"
    assert metrics.mode_changes.labels("refused", "STALE_MODE")._value.get() == 1


def test_a_change_dated_ahead_or_of_an_unknown_profile_is_refused() -> None:
    f, _ = follower()
    assert f.handle(make_change("incident", "dvi", "s", settings(),
                                NOW + timedelta(hours=1)), NOW) is None
    body = signing.sign_update({"mode": "incident", "profile": "party",
                                "issued_at": NOW.isoformat(), "by": "s"},
                               signing.load_signing_key(None, control_settings()[
                                   "control_signing_key"]))
    assert f.handle(orjson.dumps(body), NOW) is None
    assert f.state.change.mode == "normal"


def test_profiles_change_priorities() -> None:
    batch = [alert("notice", "yellow", "high"), alert("notice", "black"),
             alert("notice", "blue"), alert("event", "missing_person", "high"),
             alert("event", "national_lookout", "high"),
             alert("sltd", "GATE_SHOPPING", "high", code="GATE_SHOPPING")]
    assert [a.priority for a in apply_profile(None, batch)] == [
        "high", "medium", "medium", "high", "high", "high"]
    assert [a.priority for a in apply_profile(PROFILES["dvi"], batch)] == [
        "critical", "critical", "medium", "critical", "high", "high"]
    assert [a.priority for a in apply_profile(PROFILES["crime"], batch)] == [
        "high", "medium", "medium", "high", "critical", "critical"]


def test_every_worker_audits_a_change_under_one_id() -> None:
    f, _ = follower()
    change = f.handle(make_change("incident", "dvi", "sup1", settings(), NOW), NOW)
    assert change is not None
    one, two = (mode_audit(settings(), change, "applied") for _ in range(2))
    assert one.audit_id == two.audit_id and one.action == "mode_changed"
    assert mode_audit(settings(), change, "refused").audit_id != one.audit_id


def test_the_console_shows_the_mode_to_every_page() -> None:
    from screening.console.feed import Feed

    feed = Feed(settings(), lookback=0, max_alerts=10)
    page = feed.hub.subscribe()
    assert orjson.loads(feed.snapshot())["mode"]["mode"] == "normal"
    feed.mode_follower().handle(make_change("incident", "dvi", "sup1", settings(), NOW), NOW)
    event = page.get_nowait()
    assert event is not None and event.name == "mode" and event.everyone
    assert orjson.loads(event.data) == {"mode": "incident", "profile": "dvi", "by": "sup1",
                                        "since_ms": int(NOW.timestamp() * 1000)}
    assert orjson.loads(feed.snapshot())["mode"]["profile"] == "dvi"


def test_the_banner_is_in_the_four_languages() -> None:
    from screening.console.i18n import LANGUAGES, strings

    for lang in LANGUAGES:
        s = strings(lang)
        assert "{profile}" in s["mode.incident"] and "{by}" in s["mode.since"], lang
        assert all(f"mode.profile.{p}" in s for p in PROFILES), lang
