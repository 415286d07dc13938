"""The scan agent through Faust's test_context(): thin, batching, never stopping on bad input."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

from screening.agents.publish import Outputs
from screening.app import create_app
from screening.core.engine import Screened, Screener
from screening.settings import Settings

SCAN = {"event_id": "a1", "checkpoint_id": "cp", "terminal_id": "t1",
        "scanned_at": "2026-11-28T10:00:00Z",
        "document": {"number": "L898902C3", "issuing_state": "UTO"}}


@pytest.fixture
def app_and_outputs(monkeypatch: pytest.MonkeyPatch,
                    memory_store: Any) -> tuple[Any, list[Screened]]:
    published: list[Screened] = []

    async def capture(self: Outputs, ctx: Any, items: list[Screened]) -> None:
        published.extend(items)

    monkeypatch.setattr(Outputs, "publish", capture)
    settings = Settings(broker="kafka://127.0.0.1:1", app_id="agent-test", batch_size=10,
                        kafka_security="plaintext")
    app, ctx = create_app(settings)
    screener = Screener(memory_store, settings)

    async def fake_screener() -> Screener:
        return screener

    monkeypatch.setattr(ctx, "screener", fake_screener)
    app.finalize()
    return app, published


async def test_agent_screens_and_survives_bad_input(app_and_outputs) -> None:
    app, published = app_and_outputs
    agent = app.agents["screening.scans"]
    async with agent.test_context() as test_agent:
        await test_agent.put(orjson.dumps(SCAN))
        await test_agent.put(b"{not json")
        await test_agent.put(orjson.dumps({**SCAN, "event_id": "a2",
                                           "document": {"number": "ZZ1", "issuing_state": "FRA"}}))
        for _ in range(200):
            if len(published) >= 3:
                break
            await asyncio.sleep(0.01)
    outcomes = {(s.result.event_id if s.result else None): s for s in published}
    assert outcomes["a1"].result.outcome == "hit"
    assert outcomes["a2"].result.outcome == "clear"
    assert outcomes[None].deadletter is not None
    assert outcomes[None].deadletter.reason.code == "INVALID_JSON"
