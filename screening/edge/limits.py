"""Per-terminal rate limit: a token bucket each, in the edge's memory.

One edge serves one site, so its terminals' buckets need no sharing; a restart refills
them, which costs at most one burst a terminal. A limit per terminal (not per address)
keeps one faulty reader from taking the site's capacity, and several terminals behind
one NAT from sharing a limit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, rate_per_s: float, burst: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate_per_s
        self.burst = burst
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, terminal_id: str) -> float:
        """0 when the terminal may post now; else the seconds until it may."""
        now = self.clock()
        b = self._buckets.get(terminal_id)
        if b is None:
            b = self._buckets[terminal_id] = _Bucket(float(self.burst), now)
        b.tokens = min(float(self.burst), b.tokens + (now - b.at) * self.rate)
        b.at = now
        if b.tokens >= 1.0:
            b.tokens -= 1.0
            return 0.0
        return (1.0 - b.tokens) / self.rate

    @staticmethod
    def retry_after(wait_s: float) -> str:
        return str(max(1, math.ceil(wait_s)))
