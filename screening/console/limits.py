"""Sign-in rate limits that slow guessing down without letting anyone lock an analyst out.

Analysts' names are no secret (they are on the decisions topic), so any limit keyed on
the name alone is a way to keep that analyst out: the old "five failures lock the name"
was exactly that. Instead:

- per source address: at most `per_address` sign-in attempts a minute. Every password
  check costs ~0.1 s of scrypt, so this also keeps one address from taking the CPU.
- per (address, name): at most `per_pair` failures in 15 minutes: one address gets a
  handful of guesses at one analyst, and the analyst's own address is not affected by
  anybody else's failures.
- per name, from every address together: failures past `name_free` in 15 minutes only
  add a delay (doubling from 0.125 s up to `name_max_delay_s`) before the password is
  checked, for everyone, the analyst included. It never refuses: the right password
  still signs in, a few seconds later at worst. It slows a guesser spread over many
  addresses per attempt; the real brake on such a guesser is scrypt and the password.

Counters live in Redis, so console replicas share them. Each is a sliding window
estimated from two fixed windows (this one, and the one before weighted by how much of
it the sliding window still covers): two small keys per subject, plain INCR/GET, no Lua
(the console's Redis user may not run scripts). Addresses and names are stored as
HMACs, so the counters do not list who tried what from where.

A counter that must hold before a password is checked (address, pair) is taken first
and given back when the attempt is refused or the password was right: concurrent
attempts cannot all slip under the limit together.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Clock = Callable[[], float]
ADDRESS_WINDOW_S = 60.0
PAIR_WINDOW_S = 900.0
NAME_WINDOW_S = 900.0
# The first delay once a name is past its free failures; each further failure doubles it.
FIRST_DELAY_S = 0.125


def sliding_count(previous: int, current: int, into_window: float, window_s: float) -> float:
    """Events in the last `window_s`, from the count of the fixed window before this one
    and of this one, `into_window` seconds old: the previous window counts for the part
    of it that the sliding window still covers."""
    covered = 1.0 - min(max(into_window / window_s, 0.0), 1.0)
    return previous * covered + current


def name_delay(failures: float, free: int, max_delay_s: float) -> float:
    """Seconds to wait before checking a password for a name with `failures` recent
    failures: none up to `free`, then doubling, never more than `max_delay_s`."""
    over = failures - free
    if over <= 0:
        return 0.0
    return min(max_delay_s, FIRST_DELAY_S * 2 ** min(over - 1, 32))


def client_address(remote: str | None, forwarded_for: str | None, trusted_hops: int) -> str:
    """Who is signing in. With `trusted_hops` proxies in front (each appending to
    X-Forwarded-For), the address the outermost trusted proxy saw; anything further left
    in the header was written by the client and is not believed. IPv6 addresses count by
    their /64, which one host usually holds whole."""
    address = remote or "?"
    if trusted_hops > 0 and forwarded_for:
        hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
        if len(hops) >= trusted_hops:
            address = hops[-trusted_hops]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "?"  # not an address (a unix socket, a proxy's odd header): never logged raw
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


@dataclass(frozen=True)
class Limits:
    per_address: int
    per_pair: int
    name_free: int
    name_max_delay_s: float


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt let through: wait `delay_s`, check, then report the outcome."""

    address: str
    name: str
    delay_s: float
    keys: dict[str, str]


@dataclass(frozen=True)
class Refused:
    reason: Literal["address", "pair"]
    retry_after_s: int


class LoginLimiter:
    def __init__(self, redis: Any, prefix: str, key: bytes, limits: Limits,
                 clock: Clock = time.time) -> None:
        self.redis = redis
        self.prefix = prefix
        self.key = key
        self.limits = limits
        self.clock = clock

    def _keys(self, rule: str, subject: str, window_s: float, now: float) -> tuple[str, str]:
        digest = hmac.new(self.key, f"signin|{rule}|{subject}".encode(),
                          hashlib.sha256).hexdigest()[:32]
        n = int(now // window_s)
        base = f"{{console:{self.prefix}}}:signin:{rule}:{digest}"
        return f"{base}:{n}", f"{base}:{n - 1}"

    async def begin(self, address: str, name: str) -> Attempt | Refused:
        now = self.clock()
        a_cur, a_prev = self._keys("addr", address, ADDRESS_WINDOW_S, now)
        p_cur, p_prev = self._keys("pair", f"{address}|{name}", PAIR_WINDOW_S, now)
        n_cur, n_prev = self._keys("name", name, NAME_WINDOW_S, now)
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.incr(a_cur)
            pipe.expire(a_cur, int(2 * ADDRESS_WINDOW_S))
            pipe.get(a_prev)
            pipe.incr(p_cur)
            pipe.expire(p_cur, int(2 * PAIR_WINDOW_S))
            pipe.get(p_prev)
            pipe.get(n_cur)
            pipe.get(n_prev)
            a, _, a_before, p, _, p_before, n, n_before = await pipe.execute()
        by_address = sliding_count(int(a_before or 0), int(a), now % ADDRESS_WINDOW_S,
                                   ADDRESS_WINDOW_S)
        by_pair = sliding_count(int(p_before or 0), int(p), now % PAIR_WINDOW_S, PAIR_WINDOW_S)
        refused: Refused | None = None
        if by_address > self.limits.per_address:
            refused = Refused("address", math.ceil(ADDRESS_WINDOW_S - now % ADDRESS_WINDOW_S))
        elif by_pair > self.limits.per_pair:
            refused = Refused("pair", math.ceil(PAIR_WINDOW_S - now % PAIR_WINDOW_S))
        if refused is not None:
            # Given back: refusing costs nothing, so it need not count against anyone.
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.decr(a_cur)
                pipe.decr(p_cur)
                await pipe.execute()
            return refused
        by_name = sliding_count(int(n_before or 0), int(n or 0), now % NAME_WINDOW_S,
                                NAME_WINDOW_S)
        return Attempt(address, name,
                       name_delay(by_name, self.limits.name_free, self.limits.name_max_delay_s),
                       {"pair": p_cur, "pair_prev": p_prev, "name": n_cur})

    async def failed(self, attempt: Attempt) -> None:
        """The pair's reserved failure stays; the name's failures grow (its delay)."""
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.incr(attempt.keys["name"])
            pipe.expire(attempt.keys["name"], int(2 * NAME_WINDOW_S))
            await pipe.execute()

    async def succeeded(self, attempt: Attempt) -> None:
        """The right password clears this address's failures for this name."""
        await self.redis.delete(attempt.keys["pair"], attempt.keys["pair_prev"])
