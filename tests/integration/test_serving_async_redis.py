"""The serving hot path's Redis calls from the event loop, on real Redis: commands pipelined
across coroutines, rate-limit leases that never admit more than the shared bucket holds, and
the two-level prediction cache."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import redis

from mlaas.serving.cache import PredictionCache, cache_key
from mlaas.serving.ratelimit import LEASE_TTL_S, RateLimiter, lease_size
from mlaas.serving.redis_pipe import AutoPipeline

NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1
RECORD = {"age": 41, "plan": "pro"}


class CountingPipeline(AutoPipeline):
    """Counts the pipelines sent and the commands in each."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.batches: list[list[str]] = []

    async def _execute(self, batch: list[Any]) -> None:
        self.batches.append([str(command[0]) for command, _ in batch])
        await super()._execute(batch)


def test_commands_issued_in_one_turn_share_one_pipeline(redis_url: str, redis_prefix: str) -> None:
    pipe = CountingPipeline(redis_url)
    key = f"{redis_prefix}counter"

    async def scenario() -> list[Any]:
        first = await asyncio.gather(*(pipe.call("INCR", key) for _ in range(20)))
        second = await pipe.call("GET", key)
        return [first, second]

    first, second = asyncio.run(scenario())
    assert sorted(first) == list(range(1, 21))  # every caller got its own reply
    assert int(second) == 20
    assert [len(batch) for batch in pipe.batches] == [20, 1]


def test_an_error_reply_fails_only_its_own_command(redis_url: str, redis_prefix: str) -> None:
    pipe = AutoPipeline(redis_url)
    text, number = f"{redis_prefix}text", f"{redis_prefix}number"
    redis.Redis.from_url(redis_url).set(text, "not a number")

    async def scenario() -> list[Any]:
        return await asyncio.gather(
            pipe.call("INCR", text), pipe.call("INCR", number), return_exceptions=True
        )

    failed, counted = asyncio.run(scenario())
    assert isinstance(failed, redis.ResponseError)
    assert "not an integer" in str(failed)
    assert counted == 1


def test_an_unreachable_redis_fails_calls_and_counts_unanswered_sends() -> None:
    pipe = AutoPipeline(NOWHERE)

    async def scenario() -> Any:
        pipe.send("SET", "k", "v")
        try:
            await pipe.call("GET", "k")
        except (redis.RedisError, OSError) as error:
            return error
        return None

    assert asyncio.run(scenario()) is not None
    assert pipe.errors == 1


def test_leases_never_admit_more_than_the_shared_bucket_across_replicas(
    redis_url: str, redis_prefix: str
) -> None:
    """Three replicas, each with 50 concurrent requests of one key, on a bucket that (nearly)
    never refills: exactly the burst is admitted in all, however the leases fall."""
    replicas = [RateLimiter(redis_url, prefix=redis_prefix) for _ in range(3)]
    burst = 40

    async def replica(limiter: RateLimiter) -> int:
        answers = await asyncio.gather(
            *(limiter.allow_async("shared", rate_per_s=1e-3, burst=burst) for _ in range(50))
        )
        return sum(allowed for allowed, _ in answers)

    async def scenario() -> list[int]:
        return list(await asyncio.gather(*(replica(limiter) for limiter in replicas)))

    admitted = asyncio.run(scenario())
    assert sum(admitted) == burst
    assert all(limiter.errors == 0 for limiter in replicas)


def test_a_high_limit_costs_one_redis_call_per_lease(redis_url: str, redis_prefix: str) -> None:
    limiter = RateLimiter(redis_url, prefix=redis_prefix)
    counting = CountingPipeline(redis_url)
    limiter._pipe = counting
    rate, burst = 10_000.0, 20_000
    per_lease = lease_size(rate, burst)
    assert per_lease == 100  # 10 ms of the rate

    async def scenario() -> list[tuple[bool, float]]:
        return [
            await limiter.allow_async("busy", rate_per_s=rate, burst=burst) for _ in range(300)
        ]

    started = time.monotonic()
    answers = asyncio.run(scenario())
    refilled = rate * (time.monotonic() - started)
    assert all(allowed for allowed, _ in answers)
    assert sum(len(batch) for batch in counting.batches) == 3  # 300 requests, 3 leases
    tokens = float(redis.Redis.from_url(redis_url).hget(f"{redis_prefix}busy", "tokens") or 0)
    assert burst - 300 <= tokens <= burst - 300 + refilled  # the leases left the shared bucket


def test_a_refusal_is_remembered_until_its_retry_after(redis_url: str, redis_prefix: str) -> None:
    limiter = RateLimiter(redis_url, prefix=redis_prefix)
    counting = CountingPipeline(redis_url)
    limiter._pipe = counting

    async def scenario() -> list[tuple[bool, float]]:
        return [await limiter.allow_async("k", rate_per_s=1.0, burst=2) for _ in range(10)]

    answers = asyncio.run(scenario())
    assert [allowed for allowed, _ in answers] == [True, True] + [False] * 8
    assert all(0 < retry <= 1.0 for _, retry in answers[2:])
    assert sum(len(batch) for batch in counting.batches) == 3  # 2 leases of 1, 1 refusal


def test_leases_reload_the_script_after_a_flush_and_fall_back_when_redis_is_down(
    redis_url: str, redis_prefix: str
) -> None:
    limiter = RateLimiter(redis_url, prefix=redis_prefix)
    redis.Redis.from_url(redis_url).script_flush()  # EVALSHA now says NOSCRIPT
    assert asyncio.run(limiter.allow_async("k", rate_per_s=1, burst=1)) == (True, 0.0)
    assert limiter.errors == 0
    down = RateLimiter(NOWHERE)
    assert asyncio.run(down.allow_async("k", rate_per_s=1, burst=1)) == (True, 0.0)
    assert not asyncio.run(down.allow_async("k", rate_per_s=1e-3, burst=1))[0]  # local bucket
    assert down.errors == 2


def test_unused_lease_tokens_expire(redis_url: str, redis_prefix: str) -> None:
    limiter = RateLimiter(redis_url, prefix=redis_prefix)
    counting = CountingPipeline(redis_url)
    limiter._pipe = counting
    assert lease_size(1000.0, 160) == 10

    async def scenario() -> tuple[int, int]:
        await limiter.allow_async("k", rate_per_s=1000.0, burst=160)  # leases 10, uses 1
        held = limiter._leases["k"].tokens
        await asyncio.sleep(LEASE_TTL_S + 0.05)
        await limiter.allow_async("k", rate_per_s=1000.0, burst=160)  # a new lease
        return held, limiter._leases["k"].tokens

    assert asyncio.run(scenario()) == (9, 9)  # the 9 unused tokens were dropped, not kept
    assert len(counting.batches) == 2


def test_the_cache_answers_from_memory_then_from_another_replicas_entry(
    redis_url: str, redis_prefix: str
) -> None:
    writer = PredictionCache(redis_url, prefix=redis_prefix, ttl_s=30)
    reader = PredictionCache(redis_url, prefix=redis_prefix, ttl_s=30)
    shared = redis.Redis.from_url(redis_url)
    key = redis_prefix + cache_key("churn", "3", RECORD)

    async def scenario() -> list[Any]:
        missed = await reader.get_async("churn", "3", RECORD)
        writer.set("churn", "3", RECORD, {"output": "yes"})  # from the loop: sent, not awaited
        await asyncio.sleep(0.05)
        stored = shared.get(key), shared.ttl(key)
        from_redis = await reader.get_async("churn", "3", {**RECORD, "age": 41.0})
        shared.delete(key)
        from_memory = await reader.get_async("churn", "3", RECORD)  # no Redis entry needed
        return [missed, stored, from_redis, from_memory]

    missed, stored, from_redis, from_memory = asyncio.run(scenario())
    assert missed is None
    assert stored[0] == b'{"output": "yes"}'
    assert 0 < stored[1] <= 30
    assert from_redis == from_memory == {"output": "yes"}
    assert (reader.hits, reader.misses, reader.errors) == (2, 1, 0)


def test_the_cache_treats_an_unreachable_redis_as_a_miss_on_the_loop() -> None:
    cache = PredictionCache(NOWHERE)

    async def scenario() -> Any:
        cache.set("churn", "3", RECORD, "yes")  # kept in this replica; the write fails
        answer = await PredictionCache(NOWHERE).get_async("churn", "3", RECORD)
        await asyncio.sleep(0.05)
        return answer

    assert asyncio.run(scenario()) is None
    assert cache.errors == 1
    assert cache.get("churn", "3", RECORD) == "yes"
