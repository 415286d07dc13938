"""Keeping the garbage collector's full passes short in a long-running worker.

A full (generation 2) collection walks every tracked object. The worker holds a few
hundred thousand of them (Faust, aiokafka, pydantic, the matching caches), so a full
pass stopped everything for a long while, several times a minute under load: the
latency tail (docs/performance.md). Objects that have lived a few seconds are almost
all there to stay, so they are moved out of the collector's sight (`gc.freeze()`):
every few seconds, and under load once a second between batches, each time after a
pass over the younger generations so that fresh garbage cycles are not frozen with
them. Now and then everything is unfrozen and collected once, so that frozen objects
that became garbage since are reclaimed and memory stays bounded.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# Seconds between freezes: a full pass then walks at most this long's survivors.
FREEZE_EVERY_S = 5.0
# Seconds between whole-heap collections that reclaim frozen garbage.
FULL_EVERY_S = 600.0
# Under load the scan loop freezes survivors this often, between two batches.
FREEZE_BETWEEN_BATCHES_S = 1.0


class HeapFreezer:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 every_s: float = FREEZE_EVERY_S) -> None:
        self.clock = clock
        self.every_s = every_s
        self.last_full = self.last_tick = self.last_freeze = clock()

    def tick(self) -> None:
        if self.clock() - self.last_full >= FULL_EVERY_S:
            gc.unfreeze()
            gc.collect()
            self.last_full = self.clock()
        else:
            gc.collect(1)
        gc.freeze()
        self.last_tick = self.last_freeze = self.clock()  # between_batches need not repeat it

    def between_batches(self) -> None:
        """Survivors frozen, once a second, after a pass over the younger generations:
        the interpreter's full passes then walk at most a second's worth of them.

        Under load a full pass came every second or two, and with five seconds of
        survivors to walk it took a large share of the worker's CPU and made a latency
        tail. Between batches the batch's own objects are already freed, so what is
        frozen is what outlives batches."""
        now = self.clock()
        if now - self.last_freeze >= FREEZE_BETWEEN_BATCHES_S:
            gc.collect(1)
            gc.freeze()
            self.last_freeze = now

    def maybe_tick(self) -> None:
        """tick() once every_s has passed since the last: for a loop without a timer."""
        if self.clock() - self.last_tick >= self.every_s:
            self.tick()


def freeze_start_up() -> None:
    """For the worker, before it starts: what start-up made (modules, models, tables)
    is there to stay, and the first full passes under load need not walk it."""
    gc.freeze()


def stop_automatic_collection() -> HeapFreezer:
    """For a batch job that makes few reference cycles (`screening screen`): no automatic
    collections at all, only a young pass and a freeze a minute (call maybe_tick often).

    Automatic passes took a large share of `screen`'s CPU time: each walked tens of
    thousands of live objects of the batches in flight (slow, scattered in memory) only
    to find the few dozen cycles a batch leaves. Without them cyclic garbage piles up;
    a minute's worth is what this bounds it to."""
    gc.freeze()  # what start-up made (modules, tables) is there to stay
    gc.disable()
    return HeapFreezer(every_s=60.0)
