"""The Celery worker's own /metrics: tasks by name and state, task durations, tasks running.

Tasks run in the worker's pool processes (prefork), so the metrics use `prometheus_client`'s
multiprocess mode: each process writes its values to files under one folder, and the worker's
main process serves them all, summed, with its own process collectors and build info, on
`MLAAS_WORKER_METRICS_PORT` (docs/metrics.md). `mlaas worker` calls `start` before Celery forks.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path
from typing import Any

from mlaas.settings import Settings

log = logging.getLogger("mlaas.worker")

DURATION_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
STATES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried", "REVOKED": "revoked"}


def metrics_folder(settings: Settings, node: str) -> Path:
    return settings.home / "worker-metrics" / node.replace("@", "_").replace("/", "_")


def start(settings: Settings, node: str) -> int | None:
    """Switch this process (and the pool it forks) to multiprocess metrics, connect the task
    signals and serve /metrics; returns the port, or None when off or the port is taken (the
    worker runs on: metrics are never a reason to stop consuming)."""
    if not settings.worker_metrics:
        return None
    folder = metrics_folder(settings, node)
    shutil.rmtree(folder, ignore_errors=True)  # a previous run's values are not this run's
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    from prometheus_client import values

    # Metrics made from now on write to files (the class is chosen when the module is imported).
    values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
    _connect_signals()
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    from mlaas.observability import runtime_registry

    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    own = runtime_registry("worker")  # the main process's CPU, memory, GC and build info
    registry.register(_Include(own))
    try:
        server, _ = start_http_server(
            settings.worker_metrics_port, addr=settings.worker_metrics_host, registry=registry
        )
    except OSError as error:
        log.warning(
            "worker metrics not served: port %s: %s (set MLAAS_WORKER_METRICS_PORT)",
            settings.worker_metrics_port,
            error,
        )
        return None
    port = int(server.server_address[1])

    return port


class _Include:
    """Another registry's metrics as one collector of this one."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry

    def collect(self) -> Any:
        return self.registry.collect()


def _connect_signals() -> None:
    from celery.signals import task_postrun, task_prerun, worker_init, worker_process_shutdown
    from prometheus_client import Counter, Gauge, Histogram

    tasks = Counter(
        "mlaas_worker_tasks_total",
        "Tasks the worker finished, by task name and state (succeeded, failed, retried).",
        ["task", "state"],
    )
    durations = Histogram(
        "mlaas_worker_task_duration_seconds",
        "Time a task ran in the worker, by task name and state.",
        ["task", "state"],
        buckets=DURATION_BUCKETS,
    )
    active = Gauge(
        "mlaas_worker_tasks_active",
        "Tasks running now, by task name.",
        ["task"],
        multiprocess_mode="livesum",
    )
    started: dict[str, float] = {}

    def before(task_id: str, task: Any, **_: Any) -> None:
        started[task_id] = time.perf_counter()
        active.labels(task_label(task)).inc()

    def after(task_id: str, task: Any, state: str | None = None, **_: Any) -> None:
        name, outcome = task_label(task), STATES.get(state or "", "other")
        active.labels(name).dec()
        tasks.labels(name, outcome).inc()
        began = started.pop(task_id, None)
        if began is not None:
            durations.labels(name, outcome).observe(time.perf_counter() - began)

    def process_gone(pid: int | None = None, **_: Any) -> None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid or os.getpid())  # type: ignore[no-untyped-call]

    def known_tasks(sender: Any = None, **_: Any) -> None:
        """Every platform task at 0 from the start, so its rates exist before it first runs."""
        for name in sorted(getattr(getattr(sender, "app", None), "tasks", {})):
            if name.startswith("mlaas."):
                active.labels(name)
                for outcome in ("succeeded", "failed"):
                    tasks.labels(name, outcome)
                    durations.labels(name, outcome)

    worker_init.connect(known_tasks, weak=False)
    task_prerun.connect(before, weak=False)
    task_postrun.connect(after, weak=False)
    worker_process_shutdown.connect(process_gone, weak=False)


def task_label(task: Any) -> str:
    """The platform's task names (`mlaas.*`) as they are; anything else as `other`."""
    name = str(getattr(task, "name", "") or "")
    return name if name.startswith("mlaas.") else "other"
