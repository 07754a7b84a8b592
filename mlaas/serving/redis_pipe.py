"""Redis from the event loop, pipelined across requests.

The prediction service's hot path asks Redis something for nearly every request (a cache entry,
now and then a rate-limit lease). A blocking client on the event loop stalls every other
request for a round trip; a blocking client in a worker thread costs two thread hops and a GIL
hand-over per call (measured: 1,000 req/s where the embedded path served 4,000, bench/
serving_full_stack.py). redis-py's asyncio client waits without blocking, but still sends one
command per round trip. `AutoPipeline` queues the commands coroutines issue during one turn of
the event loop and sends them as one pipeline (one write on one pooled connection) on the next
turn (what ioredis calls
auto-pipelining; redis-py has no such mode): under load, N concurrent requests share one write,
one read and one wake-up.

Each command's future gets its own reply or its own error; a connection error fails every
command of that pipeline (callers treat it as they would a failed single call).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from redis.asyncio import Redis

Command = tuple[Any, ...]
SEND_DELAY_S = 0.002  # how long a write nobody waits for may wait for a pipeline to ride with


class AutoPipeline:
    """`await call(*command)`: one Redis command, sent with every other command issued in the
    same event-loop turn; `send(*command)`: the same without waiting for the reply."""

    def __init__(self, url: str, *, timeout_s: float = 0.5) -> None:
        self._url = url
        self._timeout_s = timeout_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: Redis | None = None
        self._queue: list[tuple[Command, asyncio.Future[Any] | None]] = []
        self._in_flight: set[asyncio.Task[None]] = set()
        self._flush_soon = False  # a flush is scheduled for the next turn of the loop
        self._flush_later = False  # ... or only after SEND_DELAY_S (nothing waits on it)
        self.errors = 0  # failed commands whose caller did not wait (send)

    async def call(self, *command: Any) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._enqueue(loop, command, future)
        if not self._flush_soon:
            self._flush_soon = True
            loop.call_soon(self._flush)
        return await future

    def send(self, *command: Any) -> None:
        """Queue a command whose reply nobody needs (a cache write); must run on the loop. It
        rides with the next `call`'s pipeline, or goes on its own within SEND_DELAY_S."""
        loop = asyncio.get_running_loop()
        self._enqueue(loop, command, None)
        if not self._flush_soon and not self._flush_later:
            self._flush_later = True
            loop.call_later(SEND_DELAY_S, self._flush)

    def _enqueue(
        self, loop: asyncio.AbstractEventLoop, command: Command, future: asyncio.Future[Any] | None
    ) -> None:
        if loop is not self._loop:  # an asyncio client belongs to the loop that made it
            self._loop, self._client, self._queue = loop, None, []
            self._flush_soon = self._flush_later = False
        self._queue.append((command, future))

    def _flush(self) -> None:
        self._flush_soon = self._flush_later = False
        batch, self._queue = self._queue, []
        if not batch or self._loop is None:
            return
        task = self._loop.create_task(self._execute(batch))
        self._in_flight.add(task)  # the loop keeps only weak references to tasks
        task.add_done_callback(self._in_flight.discard)

    def _redis(self) -> Redis:
        if self._client is None:
            import redis.asyncio

            self._client = redis.asyncio.Redis.from_url(
                self._url, socket_timeout=self._timeout_s, socket_connect_timeout=self._timeout_s
            )
        return self._client

    async def _execute(self, batch: list[tuple[Command, asyncio.Future[Any] | None]]) -> None:
        """Write the batch on one pooled connection, read a reply per command. Straight on the
        connection rather than through redis-py's Pipeline object, whose bookkeeping is paid per
        batch of a few commands (measured: 0.300 vs 0.311 ms of server CPU per cache-miss
        request at 8 connections, three runs each)."""
        from redis import RedisError
        from redis.exceptions import ResponseError

        replies: list[Any] = []
        pool = self._redis().connection_pool
        try:
            conn = await pool.get_connection()  # type: ignore[no-untyped-call]
        except (RedisError, OSError) as error:
            replies = [error] * len(batch)
        else:
            try:
                await conn.send_packed_command(conn.pack_commands([c for c, _ in batch]))
                for _ in batch:
                    try:
                        replies.append(await conn.read_response())
                    except ResponseError as error:  # this command's error; the rest read on
                        replies.append(error)
            except (RedisError, OSError) as error:
                await conn.disconnect()  # replies may be left unread: never reuse it
                replies = [error] * len(batch)
            except BaseException:
                await conn.disconnect()
                raise
            finally:
                await pool.release(conn)
        for (_, future), reply in zip(batch, replies, strict=True):
            failed = isinstance(reply, Exception)
            if future is None:
                self.errors += failed
            elif not future.done():  # a caller that gave up (cancelled) wants nothing
                if failed:
                    future.set_exception(reply)
                else:
                    future.set_result(reply)
