"""The worker's Kafka consumer as screening.runtime.transport builds it (no broker needed)."""

from __future__ import annotations

import pytest

from screening.app import create_app
from screening.runtime import transport
from screening.settings import Settings


@pytest.mark.parametrize("min_bytes", [1, 8192])
async def test_the_consumer_fetches_with_the_short_wait_and_the_configured_minimum(
        min_bytes: int) -> None:
    app, _ = create_app(Settings(fetch_min_bytes=min_bytes, kafka_security="plaintext"))
    thread = app.consumer._thread  # type: ignore[attr-defined]
    consumer = thread._create_worker_consumer(app.transport)
    try:
        assert consumer._fetch_max_wait_ms == transport.FETCH_MAX_WAIT_MS == 5
        assert consumer._fetch_min_bytes == min_bytes
    finally:
        await consumer.stop()


async def test_the_consumer_runs_on_the_workers_loop_and_is_called_directly() -> None:
    import asyncio
    import threading

    app, _ = create_app(Settings(kafka_security="plaintext"))
    thread = app.consumer._thread  # type: ignore[attr-defined]
    assert isinstance(thread, transport.LoopConsumerThread)
    assert thread.thread_loop is thread.parent_loop is asyncio.get_running_loop()

    def where() -> str:
        return threading.current_thread().name

    async def where_async() -> str:
        return threading.current_thread().name

    assert await thread.call_thread(where) == threading.current_thread().name
    assert await thread.call_thread(where_async) == threading.current_thread().name


async def test_the_consumer_thread_of_faust_is_kept_on_request() -> None:
    app, _ = create_app(Settings(consumer_in_loop=False, kafka_security="plaintext"))
    thread = app.consumer._thread  # type: ignore[attr-defined]
    assert type(thread) is transport.ConsumerThread
    assert thread.thread_loop is not thread.parent_loop


async def test_the_group_session_and_heartbeats_come_from_the_settings() -> None:
    app, _ = create_app(Settings(session_timeout_s=12, heartbeat_interval_s=2,
                                    kafka_security="plaintext"))
    thread = app.consumer._thread  # type: ignore[attr-defined]
    consumer = thread._create_worker_consumer(app.transport)
    try:
        assert consumer._session_timeout_ms == 12_000
        assert consumer._heartbeat_interval_ms == 2_000
    finally:
        await consumer.stop()


def test_heartbeats_must_fit_three_times_in_a_session() -> None:
    from pydantic import ValidationError

    assert Settings().session_timeout_s == 10.0  # a killed worker's gates wait ~this long
    with pytest.raises(ValidationError, match="third"):
        Settings(session_timeout_s=6, heartbeat_interval_s=3)
    with pytest.raises(ValidationError):
        Settings(session_timeout_s=5)  # below what brokers accept by default


class _Taken:
    """A message a stream took and never acked (a batch its agent did not finish)."""

    acked = False
    refcount = 1


@pytest.mark.timeout(20)  # Faust's own wait would never end (a cancel does not stop it)
async def test_a_stopping_worker_waits_for_unanswered_scans_half_its_stop_deadline(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import asyncio
    import time

    app, _ = create_app(Settings(kafka_security="plaintext"))
    consumer = app.consumer
    committed: list[str] = []

    async def commit(*args: object, **kwargs: object) -> bool:
        committed.append("commit")
        return True

    async def commit_and_end() -> None:
        committed.append("end")

    monkeypatch.setattr(consumer, "commit", commit)
    monkeypatch.setattr(consumer, "commit_and_end_transactions", commit_and_end)
    taken = _Taken()
    consumer._unacked_messages.add(taken)  # type: ignore[attr-defined]
    # An app in a test's own process (no deadline): Faust's wait, until the scan is
    # answered.
    waiting = asyncio.ensure_future(consumer.wait_empty())
    await asyncio.sleep(1.2)
    assert not waiting.done()
    taken.acked = True
    await asyncio.wait_for(waiting, 3)
    taken.acked = False
    consumer._unacked_messages.add(taken)  # type: ignore[attr-defined]
    app.stop_deadline_s = 1.0  # type: ignore[attr-defined]  # a worker's (cli/worker.py)
    t0 = time.monotonic()
    await consumer.wait_empty()
    # It waited (half the deadline), then ended; each of Faust's waits for an ack is
    # up to a second and a full GC pass, so only that it ended is asserted above that.
    assert time.monotonic() - t0 >= 0.5
    assert taken in consumer.unacked  # not answered: left uncommitted, read again
    assert "commit" in committed
    assert committed[-1] == "end"  # what was answered is committed
    assert "scans taken but not answered" in caplog.text
