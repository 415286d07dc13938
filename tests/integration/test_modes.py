"""Incident mode through real workers (issue 23 item 4): `screening mode set` as the
console principal reaches two workers within a second, the next scan's alert takes the
profile's priority, `set normal` returns, and every switch is audited."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from pydantic import SecretStr

from screening.security.secretsdir import principal_settings
from screening.settings import Settings
from tests.support.correlation import load_lists
from tests.support.modes import control_env, control_settings
from tests.support.services import (
    collect,
    create_topics,
    env_for,
    free_port,
    screening_cmd,
)
from tests.support.terminal import Terminal

pytestmark = pytest.mark.integration

# A yellow notice (a missing person): `high` normally, `critical` under the dvi profile.
YELLOW = {"list": "notice", "id": "N-YELLOW1", "colour": "yellow",
          "names": [{"surname": "LINDQVIST", "given_names": "EBBA", "script": "Latn"}],
          "date_of_birth": "2001-05-05", "nationalities": ["SWE"], "sex": "F",
          "documents": [{"number": "SW1234567", "issuing_state": "SWE"}],
          "issued_at": "2026-01-01T00:00:00Z"}


def scan() -> bytes:
    return orjson.dumps({
        "event_id": uuid.uuid4().hex, "checkpoint_id": "cp-mode", "terminal_id": "t-mode",
        "scanned_at": datetime.now(UTC).isoformat(),
        "document": {"number": "SW1234567", "issuing_state": "SWE"},
        "holder": {"surname": "LINDQVIST", "given_names": "EBBA",
                   "date_of_birth": "2001-05-05", "nationality": "SWE"}})


def mode(settings: Settings, *args: str) -> str:
    """`screening mode ...` as the console principal with the supervisor's key."""
    console = principal_settings(settings, "console")
    done = subprocess.run(screening_cmd("mode", *args),
                          env=env_for(console, **control_env()), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def shows(worker: Any, mode_: str, profile: str) -> bool:
    return f'screening_mode_info{{mode="{mode_}",profile="{profile}"}} 1.0' in worker.metrics()


async def until_applied(workers: list[Any], mode_: str, profile: str) -> list[float]:
    """Seconds until each worker shows the mode (polled every 10 ms), from now."""
    start, out = time.monotonic(), []
    for w in workers:
        while not shows(w, mode_, profile):
            assert time.monotonic() - start < 15, w.log_tail()
            await asyncio.sleep(0.01)
        out.append(time.monotonic() - start)
    return out


async def send_change(settings: Settings, mode_: str, profile: str | None) -> None:
    """A signed change sent straight to the topic, as the console principal."""
    from screening.kafka_io import producer
    from screening.modes.control import KEY, make_change

    console = principal_settings(settings, "console").model_copy(update={
        "control_signing_key": SecretStr(control_settings()["control_signing_key"])})
    p = producer(console, linger_ms=0)
    await p.start()
    try:
        await p.send_and_wait(settings.topic(settings.topic_control),
                              make_change(mode_, profile, "it-supervisor", console), key=KEY)
    finally:
        await p.stop()


async def priority_of_next_alert(gate: Terminal, settings: Settings) -> str:
    result = await gate.answer(scan())
    assert result["outcome"] == "hit"
    messages = await collect(settings, settings.topic_alerts, until=10_000, timeout=4)
    mine = [orjson.loads(m.value) for m in messages]
    [alert] = [a for a in mine if a["event_id"] == result["event_id"]]
    return str(alert["priority"])


async def test_a_mode_switch_reaches_two_workers_within_a_second_and_is_audited(
        settings: Settings, worker_factory: Any, tmp_path: Path) -> None:
    await create_topics(settings)
    await asyncio.to_thread(load_lists, settings, tmp_path / "lists", [YELLOW])
    workers = [worker_factory(settings, **control_env()),
               worker_factory(settings.model_copy(update={"web_port": free_port()}),
                              "worker-b", **control_env())]
    for w in workers:
        await asyncio.to_thread(w.wait_ready)
    assert all(shows(w, "normal", "") for w in workers)

    async with Terminal(settings, "t-mode") as gate:
        assert await priority_of_next_alert(gate, settings) == "high"

        assert "incident, profile dvi" in await asyncio.to_thread(
            mode, settings, "set", "incident", "--profile", "dvi")
        await until_applied(workers, "incident", "dvi")
        assert await priority_of_next_alert(gate, settings) == "critical"

        # From the broker to both workers: within the contract's second.
        await send_change(settings, "incident", "crime")
        applied = await until_applied(workers, "incident", "crime")
        print(f"mode applied by the two workers after {applied} s")
        assert max(applied) < 1.0, applied
        assert await priority_of_next_alert(gate, settings) == "high"  # crime: as normal

        await asyncio.to_thread(mode, settings, "set", "normal")
        await until_applied(workers, "normal", "")
        assert await priority_of_next_alert(gate, settings) == "high"
        shown = await asyncio.to_thread(mode, settings, "show")  # as console: may not read
        assert shown.startswith("normal"), shown

    # Audited: the command's request and each worker's application, one id per change.
    audit = [orjson.loads(m.value) for m in await collect(
        settings, settings.topic_audit, until=10_000, timeout=5)]
    changes = [a for a in audit if a["action"] == "mode_changed"]
    requested = [a for a in changes if a["outcome"] == "requested"]
    applied_ids = {a["audit_id"] for a in changes if a["outcome"] == "applied"}
    assert len(requested) == 2 and len(applied_ids) == 3, changes
    assert {a["actor"]["principal"] for a in requested} == {"console"}
    assert {a["actor"]["principal"] for a in changes if a["outcome"] == "applied"} == {
        "worker"}
    assert any("profile:dvi" in a["ref"] for a in requested)
