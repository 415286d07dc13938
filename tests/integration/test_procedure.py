"""The hit procedure end to end: a scan hits a stolen document, the analyst walks the
alert through the procedure on the console, and the confirmation reaches the gate's
instructions topic exactly once, within a second of the click, although the worker was
killed in between (the instruction is the console's, in the decision's transaction)."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from screening.security.clients import aiokafka_options
from screening.settings import Settings
from tests.support.console import SUPERVISOR
from tests.support.console_pages import next_event
from tests.support.pipeline import load_lists
from tests.support.services import collect, create_topics
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration


def stolen_document(paths: list[Path]) -> dict[str, Any]:
    """A listed document that asks the gate to seize it (no expiry, no softer action)."""
    sltd = next(p for p in paths if p.name.startswith("sltd"))
    for line in sltd.read_text().splitlines():
        record = orjson.loads(line)
        if record.get("action") in (None, "seize") and not record.get("valid_until"):
            return record
    raise AssertionError("no seizable document in the generated list")


def traveller(record: dict[str, Any]) -> bytes:
    return orjson.dumps({
        "event_id": uuid.uuid4().hex, "checkpoint_id": "gate-proc", "terminal_id": "t-proc",
        "scanned_at": datetime.now(UTC).isoformat(),
        "document": {"number": record["document_number"],
                     "issuing_state": record["issuing_state"], "type": "P"},
        "holder": {"surname": "TESTER", "given_names": "PAT"}})


async def instructions_reader(settings: Settings) -> AIOKafkaConsumer:
    """The gate's reader of its instructions, as a terminal reads them: committed only."""
    reader = AIOKafkaConsumer(settings.topic(settings.topic_instructions),
                              **aiokafka_options(settings), auto_offset_reset="earliest",
                              group_id=f"admin.gate-{uuid.uuid4().hex[:8]}",
                              isolation_level="read_committed")
    await reader.start()
    return reader


async def read_for(reader: AIOKafkaConsumer, seconds: float) -> list[tuple[float, Any]]:
    """(time received, message) of what arrives within `seconds`."""
    got: list[tuple[float, Any]] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        batch = await reader.getmany(timeout_ms=100)
        got.extend((time.monotonic(), m) for msgs in batch.values() for m in msgs)
    return got


@dataclass
class Room:
    """A worker on the run's lists, a console with an analyst signed in and watching, and
    one scan of a listed document answered: where each test of the procedure starts."""

    record: dict[str, Any]
    worker: Any
    page: Any
    stream: Any
    result: dict[str, Any]
    alert: dict[str, Any]


async def a_hit(settings: Settings, worker_factory: Any, tmp_path: Path, console: Any,
                pages: Any, **scan: Any) -> Room:
    await create_topics(settings)
    record = stolen_document(load_lists(settings, tmp_path / "lists", sltd=300, notices=20,
                                        smv=20, event=20))
    worker = worker_factory(settings)
    worker.wait_ready()
    page = pages(await console())
    assert await page.sign_in() == 303
    stream = page.events()
    await next_event(stream, "snapshot")
    async with Terminal(settings, "t-proc") as gate:
        result = await gate.answer(orjson.dumps(orjson.loads(traveller(record)) | scan))
    assert result["outcome"] == "hit", worker.log_tail()
    alert = await next_event(stream, "alert", lambda a: a["event_id"] == result["event_id"])
    return Room(record, worker, page, stream, result, alert)


async def test_a_confirmation_reaches_the_gate_once_within_a_second_with_the_worker_gone(
        settings: Settings, worker_factory: Any, tmp_path: Path, console: Any,
        pages: Any) -> None:
    room = await a_hit(settings, worker_factory, tmp_path, console, pages)
    record, worker, page, stream = room.record, room.worker, room.page, room.stream
    result, alert = room.result, room.alert
    told = result["instruction"]
    assert told == "SEIZE_DOCUMENT"
    assert (alert["instruction"], alert["reference"]) == (told, result["reference"])

    worker.stop(sig=9)  # between the hit and the click: nothing of the worker is needed
    reader = await instructions_reader(settings)
    try:
        assert await read_for(reader, 1.0) == [], "nothing before the decision"
        for step in ("acknowledged", "verification_requested"):
            status, body = await page.decide(alert["alert_id"], step)
            assert (status, body["instruction"]) == (202, None), body
        clicked = time.monotonic()
        status, body = await page.decide(alert["alert_id"], "confirmed", "owner: confirmed")
        assert (status, body["instruction"]) == (202, told), body
        # Clicked again, or by a second analyst on another console: refused, not resent.
        assert (await page.decide(alert["alert_id"], "confirmed"))[0] == 409
        other = pages(await console())
        assert await other.sign_in(SUPERVISOR) == 303
        assert (await other.decide(alert["alert_id"], "dismissed"))[0] == 409

        got = await read_for(reader, 3.0)
        assert len(got) == 1, [m.value for _, m in got]
        received, message = got[0]
        assert received - clicked < 1.0, f"took {received - clicked:.3f} s"
        sent = orjson.loads(message.value)
        assert message.key == b"t-proc"
        assert {k: sent[k] for k in ("event_id", "alert_id", "terminal_id", "instruction",
                                     "by", "reference")} == {
            "event_id": result["event_id"], "alert_id": alert["alert_id"],
            "terminal_id": "t-proc", "instruction": told, "by": "analyst",
            "reference": result["reference"]}
        assert record["document_number"] not in message.value.decode()
    finally:
        await reader.stop()

    # The timeline: every step, in order, attributable, on every console.
    shown = []
    while len(shown) < 3:
        shown.append(await next_event(stream, "decision",
                                      lambda d: d["alert_id"] == alert["alert_id"]))
    assert [(d["decision"], d["role"]) for d in shown] == [
        ("acknowledged", "analyst"), ("verification_requested", "analyst"),
        ("confirmed", "analyst")]
    status, opened = await page.post(f"/api/alerts/{alert['alert_id']}/view")
    assert status == 200
    assert [d["decision"] for d in opened["decisions"]] == [
        "acknowledged", "verification_requested", "confirmed"]


async def test_a_dismissed_referral_lets_the_traveller_go(
        settings: Settings, worker_factory: Any, tmp_path: Path, console: Any,
        pages: Any) -> None:
    room = await a_hit(settings, worker_factory, tmp_path, console, pages)
    page, alert = room.page, room.alert
    reader = await instructions_reader(settings)
    try:
        assert (await page.decide(alert["alert_id"], "dismissed", "namesake",
                                  reason="different_person"))[0] == 202
        got = await read_for(reader, 2.0)
        assert [orjson.loads(m.value)["instruction"] for _, m in got] == ["PROCEED"]
        assert (await page.decide(alert["alert_id"], "closed"))[0] == 409, "dismissed is final"
    finally:
        await reader.stop()


async def test_a_drill_is_marked_at_every_step_and_kept_out_of_the_real_statistics(
        settings: Settings, worker_factory: Any, tmp_path: Path, console: Any,
        pages: Any) -> None:
    room = await a_hit(settings, worker_factory, tmp_path, console, pages, exercise=True)
    worker, page, result, alert = room.worker, room.page, room.result, room.alert
    assert (result["outcome"], result["exercise"]) == ("hit", True)
    assert alert["exercise"] is True
    reader = await instructions_reader(settings)
    try:
        assert (await page.decide(alert["alert_id"], "confirmed"))[0] == 202
        [(_, message)] = await read_for(reader, 2.0)
    finally:
        await reader.stop()
    sent = orjson.loads(message.value)
    assert sent["exercise"] is True and sent["text"].startswith("EXERCISE: ")
    metrics = worker.metrics()
    assert 'screening_exercise_scans_total{kind="traveller",outcome="hit"} 1.0' in metrics
    assert 'screening_scans_total{kind="traveller",outcome="hit"}' not in metrics
    audit = await collect(settings, settings.topic_audit, until=1, timeout=10)
    searches = [orjson.loads(m.value) for m in audit]
    assert [s.get("exercise") for s in searches if s["action"] == "search"] == [True]
