"""The in-process token bucket (the Redis one is in tests/integration/)."""

from __future__ import annotations

import threading
import time

import pytest

from mlaas.serving.ratelimit import RateLimiter, ceil_seconds

RATE, BURST = 20.0, 5


def check_burst_then_refusal_then_recovery(limiter: RateLimiter, key: str) -> None:
    """Shared with the Redis test: the behaviour must not depend on the backend."""
    answers = [limiter.allow(key, rate_per_s=RATE, burst=BURST) for _ in range(BURST)]
    assert answers == [(True, 0.0)] * BURST
    allowed, retry_after = limiter.allow(key, rate_per_s=RATE, burst=BURST)
    assert not allowed
    assert 0.0 < retry_after <= 1 / RATE
    time.sleep(retry_after + 0.01)
    assert limiter.allow(key, rate_per_s=RATE, burst=BURST)[0]
    assert not limiter.allow(key, rate_per_s=RATE, burst=BURST)[0]
    assert limiter.allow(f"{key}-other", rate_per_s=RATE, burst=BURST) == (True, 0.0)


def check_concurrent_callers_never_exceed_the_bucket(limiter: RateLimiter, key: str) -> None:
    allowed = 0
    lock = threading.Lock()
    stop = time.monotonic() + 0.6

    def hammer() -> None:
        nonlocal allowed
        mine = 0
        while time.monotonic() < stop:
            mine += limiter.allow(key, rate_per_s=RATE, burst=BURST)[0]
        with lock:
            allowed += mine

    started = time.monotonic()
    threads = [threading.Thread(target=hammer) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    assert allowed <= BURST + RATE * elapsed + 1
    assert allowed >= BURST + RATE * 0.6 * 0.5  # and the bucket does refill under load


def test_allow_grants_the_burst_then_refuses_then_recovers() -> None:
    limiter = RateLimiter(None)
    assert limiter.backend == "memory"
    check_burst_then_refusal_then_recovery(limiter, "key-1")


def test_allow_is_atomic_under_concurrent_callers() -> None:
    check_concurrent_callers_never_exceed_the_bucket(RateLimiter(None), "key-1")


def test_allow_refills_up_to_the_burst_only() -> None:
    limiter = RateLimiter(None)
    limiter.allow("k", rate_per_s=100, burst=3)
    time.sleep(0.1)  # would be 10 tokens without the cap
    assert sum(limiter.allow("k", rate_per_s=100, burst=3)[0] for _ in range(10)) <= 4


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
