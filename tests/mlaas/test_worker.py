"""The platform worker: which queues it consumes, and how its readiness is probed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from kombu.entity import Queue

from mlaas.worker import consumed_queues, node_name, ping, ready_line, worker_argv

MLAAS = Path(sys.executable).parent / "mlaas"


@pytest.fixture
def platform_app(mlaas_home: Path) -> Iterator[Celery]:
    """The real platform app on the embedded SQLite broker of a fresh home."""
    from mlaas.tasks import celery_app

    celery_app.cache_clear()
    yield celery_app()
    celery_app.cache_clear()


def test_consume_the_default_declared_and_routed_queues() -> None:
    app = Celery("routes", set_as_current=False)
    app.conf.task_queues = [Queue("declared")]
    app.conf.task_routes = [
        {"train.*": {"queue": "training"}, "score": "scoring", "other": {"queue": Queue("q3")}},
        ("report.*", {"queue": "paired"}),
    ]
    assert consumed_queues(app) == ["celery", "declared", "paired", "q3", "scoring", "training"]


def test_consume_only_the_default_queue_when_nothing_is_routed() -> None:
    app = Celery("plain", set_as_current=False)
    app.conf.task_default_queue = "mlaas"
    app.conf.task_routes = {"a": {"exchange": "x"}}  # a route without a queue adds none
    assert consumed_queues(app) == ["mlaas"]


def test_route_every_platform_task_to_a_queue_the_worker_consumes(platform_app: Celery) -> None:
    consumed = set(consumed_queues(platform_app))
    tasks = [name for name in platform_app.tasks if name.startswith("mlaas.")]
    assert "mlaas.score_records" in tasks
    for name in tasks:
        queue = platform_app.amqp.router.route({}, name)["queue"].name
        assert queue in consumed, f"{name} goes to {queue!r}, which `mlaas worker` ignores"
    argv = worker_argv(platform_app, concurrency=2, node="n@host")
    assert f"--queues={','.join(sorted(consumed))}" in argv
    assert {"--concurrency=2", "--hostname=n@host"} <= set(argv)


def test_name_the_node_after_this_host() -> None:
    node = node_name()
    assert node.startswith("mlaas@") and node.split("@")[1]
    assert ready_line("up-1@h") == "up-1@h ready."


def test_leave_readiness_to_the_log_on_the_embedded_broker(platform_app: Celery) -> None:
    """kombu's SQL transport has no fanout exchange: a ping could never be answered."""
    assert ping(platform_app, node_name(), timeout=0.2) is None


def test_refuse_to_ping_through_the_embedded_broker_with_one_line(mlaas_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLAAS_")}
    env["MLAAS_HOME"] = str(mlaas_home)
    result = subprocess.run(
        [str(MLAAS), "worker", "ping", "--hostname", "w1@host"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        "error: the sqla+sqlite broker cannot broadcast pings; "
        "the worker's log says 'w1@host ready.' once it consumes"
    ], result.stderr


def test_a_taken_metrics_port_never_stops_the_worker(mlaas_home: Path) -> None:
    """The exporter is started before Celery forks; a port someone else holds costs the metrics
    (one warning naming the port and the setting), never the worker."""
    import socket

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        code = (
            "from mlaas import worker_metrics; from mlaas.settings import get_settings; "
            "print('port', worker_metrics.start(get_settings(), 'w@test'))"
        )
        env = dict(
            os.environ,
            MLAAS_HOME=str(mlaas_home),
            MLAAS_WORKER_METRICS="true",
            MLAAS_WORKER_METRICS_PORT=str(port),
        )
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "port None"
    assert f"worker metrics not served: port {port}" in run.stderr
    assert "MLAAS_WORKER_METRICS_PORT" in run.stderr
