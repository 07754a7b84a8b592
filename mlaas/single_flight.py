"""One blocking read per key at a time, for callers on an event loop.

When a value every request needs (an API key's record, a model's routing) expires, all the
requests in flight find it stale together; each reading it on its own sent dozens of identical
queries to the database at once, each on a connection the pool had to open and then close.
`SingleFlight` runs the read once, in a worker thread, and every caller of the same key awaits
that one task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

# A value in use is read again in the background during this last share of its time to live,
# so its requests never wait on the read.
REFRESH_AHEAD = 0.2


class SingleFlight:
    """`await run(key, read, *args)`: the result of the `read` in flight for `key` on this event
    loop, started if there is none; `start(...)` begins it without waiting (a refresh ahead)."""

    def __init__(self) -> None:
        self._tasks: dict[tuple[int, Hashable], asyncio.Task[Any]] = {}

    def start(self, key: Hashable, read: Callable[..., T], *args: Any) -> asyncio.Task[T]:
        import anyio.to_thread

        slot = (id(asyncio.get_running_loop()), key)
        task = self._tasks.get(slot)
        if task is None:
            task = asyncio.ensure_future(anyio.to_thread.run_sync(read, *args))
            self._tasks[slot] = task

            def done(finished: asyncio.Task[Any]) -> None:
                self._tasks.pop(slot, None)
                if not finished.cancelled():
                    finished.exception()  # a background read's error is its waiters' to see

            task.add_done_callback(done)
        return task

    async def refresh(
        self, key: Hashable, left_s: float, ttl_s: float, read: Callable[..., T], *args: Any
    ) -> T | None:
        """For a value with `left_s` of its `ttl_s` to live (negative: expired, or never read):
        the read's result when it has to be waited for; None while the value at hand holds,
        after starting its read in the background during the last REFRESH_AHEAD of its life."""
        if left_s < 0:
            return await self.run(key, read, *args)
        if left_s < ttl_s * REFRESH_AHEAD:
            self.start(key, read, *args)
        return None

    async def run(self, key: Hashable, read: Callable[..., T], *args: Any) -> T:
        # shield: a caller that is cancelled (its client left) does not cancel the others' read
        return await asyncio.shield(self.start(key, read, *args))
