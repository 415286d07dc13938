"""Keeping the garbage collector's full passes short in a long-running worker.

A full (generation 2) collection walks every tracked object. The worker holds a few
hundred thousand of them (Faust, aiokafka, pydantic, the matching caches), so a full
pass stopped everything for 100–200 ms, several times a minute under load: the
latency tail. Objects that have lived a few seconds are almost all there to stay, so
they are moved out of the collector's sight (`gc.freeze()`) every few seconds, after
a young-generation pass so that fresh garbage cycles are not frozen with them. Now and
then everything is unfrozen and collected once, so that frozen objects that became
garbage since are reclaimed and memory stays bounded.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

# Seconds between freezes: a full pass then walks at most this long's survivors.
FREEZE_EVERY_S = 5.0
# Seconds between whole-heap collections that reclaim frozen garbage.
FULL_EVERY_S = 600.0
# Objects left alive since the last collection at which the worker collects between
# two batches (the interpreter's own trigger is 700, counted mid-batch).
YOUNG_BETWEEN_BATCHES = 10_000
# Young passes between two passes over the middle generation as well (as the interpreter).
YOUNG_PER_MIDDLE = 10


class HeapFreezer:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 every_s: float = FREEZE_EVERY_S, young: int = YOUNG_BETWEEN_BATCHES) -> None:
        self.clock = clock
        self.every_s = every_s
        self.young = young
        self.last_full = self.last_tick = clock()

    def tick(self) -> None:
        if self.clock() - self.last_full >= FULL_EVERY_S:
            gc.unfreeze()
            gc.collect()
            self.last_full = self.clock()
        else:
            gc.collect(1)
        gc.freeze()
        self.last_tick = self.clock()

    def between_batches(self) -> None:
        """A young pass once enough objects have survived since the last one.

        For a loop that runs without automatic collection (see take_over_collection):
        between two batches a batch's objects are already freed, so the pass walks only
        what outlives batches, where the interpreter's own passes ran every 700
        allocations in the middle of one and walked the batch in flight again and again."""
        young, middle, _ = gc.get_count()
        if young >= self.young:
            gc.collect(1 if middle >= YOUNG_PER_MIDDLE else 0)

    def maybe_tick(self) -> None:
        """tick() once every_s has passed since the last: for a loop without a timer."""
        if self.clock() - self.last_tick >= self.every_s:
            self.tick()


def take_over_collection() -> None:
    """For the worker: what start-up made is frozen, and automatic collection stops.

    The scan loop collects between batches (HeapFreezer.between_batches) and the
    freezer's timer every few seconds, which also bounds what other threads leave.
    Automatic passes cost the worker a fifth of its CPU under load: young passes every
    700 allocations walked the batch in flight, and the full passes they led to walked
    every unfrozen object, 30–80 ms each."""
    gc.freeze()
    gc.disable()


def stop_automatic_collection() -> HeapFreezer:
    """For a batch job that makes few reference cycles (`screening screen`): no automatic
    collections at all, only a young pass and a freeze a minute (call maybe_tick often).

    Automatic passes took 17 % of `screen`'s CPU time: each walked tens of thousands of
    live objects of the batches in flight (slow, scattered in memory) only to find the
    few dozen cycles a batch leaves. Without them, 200,000 scans left 17,734 cyclic
    objects (5 MB) behind; a minute's worth is what this bounds them to."""
    gc.freeze()  # what start-up made (modules, tables) is there to stay
    gc.disable()
    return HeapFreezer(every_s=60.0)
