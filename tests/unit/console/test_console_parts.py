"""The console's parts without Kafka or a browser: passwords and sessions, the four
languages, page rendering, what the feed keeps and masks."""

from __future__ import annotations

import asyncio
import html as html_lib
import re
from importlib import resources

import orjson
import pytest

from screening.console.auth import (
    InvalidUsers,
    Signer,
    hash_password,
    parse_users,
    verify_password,
)
from screening.console.feed import Event, Feed, Hub, mask_documents, read_alert
from screening.console.i18n import LANGUAGES, direction, negotiate, strings
from screening.console.pages import STATIC, audit_page, console_page, login_page
from screening.settings import Settings


def fast_hash(password: str) -> str:
    """Cheap parameters for tests: the cost travels with the hash, so verifying still works."""
    return hash_password(password, n=2**10, r=8, p=1)


def test_password_hash_verifies_only_the_password_and_never_holds_it() -> None:
    encoded = fast_hash("correct horse")
    assert "correct horse" not in encoded and encoded.startswith("scrypt$1024$8$1$")
    assert verify_password("correct horse", encoded)
    assert not verify_password("correct hors", encoded)
    assert not verify_password("correct horse", None)
    assert not verify_password("correct horse", "md5$abc")
    assert fast_hash("x") != fast_hash("x"), "salted"
    with pytest.raises(ValueError):
        hash_password("")


@pytest.mark.parametrize("spec, message", [
    ("alice", "expected name:scrypt"),
    ("al ice:scrypt$1$1$1$a$b", "expected name:scrypt"),
    ("alice:plaintext", "not a hash"),
    ("alice:scrypt$1$1$1$a$b,alice:scrypt$1$1$1$a$b", "listed twice"),
])
def test_bad_user_entries_are_refused_with_the_entry_named(spec: str, message: str) -> None:
    with pytest.raises(InvalidUsers, match=message):
        parse_users(spec)


def test_user_entries_parse_with_spaces_and_line_breaks() -> None:
    a, b = fast_hash("a"), fast_hash("b")
    users = parse_users(f" ana:{a} ,\nbo.b@x:{b},")
    assert {n: u.encoded for n, u in users.items()} == {"ana": a, "bo.b@x": b}
    assert parse_users("") == {}


def test_csrf_token_is_bound_to_its_cookie_and_key() -> None:
    signer = Signer(b"k" * 32)
    token = signer.csrf_token("cookie-1")
    assert signer.check_csrf("cookie-1", token)
    assert not signer.check_csrf("cookie-2", token)
    assert not signer.check_csrf(None, token)
    assert not signer.check_csrf("cookie-1", "")
    assert not Signer(b"x" * 32).check_csrf("cookie-1", token)
    bound = signer.csrf_token("cookie-1", "session-a")
    assert signer.check_csrf("cookie-1", bound, "session-a")
    assert not signer.check_csrf("cookie-1", bound, "session-b")
    assert not signer.check_csrf("cookie-1", token, "session-a"), "a signed-out pair"
    assert signer.unsign("csrf", signer.sign("session", b"{}")) is None, "purpose is bound"


def test_every_language_has_every_string_and_arabic_reads_right_to_left() -> None:
    keys = set(strings("en"))
    for lang in LANGUAGES:
        assert set(strings(lang)) == keys, lang
        assert all(v.strip() for v in strings(lang).values()), lang
        placeholders = {k: set(re.findall(r"\{\w+\}", v)) for k, v in strings(lang).items()}
        assert placeholders == {k: set(re.findall(r"\{\w+\}", v))
                                for k, v in strings("en").items()}, lang
    assert [direction(lang) for lang in LANGUAGES] == ["ltr", "ltr", "ltr", "rtl"]
    for colour in ("red", "yellow", "blue", "green", "orange", "purple", "black", "un"):
        assert f"action.{colour}" in keys and f"category.{colour}" in keys


@pytest.mark.parametrize("cookie, header, lang", [
    ("ar", "fr-FR,fr;q=0.9", "ar"),
    (None, "es-ES,es;q=0.9,en;q=0.5", "es"),
    (None, "de-DE,fr;q=0.3,ar;q=0.8", "ar"),
    ("xx", "de", "en"),
    (None, None, "en"),
    (None, "fr;q=0", "en"),
])
def test_language_is_the_cookie_then_the_browser_then_english(
        cookie: str | None, header: str | None, lang: str) -> None:
    assert negotiate(cookie, header) == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pages_render_every_placeholder_escaped(lang: str) -> None:
    hostile = '"><script>alert(1)</script>'
    for html in (console_page(lang, csrf=hostile, analyst=hostile, role="analyst"),
                 audit_page(lang, csrf=hostile, auditor=hostile)):
        assert "{{" not in html and "<script>alert" not in html
    html = console_page(lang, csrf=hostile, analyst=hostile, role="supervisor")
    assert html_lib.escape(strings(lang)["role.supervisor"]) in html
    assert f'<html lang="{lang}" dir="{direction(lang)}">' in html
    data = re.search(r'data-strings="([^"]*)"', html)
    assert data is not None
    assert orjson.loads(html_lib.unescape(data.group(1))) == strings(lang)
    login = login_page(lang, csrf="t", error_key="signin.failed")
    assert "{{" not in login and html_lib.escape(strings(lang)["signin.failed"]) in login


def test_scripts_never_write_html() -> None:
    for name in STATIC:
        text = resources.files("screening.console").joinpath("static", name).read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                     "eval(", "new Function"):
            assert sink not in text, f"{name} uses {sink}"


def test_document_numbers_are_masked_wherever_they_sit() -> None:
    value = {"document_number": "L898902C3", "surname": "ERIKSSON",
             "documents": [{"number": "X1234567", "issuing_state": "UTO"}],
             "mrz": "P<UTOERIKSSON<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159"}
    masked = mask_documents(value)
    assert masked["document_number"] == "******2C3"
    assert masked["documents"][0]["number"] == "*****567"
    assert masked["mrz"] == "***" and masked["surname"] == "ERIKSSON"
    assert mask_documents(masked) == masked, "masking a masked value changes nothing"


def _alert(alert_id: str, raised: str, **extra: object) -> bytes:
    return orjson.dumps({
        "alert_id": alert_id, "event_id": "e", "raised_at": raised, "priority": "high",
        "checkpoint_id": "c", "terminal_id": "t", "subject": {}, "record": {},
        "hit": {"list": "sltd", "record_id": "r", "score": 1.0, "matched_on": ["document_number"],
                "category": "stolen", "penalties": [{"reason": "x", "amount": 0.1, "new": 1}],
                "new_hit_field": True},
        **extra})


def test_newer_alerts_with_fields_this_version_does_not_know_still_show() -> None:
    alert = read_alert(_alert("a1", "2026-11-28T10:00:00+01:00", added_later={"x": 1}))
    assert alert.alert_id == "a1" and alert.model_dump()["hit"]["penalties"] == [
        {"reason": "x", "amount": 0.1}]


async def test_feed_keeps_newest_first_latest_decision_and_drops_garbage() -> None:
    feed = Feed(Settings(topic_prefix="u."), lookback=10, max_alerts=2)
    page = feed.hub.subscribe()
    feed.receive("u.screening.alerts", _alert("old", "2026-11-28T09:00:00+00:00"))
    feed.receive("u.screening.alerts", _alert("new", "2026-11-28T10:00:00+00:00"))
    feed.receive("u.screening.alerts", b"{not json")
    feed.receive("u.screening.alerts", b'{"alert_id": "x"}')
    feed.receive("u.screening.alerts", _alert("mid", "2026-11-28T09:30:00+00:00"))
    snap = orjson.loads(feed.snapshot())
    # Open alerts are all kept, whatever max_alerts (test_feed_retention.py for the rest).
    assert [a["alert_id"] for a in snap["alerts"]] == ["new", "mid", "old"], "newest first"

    def decision(when: str, choice: str) -> bytes:
        return orjson.dumps({"alert_id": "new", "decision": choice, "analyst": "ana",
                             "decided_at": when, "note": ""})
    feed.receive("u.screening.alert-decisions", decision("2026-11-28T10:05:00+00:00", "dismissed"))
    feed.receive("u.screening.alert-decisions", decision("2026-11-28T10:01:00+00:00", "confirmed"))
    kept = feed.decision("new")
    assert kept is not None and kept["decision"] == "dismissed", "an older one replayed late"
    names = [page.get_nowait().name for _ in range(page.qsize())]  # type: ignore[union-attr]
    assert names == ["alert", "alert", "alert", "decision"]


async def test_a_page_that_falls_behind_is_ended_not_silently_skipped() -> None:
    hub = Hub(queue_size=3)
    slow, fast = hub.subscribe(), hub.subscribe()
    for i in range(4):
        hub.publish(Event("alert", str(i).encode()))
        if not fast.empty():
            await asyncio.wait_for(fast.get(), 1)
    assert slow.get_nowait() is None, "told to reconnect and take a fresh snapshot"
    assert len(hub) == 1
    hub.close_all()
    assert fast.get_nowait() is None and len(hub) == 0


async def test_a_decision_dated_in_the_future_is_ignored_and_never_locks_its_alert() -> None:
    from datetime import UTC, datetime, timedelta

    from screening.console.feed import DECISION_MAX_AHEAD

    now = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    feed = Feed(Settings(topic_prefix="u."), lookback=10, max_alerts=10, clock=lambda: now)
    page = feed.hub.subscribe()
    feed.receive("u.screening.alerts", _alert("a1", "2026-12-06T11:59:00+00:00"))
    page.get_nowait()

    def decision(when: datetime, choice: str) -> bytes:
        return orjson.dumps({"alert_id": "a1", "decision": choice, "analyst": "mallory",
                             "decided_at": when.isoformat(), "note": ""})
    feed.receive("u.screening.alert-decisions",
                 decision(datetime(2199, 1, 1, tzinfo=UTC), "dismissed"))
    feed.receive("u.screening.alert-decisions",
                 decision(now + DECISION_MAX_AHEAD + timedelta(seconds=1), "dismissed"))
    assert feed.decision("a1") is None, "the alert stays open"
    assert page.empty(), "no page is shown a decision from the future"
    assert feed.future_decisions == 2
    assert "a1" not in orjson.loads(feed.snapshot())["decisions"]

    # Within the skew (a console whose clock runs a little ahead) is accepted...
    feed.receive("u.screening.alert-decisions",
                 decision(now + DECISION_MAX_AHEAD - timedelta(seconds=1), "confirmed"))
    kept = feed.decision("a1")
    assert kept is not None and kept["decision"] == "confirmed"
    # ...and one read after its time came is too (a console restarted later).
    later = Feed(Settings(topic_prefix="u."), lookback=10, max_alerts=10,
                 clock=lambda: datetime(2199, 1, 2, tzinfo=UTC))
    later.receive("u.screening.alert-decisions",
                  decision(datetime(2199, 1, 1, tzinfo=UTC), "dismissed"))
    assert later.decision("a1") is not None
