"""The update applier applies only what a trusted feed key signed: the rest is dead-lettered
with its reason, counted, and raised to analysts as a `high` integrity alert that carries
no personal data of the record."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from screening.agents import updates as agent
from screening.agents.updates import UpdateApplier
from screening.metrics import Metrics
from screening.settings import Settings
from tests.support.feed import signed, signed_dict, stranger_key
from tests.support.updates import Producer, message

RECORD = {"list": "notice", "id": "N-RED", "colour": "red",
          "names": [{"surname": "ERIKSSON", "given_names": "ANNA MARIA"}],
          "date_of_birth": "1974-08-12", "documents": [{"number": "X1234567",
                                                        "issuing_state": "UTO"}]}


def _update(op: str = "delete", update_id: str = "u1", ahead_s: float = 0.0) -> dict[str, Any]:
    when = datetime.fromtimestamp(time.time() + ahead_s, UTC).isoformat()
    record = RECORD if op == "upsert" else {"list": "notice", "id": "N-RED"}
    return {"update_id": update_id, "op": op, "issued_at": when, "record": record}


@pytest.fixture
def applied(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    out: list[Any] = []

    async def fake_apply(store: Any, good: list[Any], **kw: Any) -> list[Any]:
        out.extend(good)
        return []

    monkeypatch.setattr(agent, "apply_updates", fake_apply)
    return out


def _tampered() -> bytes:
    body = signed_dict(_update(update_id="u-tampered"))
    body["record"]["id"] = "N-OTHER"
    return orjson.dumps(body)


async def test_only_signed_updates_are_applied_the_rest_refused(applied: list[Any]) -> None:
    metrics = Metrics.create()
    applier = UpdateApplier(Settings(), metrics)
    producer = Producer()
    messages = [
        message(signed(_update(update_id="u-good")), 1),
        message(orjson.dumps(_update(update_id="u-unsigned")), 2),
        message(signed(_update(update_id="u-stranger"), stranger_key()), 3),
        message(_tampered(), 4),
        message(signed(_update("upsert", update_id="u-ahead", ahead_s=120)), 5),
        message(signed(_update(update_id="u-soon", ahead_s=30)), 6),
    ]
    await applier._handle(None, producer, messages)  # type: ignore[arg-type]
    assert [u.update_id for u in applied] == ["u-good", "u-soon"]
    letters = {d.offset: d.reason for d in producer.letters()}
    assert {o: r.code for o, r in letters.items()} == {
        2: "UNSIGNED_UPDATE", 3: "BAD_SIGNATURE", 4: "BAD_SIGNATURE", 5: "INVALID_UPDATE"}
    assert "not a trusted feed key" in letters[3].message
    assert "does not match" in letters[4].message
    assert "60 s ahead" in letters[5].message

    alerts = producer.alerts()
    assert [(a.priority, a.kind, a.hit.category) for a in alerts] == [
        ("high", "integrity", "UNSIGNED_UPDATE"), ("high", "integrity", "BAD_SIGNATURE"),
        ("high", "integrity", "BAD_SIGNATURE"), ("high", "integrity", "ISSUED_AHEAD")]
    assert [a.record["id"] for a in alerts] == ["N-RED", "N-RED", "N-OTHER", "N-RED"]
    assert alerts[0].event_id == "u-unsigned"
    assert alerts[0].subject == {"topic": "watchlist.updates", "partition": 0, "offset": 2}
    for a in alerts:  # nothing personal of the record, even of the upsert dated ahead
        text = a.model_dump_json()
        assert "ERIKSSON" not in text and "X1234567" not in text and "1974" not in text
    keyed = [k for (t, _), k in zip(producer.sent, producer.keys, strict=True)
             if t.endswith("alerts")]
    assert keyed == [a.alert_id.encode() for a in alerts]

    refused = {s.labels["reason"]: s.value for s in metrics.updates_refused.collect()[0].samples
               if s.name.endswith("_total")}
    assert refused == {"UNSIGNED_UPDATE": 1, "BAD_SIGNATURE": 2, "ISSUED_AHEAD": 1}


async def test_a_redelivered_refusal_raises_the_same_alert_id(applied: list[Any]) -> None:
    producer = Producer()
    applier = UpdateApplier(Settings(), Metrics.create())
    raw = orjson.dumps(_update())
    await applier._handle(None, producer, [message(raw, 7)])  # type: ignore[arg-type]
    await applier._handle(None, producer, [message(raw, 7)])  # type: ignore[arg-type]
    await applier._handle(None, producer, [message(raw, 8)])  # type: ignore[arg-type]
    ids = [a.alert_id for a in producer.alerts()]
    assert ids[0] == ids[1] != ids[2]


async def test_without_trusted_keys_every_update_is_refused_and_said_once(
        applied: list[Any], monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv("SCREENING_FEED_KEYS")
    caplog.set_level(logging.INFO, logger="screening.agents.updates")
    applier = UpdateApplier(Settings(), Metrics.create())
    producer = Producer()
    for offset in range(3):
        await applier._handle(None, producer, [  # type: ignore[arg-type]
            message(signed(_update(update_id=f"u{offset}")), offset)])
    assert applied == []
    assert [d.reason.code for d in producer.letters()] == ["BAD_SIGNATURE"] * 3
    said = [r for r in caplog.records if "no trusted feed keys" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.ERROR


async def test_an_unreadable_keys_file_fails_closed(applied: list[Any], tmp_path: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    bad = tmp_path / "keys.jsonl"
    bad.write_text('{"public_key": "????"}\n')
    caplog.set_level(logging.INFO, logger="screening.agents.updates")
    applier = UpdateApplier(Settings(feed_keys=None, feed_keys_file=str(bad)), Metrics.create())
    await applier._handle(None, Producer(), [  # type: ignore[arg-type]
        message(signed(_update()), 1)])
    assert applied == []
    assert any("no trusted feed keys" in r.getMessage() for r in caplog.records)
