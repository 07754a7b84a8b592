"""The in-process token bucket (the Redis one is in tests/integration/), on a clock the test
moves, so no assertion depends on how fast the machine runs."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from mlaas.serving.ratelimit import RateLimiter, ceil_seconds

RATE, BURST = 1.0, 5  # one token a second: a stall of a whole second between calls to flake


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def check_burst_then_refusal_then_recovery(
    limiter: RateLimiter, key: str, wait: Callable[[float], None] = time.sleep
) -> None:
    """Shared with the Redis test: the behaviour must not depend on the backend. `wait` lets
    the bucket's clock move on (a sleep on Redis, which reads the server's clock)."""
    answers = [limiter.allow(key, rate_per_s=RATE, burst=BURST) for _ in range(BURST)]
    assert answers == [(True, 0.0)] * BURST
    allowed, retry_after = limiter.allow(key, rate_per_s=RATE, burst=BURST)
    assert not allowed
    assert 0.0 < retry_after <= 1 / RATE
    wait(retry_after + 0.01)
    assert limiter.allow(key, rate_per_s=RATE, burst=BURST)[0]
    assert not limiter.allow(key, rate_per_s=RATE, burst=BURST)[0]
    assert limiter.allow(f"{key}-other", rate_per_s=RATE, burst=BURST) == (True, 0.0)


def check_concurrent_callers_never_exceed_the_bucket(limiter: RateLimiter, key: str) -> None:
    """Six threads take from one bucket that (practically) never refills: exactly the burst
    is granted, however the threads interleave."""
    granted = 0
    lock = threading.Lock()
    start = threading.Barrier(6)

    def hammer() -> None:
        nonlocal granted
        start.wait()
        mine = sum(limiter.allow(key, rate_per_s=1e-6, burst=BURST)[0] for _ in range(200))
        with lock:
            granted += mine

    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert granted == BURST


def test_allow_grants_the_burst_then_refuses_then_recovers() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock)
    assert limiter.backend == "memory"
    check_burst_then_refusal_then_recovery(limiter, "key-1", clock.advance)


def test_allow_is_atomic_under_concurrent_callers() -> None:
    check_concurrent_callers_never_exceed_the_bucket(RateLimiter(None), "key-1")


def test_allow_refills_at_the_rate_up_to_the_burst_only() -> None:
    clock = FakeClock()
    limiter = RateLimiter(None, clock=clock)
    limiter.allow("k", rate_per_s=100, burst=3)
    clock.advance(0.02)  # two tokens back: 2 + 2, capped at 3
    assert sum(limiter.allow("k", rate_per_s=100, burst=3)[0] for _ in range(10)) == 3
    clock.advance(0.1)  # would be 10 tokens without the cap
    assert sum(limiter.allow("k", rate_per_s=100, burst=3)[0] for _ in range(10)) == 3


def test_allow_refuses_nonsense_limits() -> None:
    with pytest.raises(ValueError):
        RateLimiter(None).allow("k", rate_per_s=0, burst=5)
    with pytest.raises(ValueError):
        RateLimiter(None).allow("k", rate_per_s=1, burst=0)


def test_idle_buckets_are_pruned() -> None:
    limiter = RateLimiter(None)
    for i in range(5_000):
        limiter.allow(f"k{i}", rate_per_s=1e6, burst=2)
    assert len(limiter._buckets) < 5_000


def test_ceil_seconds_gives_a_whole_retry_after() -> None:
    assert [ceil_seconds(x) for x in (0.0, 0.04, 1.0, 1.2)] == [1, 1, 1, 2]
