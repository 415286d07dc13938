"""Batches of a Faust stream as they come: whatever is buffered when the agent is free.

Faust's ``Stream.take_events(n, within=t)`` collects events through a second task
(the stream's passive drainer, one async step per event) and hands them over when n
are buffered or every t seconds. Each batch waits for that timer: up to t more per
scan, and a loop wake-up every t even when nothing arrives. Here the agent takes the
first event the moment it is delivered, with everything delivered behind it (up to
``max_size``): at a low rate a batch is what one fetch brought, at a high rate what
arrived while the last batch was screened. Batches grow with the load, and no scan
waits for a timer.

What Faust's stream iterator does per event is done here too, once per batch:
events of an older consumer generation, or delivered while a rebalance suspends the
flow, are acked and skipped; the others are tracked as unacked until the agent has
finished their batch, so offsets are committed only for answered scans. (Faust's
take_events acks a batch in a ``finally``: also when the agent raised or was stopped
in the middle of it, which committed scans that were never answered.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, cast

import faust
from faust.exceptions import Skip
from faust.types import ChannelT, EventT
from mode.utils.futures import maybe_async


async def batches(stream: faust.Stream, max_size: int) -> AsyncIterator[list[EventT]]:
    """Yield lists of at most `max_size` events; a list is acked when the next is asked for.

    Follows faust-streaming 0.15.3: in place of iterating the stream (`Stream.__aiter__`,
    whose Python form is `faust.streams.Stream._py_aiter`), this copies its per-event
    steps (generation and flow checks, tracking as unacked through the stream's private
    `_on_message_in` sensor hook, the `_processors`, `_channel_stop_iteration` at the
    end), taking from the channel's queue a batch at a time."""
    app = stream.app
    # An agent's stream already holds an iterating clone of its topic, the one the
    # conductor delivers to, and aiter() returns it; for any other stream aiter() makes
    # and subscribes one (Topic.__aiter__), as Faust's own iterator would.
    channel = cast(ChannelT, aiter(stream.channel))
    queue = channel.queue
    consumer = app.consumer
    unacked = consumer.unacked  # what Consumer.track_message adds to
    acking_topics = app.topics.acking_topics
    flow_control = app.flow_control
    on_message_in = stream._on_message_in
    processors = stream._processors  # none in a worker; Faust's test wrapper adds one
    stream.enable_acks = False  # acked here, after the agent has answered them
    started_here = await stream.maybe_start()  # as `async for` over the stream would
    try:
        while not stream.should_stop:
            events = [await queue.get()]
            while len(events) < max_size and not queue.empty():
                events.append(queue.get_nowait())
            generation = app.consumer_generation_id
            flowing = flow_control.is_active()
            batch: list[EventT] = []
            for event in events:
                message = event.message
                if not flowing or message.generation_id != generation:
                    await stream.ack(event)  # not ours to answer any more; Faust acks these too
                    continue
                if message.topic in acking_topics and not message.tracked:
                    message.tracked = True
                    unacked.add(message)
                    on_message_in(message.tp, message.offset, message)
                if processors and await _skipped(processors, event.value):
                    await stream.ack(event)
                    continue
                batch.append(event)
            if not batch:
                continue
            yield batch
            # Acked only once the agent asks for more. A batch it did not finish (it
            # raised, or the worker stopped mid-batch) stays unacked, so its offsets are
            # not committed and its scans are read again: answered twice, never lost.
            for event in batch:
                await stream.ack(event)
    except StopAsyncIteration:
        # The channel ends the iteration so when the stream stops (a worker's every
        # stop). Raised out of an async generator, it became a RuntimeError that logged
        # every agent as crashed; Faust's own iterator (`_py_aiter`) returns here too.
        return
    finally:
        stream._channel_stop_iteration(channel)
        if started_here:
            await stream.stop()


async def _skipped(processors: Sequence[Any], value: object) -> bool:
    """Run the stream's processors on a value, as faust-streaming 0.15.3
    `Stream._py_aiter` would; True if one raised Skip. Their results are not used: the
    agent reads the events themselves."""
    try:
        for processor in processors:
            value = await maybe_async(processor(value))
    except Skip:
        return True
    return False
