"""The engine under any sequence of Redis failures (and of bugs of ours in the look-up
path): a scan is `clear` only when its lists answered, every failed look-up is
counted, nothing escapes to stop the stream, and recovery needs nothing but a working
Redis."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from screening.core.engine import RawScan, Screener
from screening.exceptions import NoWatchlistLoaded
from screening.metrics import Metrics
from screening.settings import Settings

CLEAR = {"event_id": "c", "checkpoint_id": "cp", "terminal_id": "t",
         "scanned_at": "2026-11-28T11:59:59+01:00",
         "document": {"number": "C01X00T47", "issuing_state": "D"}}
# SLTD record S1 of tests/unit/conftest.py's memory store
HIT = {**CLEAR, "event_id": "h", "document": {"number": "L898902C3", "issuing_state": "UTO"}}
FAILURES: dict[str, Exception | None] = {
    "ok": None,
    "redis_error": RedisConnectionError("refused"),
    "timeout": RedisTimeoutError("timed out"),
    "no_watchlist": NoWatchlistLoaded("no version loaded"),
    "os": ConnectionResetError("reset"),
    "bug": ValueError("a bug of ours in the look-up path"),
}


def counted(metrics: Metrics) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in metrics.lookup_errors.collect():
        for sample in family.samples:
            if sample.name.endswith("_total"):
                out[sample.labels["reason"]] = sample.value
    return out


# The store is reset by each example (its failure is set before every batch).
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(st.sampled_from(list(FAILURES)), min_size=1, max_size=6))
def test_any_failure_sequence_never_clears_unconsulted_and_counts_each_failure(
        memory_store: Any, sequence: list[str]) -> None:
    store = memory_store
    metrics = Metrics.create()
    screener = Screener(store, Settings(lookup_budget_s=0.1), metrics=metrics)
    batch = [RawScan("traveller", orjson.dumps(CLEAR)), RawScan("traveller", orjson.dumps(HIT))]

    async def run() -> None:
        for name in sequence:
            store.fail = FAILURES[name]
            calls = store.calls
            before = sum(counted(metrics).values())
            out = await screener.screen(batch)
            outcomes = [o.result.outcome for o in out if o.result is not None]
            if name == "ok":
                assert outcomes == ["clear", "hit"]
                assert sum(counted(metrics).values()) == before
            elif name == "bug":  # answered and dead-lettered; the stream goes on
                assert outcomes == ["unverified", "unverified"]
                assert all(o.result and "PROCESSING_ERROR" in o.result.warnings for o in out)
                assert all(o.deadletter is not None for o in out)
            else:
                assert outcomes == ["unverified", "unverified"]
                assert all("LIST_UNAVAILABLE" in o.result.warnings for o in out if o.result)
                # one count per failed try, under the failure's own reason
                assert sum(counted(metrics).values()) - before == store.calls - calls
                reason = "redis_error" if name == "os" else name
                assert counted(metrics).get(reason, 0) >= 1

    asyncio.run(run())
