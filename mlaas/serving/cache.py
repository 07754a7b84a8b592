"""Prediction cache: an in-process LRU with a TTL, in front of Redis when a URL is given.

The key is `model:version:sha256(canonical JSON of the record)`, so a new version can never be
answered from an old version's entry. Canonical JSON sorts keys and writes every number as a
float (1 and 1.0 are the same key; -0.0 is 0.0): the model sees float64 inputs, so records that
differ only in how a number was spelled get the same prediction and may share an entry. Strings
and booleans are kept as they are ("1", 1 and true are three different keys).

Entries never go stale (a key names its version, and a version's answer for a record never
changes), so each replica keeps the entries it read or wrote in its own LRU and asks Redis only
for the others: a hot record costs no round trip, and a record another replica scored costs one
(`get_async` on the event loop, pipelined with other requests' commands; writes from the loop
are sent without waiting). A cache must never fail a request: Redis errors count as misses (and
in `errors`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from mlaas.serving.redis_pipe import AutoPipeline

if TYPE_CHECKING:
    from redis import Redis


def _canonical_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        try:
            return float(value) + 0.0
        except OverflowError:  # beyond float64: keep the exact integer
            return value
    if isinstance(value, float):
        return value + 0.0  # -0.0 + 0.0 == 0.0
    if isinstance(value, Mapping):
        return {str(k): _canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_value(v) for v in value]
    raise TypeError(f"cannot cache a record holding {type(value).__name__}")


def canonical_json(record: Mapping[str, Any]) -> str:
    """The record as canonical JSON (sorted keys, numbers as floats, no spaces)."""
    return json.dumps(
        _canonical_value(record), sort_keys=True, separators=(",", ":"), allow_nan=False
    )


def cache_key(model: str, version: str, record: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(canonical_json(record).encode()).hexdigest()
    return f"{model}:{version}:{digest}"


class PredictionCache:
    """get/set JSON-serialisable outputs per (model, version, record); `None` is never cached."""

    def __init__(
        self,
        redis_url: str | None,
        *,
        max_entries: int = 10_000,
        ttl_s: float = 3600,
        prefix: str = "mlaas:pred:",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self._clock = clock  # the in-process entries' time (Redis expires keys itself)
        self.ttl_s = ttl_s
        self.prefix = prefix
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._local: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._redis: Redis | None = None
        self._pipe: AutoPipeline | None = None
        self._errors = 0
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
            self._pipe = AutoPipeline(redis_url)

    @property
    def backend(self) -> str:
        return "redis" if self._redis is not None else "memory"

    @property
    def errors(self) -> int:
        """Failed Redis calls (each a miss, or a write not shared with other replicas)."""
        return self._errors + (self._pipe.errors if self._pipe else 0)

    def __len__(self) -> int:
        return len(self._local)

    def get(
        self, model: str, version: str, record: Mapping[str, Any], *, shared: bool = True
    ) -> Any | None:
        """The cached output, or None on a miss (`shared=False`: this replica's entries only)."""
        return self.get_many(model, version, [record], shared=shared)[0]

    async def get_async(
        self, model: str, version: str, record: Mapping[str, Any], *, shared: bool = True
    ) -> Any | None:
        """`get` on the event loop: Redis (for an entry this replica has not seen) is awaited,
        pipelined with other requests' commands."""
        key = cache_key(model, version, record)
        value = self._recall([key])[0]
        if value is None and self._pipe is not None and shared:
            from redis import RedisError

            try:
                value = await self._pipe.call("GET", self.prefix + key)
            except (RedisError, OSError):
                self._count_error()
            if value is not None:
                self._remember([(key, value)])
        return self._found([value])[0]

    def set(
        self,
        model: str,
        version: str,
        record: Mapping[str, Any],
        output: Any,
        *,
        shared: bool = True,
    ) -> None:
        self.set_many(model, version, [record], [output], shared=shared)

    def get_many(
        self,
        model: str,
        version: str,
        records: Sequence[Mapping[str, Any]],
        *,
        shared: bool = True,
    ) -> list[Any | None]:
        """This replica's entries, then one round trip for the rest (MGET on Redis; not when
        `shared` is False); None where missed."""
        keys = [cache_key(model, version, r) for r in records]
        raw = self._recall(keys)
        absent = [i for i, value in enumerate(raw) if value is None]
        if absent and self._redis is not None and shared:
            from redis import RedisError

            try:
                fetched = self._redis.mget([self.prefix + keys[i] for i in absent])
            except RedisError:
                self._count_error()
                fetched = [None] * len(absent)
            found = []
            for i, value in zip(absent, fetched, strict=True):
                if value is not None:
                    raw[i] = value
                    found.append((keys[i], value))
            self._remember(found)
        return self._found(raw)

    def set_many(
        self,
        model: str,
        version: str,
        records: Sequence[Mapping[str, Any]],
        outputs: Sequence[Any],
        *,
        shared: bool = True,
    ) -> None:
        """Store in this replica and (`shared`) in Redis (from the event loop: sent, not
        waited for)."""
        if len(records) != len(outputs):
            raise ValueError("records and outputs differ in length")
        items = [
            (cache_key(model, version, r), json.dumps(o, allow_nan=False))
            for r, o in zip(records, outputs, strict=True)
            if o is not None
        ]
        if not items:
            return
        self._remember(items)
        if self._redis is None or self._pipe is None or not shared:
            return
        ttl = max(1, int(self.ttl_s))
        if _on_event_loop():
            for key, value in items:
                self._pipe.send("SET", self.prefix + key, value, "EX", ttl)
            return
        from redis import RedisError

        try:
            pipe = self._redis.pipeline(transaction=False)
            for key, value in items:
                pipe.set(self.prefix + key, value, ex=ttl)
            pipe.execute()
        except RedisError:
            self._count_error()

    def _found(self, raw: list[str | bytes | None]) -> list[Any | None]:
        found = [None if value is None else json.loads(value) for value in raw]
        hits = sum(value is not None for value in found)
        with self._lock:
            self.hits += hits
            self.misses += len(found) - hits
        return found

    def _count_error(self) -> None:
        with self._lock:
            self._errors += 1

    def _recall(self, keys: list[str]) -> list[str | bytes | None]:
        """This replica's unexpired entries for `keys` (None where absent)."""
        now = self._clock()
        found: list[str | bytes | None] = []
        with self._lock:
            for key in keys:
                entry = self._local.get(key)
                if entry is None or entry[0] <= now:
                    if entry is not None:
                        del self._local[key]
                    found.append(None)
                else:
                    self._local.move_to_end(key)
                    found.append(entry[1])
        return found

    def _remember(self, items: Sequence[tuple[str, str | bytes]]) -> None:
        expires = self._clock() + self.ttl_s
        with self._lock:
            for key, value in items:
                text = value.decode() if isinstance(value, bytes) else value
                self._local[key] = (expires, text)
                self._local.move_to_end(key)
            while len(self._local) > self.max_entries:
                self._local.popitem(last=False)


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True
