"""Batches as they come (screening.runtime.streams) through Faust's test_context()."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import faust
import pytest
from faust.exceptions import Skip
from faust.types import EventT

from screening.runtime.streams import batches


class Recorder:
    def __init__(self) -> None:
        self.batches: list[list[bytes]] = []
        self.acked_when_handed: list[bool] = []
        self.events: list[EventT] = []


def app_and_topic(name: str) -> tuple[faust.App, Any]:
    app = faust.App(name, broker="kafka://127.0.0.1:1", store="memory://", autodiscover=False)
    return app, app.topic("scans", key_type=bytes, value_type=bytes, value_serializer="raw")


def make_agent(max_size: int, *, skip: bytes | None = None) -> tuple[Any, Recorder]:
    app, topic = app_and_topic("batching-test")
    seen = Recorder()

    async def skip_some(value: bytes) -> bytes:
        if value == skip:
            raise Skip()
        return value

    @app.agent(topic)
    async def agent(stream: faust.Stream) -> None:
        if skip is not None:
            stream.add_processor(skip_some)
        async for batch in batches(stream, max_size):
            seen.batches.append([e.value for e in batch])
            seen.acked_when_handed.extend(e.message.acked for e in batch)
            seen.events.extend(batch)
            await asyncio.sleep(0)

    app.finalize()
    return agent, seen


async def until(check: Any) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.005)
    pytest.fail("the agent did not get there")


async def test_what_waits_is_handed_over_at_once_up_to_the_batch_size() -> None:
    agent, seen = make_agent(max_size=3)
    async with agent.test_context() as test_agent:
        for n in range(7):  # none of these puts yields: all wait when the agent wakes
            await test_agent.put(b"%d" % n, wait=False)
        await until(lambda: sum(map(len, seen.batches)) == 7)
        await test_agent.put(b"late", wait=False)
        await until(lambda: sum(map(len, seen.batches)) == 8)
    assert seen.batches == [[b"0", b"1", b"2"], [b"3", b"4", b"5"], [b"6"], [b"late"]]


async def test_a_single_event_is_not_held_back_for_company() -> None:
    agent, seen = make_agent(max_size=500)
    async with agent.test_context() as test_agent:
        await test_agent.put(b"alone", wait=False)
        await until(lambda: seen.batches == [[b"alone"]])


async def test_events_are_acked_only_after_the_agent_is_done_with_their_batch() -> None:
    agent, seen = make_agent(max_size=2)
    async with agent.test_context() as test_agent:
        for n in range(4):
            await test_agent.put(b"%d" % n, wait=False)
        await until(lambda: len(seen.events) == 4)
        await test_agent.put(b"next", wait=False)  # asking for it acks the batch before
        await until(lambda: len(seen.events) == 5)
        assert all(e.message.acked for e in seen.events[:4])
    assert seen.acked_when_handed == [False] * 5


async def test_events_of_an_earlier_generation_are_acked_and_dropped() -> None:
    agent, seen = make_agent(max_size=10)
    async with agent.test_context() as test_agent:
        channel = test_agent.stream().channel
        stale = test_agent.to_message(None, b"before the rebalance")
        stale.generation_id = test_agent.app.consumer_generation_id - 1
        await channel.put(await channel.decode(stale))
        await test_agent.put(b"current", wait=False)
        await until(lambda: seen.batches)
        await until(lambda: stale.acked)
    assert seen.batches == [[b"current"]]


async def test_an_event_a_processor_skips_is_acked_and_dropped() -> None:
    agent, seen = make_agent(max_size=10, skip=b"drop me")
    async with agent.test_context() as test_agent:
        dropped = await test_agent.put(b"drop me", wait=False)
        await test_agent.put(b"keep me", wait=False)
        await until(lambda: seen.batches)
        await until(lambda: dropped.message.acked)
    assert seen.batches == [[b"keep me"]]


@pytest.mark.parametrize("how", ["stopped", "failed"])
async def test_a_batch_the_agent_did_not_finish_stays_unacked(how: str) -> None:
    """Stopped (or failed) mid-batch, the agent leaves the batch unacked: its offsets
    are not committed and the scans are read again, not lost.

    An abandoned generator is closed by the loop's finalizer at some later turn; here
    `aclosing` closes it at once, the same way (GeneratorExit at its `yield`), so by
    the time `closed` is set the generator's clean-up has run and nothing is left to
    wait for before looking at the acks."""
    app, topic = app_and_topic(f"batching-test-{how}")
    held: list[EventT] = []
    closed = asyncio.Event()

    @app.agent(topic)
    async def agent(stream: faust.Stream) -> None:
        try:
            async with contextlib.aclosing(batches(stream, 10)) as each:
                async for batch in each:
                    held.extend(batch)
                    if how == "failed":
                        raise RuntimeError("screening failed mid-batch")
                    break  # as if the worker stopped here, before answering
        except RuntimeError:
            pass
        closed.set()
        await asyncio.Event().wait()  # stays up

    app.finalize()
    async with agent.test_context() as test_agent:
        for n in range(3):
            await test_agent.put(b"%d" % n, wait=False)
        await asyncio.wait_for(closed.wait(), 2)
        assert len(held) == 3
        assert not any(e.message.acked for e in held)


async def test_a_stream_its_actor_stops_ends_the_batches_without_an_error() -> None:
    """A stopping agent's actor ends its stream by throwing StopAsyncIteration into the
    channel (faust.agents.actor); out of an async generator that became a RuntimeError,
    and every agent was logged as crashed at every stop of a worker."""
    app, topic = app_and_topic("batching-test-end")
    outcome: list[str] = []

    @app.agent(topic)
    async def agent(stream: faust.Stream) -> None:
        try:
            async for _ in batches(stream, 10):
                stream.channel._throw(StopAsyncIteration())  # as Actor.cancel does
            outcome.append("ended")
        except RuntimeError as exc:
            outcome.append(repr(exc))
        await asyncio.Event().wait()  # stays up

    app.finalize()
    async with agent.test_context() as test_agent:
        await test_agent.put(b"1", wait=False)
        await until(lambda: outcome)
    assert outcome == ["ended"]
