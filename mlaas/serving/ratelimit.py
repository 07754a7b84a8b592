"""Per-key token buckets: one atomic Lua script on Redis (shared by every replica), or a locked
dict in this process.

A bucket holds up to `burst` tokens and refills at `rate_per_s`; a request takes one token or is
refused with the seconds until one is back. On Redis the script reads the server clock (`TIME`),
so replicas with skewed clocks agree, and each bucket key expires once it would be full again.
If Redis is unreachable the limiter falls back to this process's own buckets (and counts
`errors`): limits still hold per replica, no request waits on a dead server, and the shared
buckets take over again as soon as Redis answers (they start full: a key may get one extra burst
right after the outage).

The service's requests (`allow_async`, on the event loop) take tokens from the shared bucket in
leases: a replica takes up to `lease_size` tokens in one script call and admits that many
requests without asking Redis again. Tokens leave the shared bucket before they are used, so
the replicas together never admit more than the bucket holds; a lease is used within
`LEASE_TTL_S` or dropped (a key that stops sending leaves at most one lease per replica unused).
Small limits lease one token at a time (exact to the request); a key with a high limit costs
one Redis call per lease, not per request. A refusal is remembered until its retry-after:
no token can appear in the shared bucket before then, whoever asks.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlaas.serving.redis_pipe import AutoPipeline

if TYPE_CHECKING:
    from redis import Redis

TOKEN_BUCKET_LUA = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local want = tonumber(ARGV[3] or '1')
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local granted = 0
local retry_after = 0
if tokens >= 1 then
  granted = math.min(want, math.floor(tokens))
  tokens = tokens - granted
else
  retry_after = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {granted, tostring(retry_after)}
"""

_PRUNE_EVERY = 4096
LEASE_WINDOW_S = 0.01  # a lease holds at most this long's worth of the rate...
LEASE_SHARE = 16  # ... and at most this fraction of the burst
LEASE_TTL_S = 0.5  # tokens of a lease not used by then are dropped


def lease_size(rate_per_s: float, burst: int) -> int:
    """Tokens a replica takes from the shared bucket at once: 1 for small limits (exact), up
    to 10 ms of the rate for large ones (one Redis call per lease instead of per request)."""
    return max(1, min(int(rate_per_s * LEASE_WINDOW_S), burst // LEASE_SHARE))


class _Lease:
    __slots__ = ("expires", "refused_until", "tokens")

    def __init__(self) -> None:
        self.tokens = 0
        self.expires = 0.0
        self.refused_until = 0.0


class RateLimiter:
    """`allow(key_id, rate_per_s=, burst=) -> (allowed, retry_after_s)`."""

    def __init__(
        self,
        redis_url: str | None,
        *,
        prefix: str = "mlaas:rl:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.prefix = prefix
        self._clock = clock  # the in-process buckets' time (Redis reads the server's)
        self.errors = 0
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float, float, float]] = {}
        self._calls = 0
        self._redis: Redis | None = None
        self._script: Any = None
        self._pipe: AutoPipeline | None = None
        self._sha = hashlib.sha1(TOKEN_BUCKET_LUA.encode()).hexdigest()
        self._leases: dict[str, _Lease] = {}
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
            # register_script runs EVALSHA and falls back to EVAL (loading it) on NOSCRIPT.
            self._script = self._redis.register_script(TOKEN_BUCKET_LUA)
            self._pipe = AutoPipeline(redis_url)

    @property
    def backend(self) -> str:
        return "redis" if self._redis is not None else "memory"

    def allow(self, key_id: str, *, rate_per_s: float, burst: int) -> tuple[bool, float]:
        """Take one token from `key_id`'s bucket; when empty, say how long until the next one."""
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        if self._script is not None:
            return self._allow_redis(key_id, rate_per_s, burst)
        return self._allow_local(key_id, rate_per_s, burst)

    async def allow_async(
        self, key_id: str, *, rate_per_s: float, burst: int
    ) -> tuple[bool, float]:
        """`allow` for the event loop: Redis is asked only for a new lease, without blocking
        (pipelined with other requests' commands); must be called from one event loop."""
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        if self._pipe is None:
            return self._allow_local(key_id, rate_per_s, burst)
        now = time.monotonic()
        lease = self._leases.get(key_id)
        if lease is None:
            lease = self._leases[key_id] = _Lease()
            if len(self._leases) % _PRUNE_EVERY == 0:
                self._leases = {k: v for k, v in self._leases.items() if v.expires > now}
                self._leases[key_id] = lease
        if lease.tokens > 0 and lease.expires > now:
            lease.tokens -= 1
            return True, 0.0
        if lease.refused_until > now:
            return False, lease.refused_until - now
        from redis.exceptions import NoScriptError, RedisError

        command = (self.prefix + key_id, rate_per_s, burst, lease_size(rate_per_s, burst))
        try:
            try:
                granted, retry_after = await self._pipe.call("EVALSHA", self._sha, 1, *command)
            except NoScriptError:  # a new or flushed server: EVAL loads it again
                granted, retry_after = await self._pipe.call("EVAL", TOKEN_BUCKET_LUA, 1, *command)
        except (RedisError, OSError):
            self.errors += 1
            return self._allow_local(key_id, rate_per_s, burst)
        granted, retry_after = int(granted), float(retry_after)
        if granted == 0:
            lease.refused_until = now + retry_after
            return False, retry_after
        # Concurrent requests of one key may each have leased: keep every unexpired token.
        kept = lease.tokens if lease.expires > now else 0
        lease.tokens, lease.expires = kept + granted - 1, time.monotonic() + LEASE_TTL_S
        return True, 0.0

    def _allow_redis(self, key_id: str, rate: float, burst: int) -> tuple[bool, float]:
        from redis import RedisError

        try:
            allowed, retry_after = self._script(keys=[self.prefix + key_id], args=[rate, burst])
        except RedisError:
            with self._lock:
                self.errors += 1
            return self._allow_local(key_id, rate, burst)
        return bool(int(allowed)), float(retry_after)

    def _allow_local(self, key_id: str, rate: float, burst: int) -> tuple[bool, float]:
        with self._lock:
            now = self._clock()  # read under the lock, or a late thread rewinds the bucket
            tokens, ts, _, _ = self._buckets.get(key_id, (float(burst), now, rate, burst))
            tokens = min(float(burst), tokens + max(0.0, now - ts) * rate)
            if tokens >= 1.0:
                allowed, retry_after = True, 0.0
                tokens -= 1.0
            else:
                allowed, retry_after = False, (1.0 - tokens) / rate
            self._buckets[key_id] = (tokens, now, rate, burst)
            self._calls += 1
            if self._calls % _PRUNE_EVERY == 0:
                self._prune(now)
        return allowed, retry_after

    def _prune(self, now: float) -> None:
        """Forget buckets that have refilled: a full bucket is the same as no bucket."""
        full = [
            key
            for key, (tokens, ts, rate, burst) in self._buckets.items()
            if tokens + (now - ts) * rate >= burst
        ]
        for key in full:
            del self._buckets[key]


def ceil_seconds(retry_after_s: float) -> int:
    """The `Retry-After` header value (whole seconds, at least 1)."""
    return max(1, math.ceil(retry_after_s))
