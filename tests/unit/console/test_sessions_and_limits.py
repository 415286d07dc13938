"""Server-side sessions and sign-in limits, on an in-memory Redis with a hand-moved clock:
sessions end at sign-out, revocation, expiry, removal and password change; the limits
slow guessing down without ever locking a name out. The same code against the real,
secured Redis: tests/integration/test_console.py."""

from __future__ import annotations

import pytest

from screening.console.auth import Sessions, Signer, hash_password
from screening.console.limits import (
    FIRST_DELAY_S,
    Attempt,
    Limits,
    LoginLimiter,
    Refused,
    client_address,
    name_delay,
    sliding_count,
)
from screening.console.sessions import SessionStore, session_id
from screening.console.users import ALL_SITES, User
from tests.support.fake_redis import FakeRedis


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fast_hash(password: str) -> str:
    return hash_password(password, n=2**10, r=8, p=1)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def redis(clock: Clock) -> FakeRedis:
    return FakeRedis(clock)


def sessions(redis: FakeRedis, clock: Clock, users: dict[str, str],
             key: bytes = b"k" * 32) -> Sessions:
    entries = {name: User(name, encoded, "analyst", frozenset({ALL_SITES}))
               for name, encoded in users.items()}
    return Sessions(Signer(key), entries, SessionStore(redis, "scr", ttl_s=60, clock=clock))


async def test_a_session_lives_in_redis_under_a_hash_of_its_token(
        redis: FakeRedis, clock: Clock) -> None:
    s = sessions(redis, clock, {"ana": fast_hash("a")})
    cookie = await s.issue("ana", "10.0.0.1")
    session = await s.current(cookie)
    assert session is not None and session.analyst == "ana" and session.address == "10.0.0.1"
    token = s.signer.unsign("session", cookie)
    assert token is not None
    assert list(k for k in redis.data if ":session:" in k) == [
        f"{{console:scr}}:session:{session_id(token.decode())}"]
    assert token.decode() not in "".join(redis.data), "the token itself is not stored"
    assert await s.issue("ana", "10.0.0.1") != cookie, "every sign-in a new session"


async def test_sign_out_ends_the_session_for_every_console_at_once(
        redis: FakeRedis, clock: Clock) -> None:
    users = {"ana": fast_hash("a")}
    here, other_replica = sessions(redis, clock, users), sessions(redis, clock, users)
    cookie = await here.issue("ana", "10.0.0.1")
    assert await other_replica.current(cookie) is not None
    ended = await here.end(cookie)
    assert ended is not None and ended.analyst == "ana"
    assert await here.current(cookie) is None
    assert await other_replica.current(cookie) is None, "stateless cookies outlived sign-out"
    assert await here.end(cookie) is None, "ending twice is harmless"


async def test_sessions_end_on_expiry_forgery_removal_and_password_change(
        redis: FakeRedis, clock: Clock) -> None:
    users = {"ana": fast_hash("a")}
    s = sessions(redis, clock, users)
    cookie = await s.issue("ana", "a")
    clock.now += 59
    assert await s.current(cookie) is not None
    clock.now += 2
    assert await s.current(cookie) is None, "expired"
    cookie = await s.issue("ana", "a")
    assert await sessions(redis, clock, users, key=b"x" * 32).current(cookie) is None, "forged"
    body, _, mac = cookie.partition(".")
    assert await s.current(body[:-2] + "AA." + mac) is None, "tampered"
    assert await s.current("garbage") is None and await s.current(None) is None
    assert await sessions(redis, clock, {"ana": fast_hash("new")}).current(cookie) is None, \
        "password changed"
    assert await sessions(redis, clock, {}).current(cookie) is None, "removed"


async def test_revoking_an_analyst_ends_all_their_sessions_and_only_theirs(
        redis: FakeRedis, clock: Clock) -> None:
    s = sessions(redis, clock, {"ana": fast_hash("a"), "bo": fast_hash("b")})
    anas = []
    for i in range(3):
        anas.append(await s.issue("ana", f"10.0.0.{i}"))
        clock.now += 1
    bos = await s.issue("bo", "10.0.0.9")
    await s.end(anas[0])
    assert [x.address for x in await s.store.of("ana")] == ["10.0.0.1", "10.0.0.2"]
    assert await s.store.revoke("ana") == 2
    assert [await s.current(c) for c in anas] == [None, None, None]
    assert await s.current(bos) is not None
    assert await s.store.of("ana") == [] and await s.store.revoke("ana") == 0


@pytest.mark.parametrize("previous, current, into, count", [
    (0, 0, 0.0, 0.0),
    (10, 0, 0.0, 10.0),      # at the start of a window the last one counts whole
    (10, 2, 30.0, 7.0),      # half-way: half of it
    (10, 2, 60.0, 2.0),      # at its end: none of it
    (10, 2, 90.0, 2.0),      # never less than none
])
def test_the_sliding_window_weighs_the_previous_window_by_its_overlap(
        previous: int, current: int, into: float, count: float) -> None:
    assert sliding_count(previous, current, into, 60.0) == pytest.approx(count)


def test_a_names_delay_starts_after_its_free_failures_doubles_and_is_capped() -> None:
    assert [name_delay(f, free=3, max_delay_s=1.0) for f in (0, 3, 3.5, 4, 5, 6, 7, 50)] == [
        0.0, 0.0, pytest.approx(FIRST_DELAY_S * 2 ** -0.5), FIRST_DELAY_S, 2 * FIRST_DELAY_S,
        4 * FIRST_DELAY_S, 1.0, 1.0]
    assert name_delay(10**9, free=0, max_delay_s=3.0) == 3.0


@pytest.mark.parametrize("remote, forwarded, hops, address", [
    ("10.0.0.1", None, 0, "10.0.0.1"),
    ("10.0.0.1", "1.2.3.4", 0, "10.0.0.1"),          # no proxy trusted: header ignored
    ("10.0.0.1", "6.6.6.6, 1.2.3.4", 1, "1.2.3.4"),  # what our proxy saw, not the client's claim
    ("10.0.0.1", "1.2.3.4, 10.0.0.2", 2, "1.2.3.4"),
    ("10.0.0.1", "", 1, "10.0.0.1"),
    ("2001:db8:1:2:3:4:5:6", None, 0, "2001:db8:1:2::/64"),
    ("::ffff:10.0.0.1", None, 0, "10.0.0.1"),
    (None, None, 0, "?"),
])
def test_the_client_address_trusts_only_the_configured_proxies(
        remote: str | None, forwarded: str | None, hops: int, address: str) -> None:
    assert client_address(remote, forwarded, hops) == address


LIMITS = Limits(per_address=10, per_pair=3, name_free=4, name_max_delay_s=2.0)


async def attempt(limiter: LoginLimiter, address: str, name: str, ok: bool) -> Attempt | Refused:
    got = await limiter.begin(address, name)
    if isinstance(got, Attempt):
        await (limiter.succeeded(got) if ok else limiter.failed(got))
    return got


async def test_an_attacker_hammering_a_name_never_keeps_its_analyst_out(
        redis: FakeRedis, clock: Clock) -> None:
    limiter = LoginLimiter(redis, "scr", b"k" * 32, LIMITS, clock=clock)
    results: dict[str, list[Attempt | Refused]] = {}
    for _ in range(200):  # over an hour, from 20 addresses, far past every limit
        for bot in range(20):
            address = f"6.6.6.{bot}"
            for _ in range(5):
                results.setdefault(address, []).append(
                    await attempt(limiter, address, "ana", ok=False))
        clock.now += 20
    for address, tries in results.items():
        assert isinstance(tries[-1], Refused) and tries[-1].reason == "pair", address
        # 3 guesses per 15 minutes from one address, give or take a window's edge.
        assert sum(isinstance(r, Attempt) for r in tries) <= 3 * (200 * 20 / 900 + 2)

    mine = await limiter.begin("10.0.0.7", "ana")  # the analyst, from their own desk
    assert isinstance(mine, Attempt), "locked out by someone else's failures"
    assert mine.delay_s == LIMITS.name_max_delay_s, "only slowed down, and not for long"
    await limiter.succeeded(mine)


async def test_one_address_gets_a_few_guesses_per_name_and_a_few_attempts_per_minute(
        redis: FakeRedis, clock: Clock) -> None:
    limiter = LoginLimiter(redis, "scr", b"k" * 32, LIMITS, clock=clock)
    for _ in range(3):
        assert isinstance(await attempt(limiter, "6.6.6.6", "ana", ok=False), Attempt)
    refused = await attempt(limiter, "6.6.6.6", "ana", ok=False)
    assert isinstance(refused, Refused) and refused.reason == "pair"
    assert 0 < refused.retry_after_s <= 900
    # Other names from the same address: until the address's own limit (10 a minute).
    names = [await attempt(limiter, "6.6.6.6", f"user{i}", ok=False) for i in range(10)]
    assert [isinstance(r, Attempt) for r in names] == [True] * 7 + [False] * 3
    assert isinstance(names[-1], Refused) and names[-1].reason == "address"
    clock.now += 120  # a minute later the address may try again (not the pair, yet)
    assert isinstance(await attempt(limiter, "6.6.6.6", "bo", ok=True), Attempt)
    assert isinstance(await attempt(limiter, "6.6.6.6", "ana", ok=False), Refused)
    clock.now += 1800
    assert isinstance(await attempt(limiter, "6.6.6.6", "ana", ok=False), Attempt)


async def test_the_right_password_clears_the_pairs_failures(
        redis: FakeRedis, clock: Clock) -> None:
    limiter = LoginLimiter(redis, "scr", b"k" * 32, LIMITS, clock=clock)
    for _ in range(2):
        await attempt(limiter, "10.0.0.7", "ana", ok=False)  # typos
    await attempt(limiter, "10.0.0.7", "ana", ok=True)
    for _ in range(3):
        assert isinstance(await attempt(limiter, "10.0.0.7", "ana", ok=False), Attempt)


async def test_refused_attempts_are_not_counted_and_no_subject_is_stored_in_clear(
        redis: FakeRedis, clock: Clock) -> None:
    limiter = LoginLimiter(redis, "scr", b"k" * 32, LIMITS, clock=clock)
    for _ in range(50):
        await attempt(limiter, "6.6.6.6", "ana", ok=False)
    values = {k: int(v) for k, v in redis.data.items() if ":addr:" in k}
    assert list(values.values()) == [3], "only the three checked attempts count"
    assert all(k.startswith("{console:scr}:signin:") for k in redis.data)
    assert not any("6.6.6.6" in k or "ana" in k for k in redis.data)
