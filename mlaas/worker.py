"""The platform's Celery worker: what it consumes, how it is named, how to tell it is up.

One worker serves every queue the app routes tasks to (async predictions, file scoring, training
jobs), so `mlaas worker` alone is enough on one machine. `mlaas up` and the compose healthcheck
use `ping` to know the worker is consuming; the embedded SQLite broker cannot broadcast, so there
the worker's own `ready.` log line is the signal.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from typing import Any

from celery import Celery
from kombu.entity import Queue

NODE_PREFIX = "mlaas"


def node_name(prefix: str = NODE_PREFIX) -> str:
    """Celery node name `<prefix>@<host>`, spelled out so a ping can target exactly it."""
    return f"{prefix}@{socket.gethostname()}"


def ready_line(node: str) -> str:
    """What the worker logs (at INFO) once it consumes."""
    return f"{node} ready."


def consumed_queues(app: Celery) -> list[str]:
    """Every queue a task can be sent to: the default, the declared ones and routing targets.

    A worker started without `-Q` consumes only the default queue plus `task_queues`; a route to
    another queue would leave its tasks waiting forever. Router functions cannot be read ahead of
    time, so a queue only they name must also be declared in `task_queues`.
    """
    conf = app.conf
    names = {str(conf.task_default_queue)}
    names.update(str(queue.name) for queue in conf.task_queues or ())
    routes = conf.task_routes or ()
    tables = [routes] if isinstance(routes, Mapping) else list(routes)
    for table in tables:
        if isinstance(table, Mapping):
            names.update(_route_queue(route) for route in table.values())
        elif isinstance(table, tuple) and len(table) == 2:  # (pattern, route) pairs
            names.add(_route_queue(table[1]))
    names.discard("")
    return sorted(names)


def _route_queue(route: Any) -> str:
    queue = route.get("queue", "") if isinstance(route, Mapping) else route
    return str(queue.name if isinstance(queue, Queue) else queue)


def worker_argv(app: Celery, *, concurrency: int, node: str) -> list[str]:
    """`celery worker` arguments for the platform worker."""
    return [
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        f"--hostname={node}",
        f"--queues={','.join(consumed_queues(app))}",
        "--without-gossip",
    ]


def can_broadcast(app: Celery) -> bool:
    """Remote control (ping) needs a fanout exchange: Redis has one, kombu's SQL transport not."""
    with app.connection_for_read() as connection:
        exchange_types: Iterable[str] = connection.transport.implements.exchange_type
        return "fanout" in exchange_types


def ping(app: Celery, node: str, timeout: float = 1.0) -> bool | None:
    """True when `node` answers a control ping within `timeout`; None when the broker cannot
    broadcast (then only the worker's log can tell)."""
    if not can_broadcast(app):
        return None
    replies = app.control.ping(destination=[node], timeout=timeout)
    return any(node in reply for reply in replies)
