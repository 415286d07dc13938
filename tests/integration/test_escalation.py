"""Escalation of critical alerts nobody acted on: the timers in the real Redis (claims,
leases, two workers), and end to end through a real worker that is killed and restarted
while an alert's minute runs (the default 60 s, as deployed)."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from screening.escalation import LEASE_MS, Escalations
from screening.models import Alert
from screening.security.clients import aiokafka_options
from screening.settings import Settings
from tests.support.console import make_alert, publish
from tests.support.pipeline import load_lists
from tests.support.services import create_topics
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration

T0 = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def alert(priority: str = "critical", **extra: Any) -> Alert:
    return Alert.model_validate(make_alert(priority=priority) | {"raised_at": T0.isoformat()}
                                | extra)


async def test_a_timer_fires_once_at_its_minute_and_a_step_stops_it(
        settings: Settings, redis_client: Any) -> None:
    timers = Escalations(redis_client, settings.redis_prefix, after_s=60)
    other = Escalations(redis_client, settings.redis_prefix, after_s=60)  # another worker
    late, seen, low = alert(), alert(), alert(priority="high")
    assert await timers.watch([late, seen, low]) == 2, "only critical alerts escalate"
    assert await timers.watch([late]) == 1 and await timers.pending() == 2, "watched once"

    assert await timers.claim(T0 + timedelta(seconds=59.9)) == []
    await timers.settle([seen.alert_id])  # acknowledged at 59 s
    got = await asyncio.gather(timers.claim(T0 + timedelta(seconds=60)),
                               other.claim(T0 + timedelta(seconds=60)))
    fired = [a for batch in got for a in batch]
    assert [a.alert_id for a in fired] == [late.alert_id], "one worker claims it, once"
    assert fired[0].escalated_at == T0 + timedelta(seconds=60)
    assert fired[0].model_copy(update={"escalated_at": None}) == late

    # Claimed but never settled (its worker died before publishing): the next tick after
    # the lease takes it again, marked identically.
    assert await other.claim(T0 + timedelta(seconds=61)) == []
    again = await other.claim(T0 + timedelta(seconds=60, milliseconds=LEASE_MS + 1))
    assert [(a.alert_id, a.escalated_at) for a in again] == [
        (late.alert_id, T0 + timedelta(seconds=60))]
    await other.settle([late.alert_id])
    assert await timers.claim(T0 + timedelta(hours=1)) == []
    assert await timers.pending() == 0


def arrest_notice(paths: list[Path], skip: int) -> dict[str, Any]:
    """A notice that asks for an arrest (a critical alert), dated and open-ended."""
    notices = next(p for p in paths if p.name.startswith("notice"))
    found = [n for n in map(orjson.loads, notices.read_text().splitlines())
             if n.get("action") == "arrest" and len(n.get("date_of_birth") or "") == 10
             and not n.get("valid_until") and n.get("documents")]
    return found[skip]


def scan_of(notice: dict[str, Any]) -> bytes:
    name, doc = notice["names"][0], notice["documents"][0]
    return orjson.dumps({
        "event_id": uuid.uuid4().hex, "checkpoint_id": "gate-esc", "terminal_id": "t-esc",
        "scanned_at": datetime.now(UTC).isoformat(),
        "document": {"number": doc["number"], "issuing_state": doc["issuing_state"],
                     "type": "P"},
        "holder": {"surname": name["surname"], "given_names": name["given_names"],
                   "date_of_birth": notice["date_of_birth"],
                   "nationality": notice["nationalities"][0]}})


async def test_an_unacknowledged_critical_alert_escalates_at_60s_across_a_worker_restart(
        settings: Settings, worker_factory: Any, tmp_path: Path) -> None:
    await create_topics(settings)
    paths = load_lists(settings, tmp_path / "lists", sltd=50, notices=400, smv=20, event=20)
    first = worker_factory(settings)
    first.wait_ready()
    reader = AIOKafkaConsumer(settings.topic(settings.topic_alerts),
                              **aiokafka_options(settings), auto_offset_reset="earliest",
                              group_id=f"admin.esc-{uuid.uuid4().hex[:8]}")
    await reader.start()
    try:
        async with Terminal(settings, "t-esc") as gate:
            ignored = await gate.answer(scan_of(arrest_notice(paths, 0)))
            seen = await gate.answer(scan_of(arrest_notice(paths, 1)))
        assert ignored["outcome"] == seen["outcome"] == "hit", first.log_tail()
        raised: dict[str, dict[str, Any]] = {}
        escalated: list[tuple[float, dict[str, Any]]] = []

        async def read(seconds: float) -> None:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline:
                for msgs in (await reader.getmany(timeout_ms=200)).values():
                    for m in msgs:
                        a = orjson.loads(m.value)
                        if a.get("escalated_at"):
                            escalated.append((time.time(), a))
                        elif a["priority"] == "critical":
                            raised.setdefault(a["event_id"], a)

        await read(3)
        assert {ignored["event_id"], seen["event_id"]} <= set(raised), raised.keys()
        start = datetime.fromisoformat(raised[ignored["event_id"]]["raised_at"]).timestamp()

        first.stop(sig=9)  # mid-minute: the timers are not the worker's to lose
        await asyncio.sleep(max(0.0, start + 25 - time.time()))
        second = worker_factory(settings, name="worker-2")
        second.wait_ready()
        acked = raised[seen["event_id"]]
        await read(max(0.0, start + 59 - time.time()))
        assert escalated == [], "nothing escalates before its minute"
        await publish(settings, settings.topic_decisions, [{
            "alert_id": acked["alert_id"], "decision": "acknowledged", "analyst": "ana",
            "decided_at": datetime.now(UTC).isoformat(), "note": ""}])
        await read(max(0.0, start + 66 - time.time()))
    finally:
        await reader.stop()
    assert [a["event_id"] for _, a in escalated] == [ignored["event_id"]], \
        "the ignored alert once, the acknowledged one never"
    received, marked = escalated[0]
    assert abs(received - (start + 60)) <= 2.0, f"escalated at {received - start:.1f} s"
    assert datetime.fromisoformat(marked["escalated_at"]).timestamp() == pytest.approx(
        start + 60, abs=0.01)
    assert marked["alert_id"] == raised[ignored["event_id"]]["alert_id"]
    assert 'screening_alerts_escalated_total{priority="critical"} 1.0' in second.metrics()
