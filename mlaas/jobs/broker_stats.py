"""The Celery side of training, as numbers: queued messages and live workers.

Both ask the broker, so both are bounded by a short timeout and cached: a metrics scrape must
never hang on a slow broker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock

CACHE_S = 15.0
_cache: dict[str, tuple[float, int | None]] = {}
_lock = Lock()


def _cached(name: str, compute: Callable[[], int]) -> int | None:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(name)
        if hit is not None and hit[0] > now:
            return hit[1]
    try:
        value: int | None = compute()
    except Exception:  # noqa: BLE001 - the broker is down or does not support the call
        value = None
    with _lock:
        _cache[name] = (now + CACHE_S, value)
    return value


def queue_depth(queue: str = "celery") -> int | None:
    """Messages waiting in the task queue (None: the broker did not answer)."""
    from mlaas.tasks import celery_app

    def compute() -> int:
        with celery_app().connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1.0)
            declared = conn.default_channel.queue_declare(queue=queue, passive=True)
            return int(declared.message_count)

    return _cached(f"depth:{queue}", compute)


def worker_count(timeout_s: float = 1.0) -> int | None:
    """Workers that answered a ping within `timeout_s`.

    None when unknown: the broker is down, or it is the embedded SQL broker, which has no
    broadcast (fanout) channel, so a ping would reach no worker and wait in vain.
    """
    from mlaas.settings import get_settings
    from mlaas.tasks import celery_app

    if get_settings().celery_broker_url.startswith("sqla+"):
        return None

    def compute() -> int:
        replies = celery_app().control.inspect(timeout=timeout_s).ping() or {}
        return len(replies)

    return _cached("workers", compute)


def forget() -> None:
    with _lock:
        _cache.clear()
