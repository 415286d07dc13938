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


class HeapFreezer:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_full = clock()

    def tick(self) -> None:
        if self.clock() - self.last_full >= FULL_EVERY_S:
            gc.unfreeze()
            gc.collect()
            self.last_full = self.clock()
        else:
            gc.collect(1)
        gc.freeze()
