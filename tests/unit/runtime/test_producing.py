"""Faust's commit gate as screening.runtime.producing holds it (no broker needed)."""

from __future__ import annotations

import asyncio

import pytest

from screening.app import create_app
from screening.runtime.producing import commits_held
from screening.settings import Settings


async def test_a_commit_asked_for_while_held_waits_and_then_commits_nothing() -> None:
    app, _ = create_app(Settings(kafka_security="plaintext"))
    consumer = app.consumer
    async with commits_held(consumer):
        commit = asyncio.ensure_future(consumer.commit())
        await asyncio.sleep(0.01)
        assert not commit.done()  # the outputs and their offsets go together or not at all
    assert await commit is False
    assert await consumer.maybe_wait_for_commit_to_finish() is False  # released


async def test_the_gate_is_released_when_the_body_raises() -> None:
    app, _ = create_app(Settings(kafka_security="plaintext"))
    with pytest.raises(RuntimeError):
        async with commits_held(app.consumer):
            raise RuntimeError("send failed")
    assert await app.consumer.maybe_wait_for_commit_to_finish() is False
