"""`mlaas up`'s parts with real processes and sockets: ports, readiness, stopping, environment.

The whole command runs end to end in tests/e2e/test_up.py (slow); these take seconds.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from mlaas.settings import Settings
from mlaas.up import (
    Service,
    UpError,
    check_ports,
    http_ready,
    platform_env,
    services,
    stop_all,
    wait_ready,
    with_free_ports,
    worker_ready,
)
from tests.factories import reset_platform_caches
from tests.servers import free_port, wait_for

# A process group whose leader ignores SIGTERM and whose child outlives it: Airflow's shape.
STUBBORN = "trap '' TERM; sleep 300 & sleep 300; wait"


def shell(
    name: str, script: str, log: Path, ready: Callable[[Service], bool] = lambda _: True
) -> Service:
    return Service(
        name=name,
        command=["sh", "-c", script],
        env={"PATH": os.environ["PATH"]},
        log_file=log,
        where="-",
        ready=ready,
    )


def group_members(service: Service) -> list[psutil.Process]:
    """Every live process in the service's process group (leader included)."""
    assert service.process is not None
    members = []
    for process in psutil.process_iter():
        try:
            if os.getpgid(process.pid) == service.process.pid:
                members.append(process)
        except ProcessLookupError:
            continue
    return members


@pytest.fixture
def settings(mlaas_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Free ports on a fresh embedded home (so the worker's broker is this home's SQLite)."""
    from mlaas.tasks import celery_app

    names = ("AIRFLOW", "MLFLOW_UI", "PREDICTION", "TRAINING", "MONITORING", "WORKER_METRICS")
    for name in names:
        monkeypatch.setenv(f"MLAAS_{name}_PORT", str(free_port()))
    reset_platform_caches()
    celery_app.cache_clear()
    yield Settings()
    reset_platform_caches()
    celery_app.cache_clear()


def test_port_zero_means_a_free_port_chosen_at_start(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLAAS_PREDICTION_PORT", "0")
    monkeypatch.setenv("MLAAS_TRAINING_PORT", "0")
    monkeypatch.setenv("MLAAS_MONITORING_PORT", "18002")
    chosen = with_free_ports(Settings())
    ports = (chosen.prediction_port, chosen.training_port)
    assert all(port > 0 for port in ports) and ports[0] != ports[1]
    assert chosen.monitoring_port == 18002  # a port that was set stays as it is
    planned = {s.name: s for s in services(chosen)}
    assert planned["Prediction"].port == ports[0]
    assert planned["Prediction"].where == f"http://127.0.0.1:{ports[0]}/docs"
    assert planned["Prediction"].command[planned["Prediction"].command.index("--port") + 1] == str(
        ports[0]
    )
    fixed = chosen.model_copy(update={"prediction_port": 18000, "training_port": 18001})
    assert with_free_ports(fixed) is fixed  # nothing to choose: the same settings


def test_plan_every_process_with_its_own_port_setting(settings: Settings) -> None:
    planned = {s.name: s for s in services(settings)}
    assert list(planned) == [
        "MLflow UI",
        "Airflow",
        "Worker",
        "Prediction",
        "Training",
        "Monitoring",
    ]
    for name, setting in (
        ("Prediction", "prediction_port"),
        ("Training", "training_port"),
        ("Monitoring", "monitoring_port"),
    ):
        port = getattr(settings, setting)
        assert planned[name].port == port
        assert planned[name].port_setting == f"MLAAS_{setting.upper()}"
        assert planned[name].where == f"http://127.0.0.1:{port}/docs"
        assert f"services.{name.lower()}.app:app" in planned[name].command
    worker = planned["Worker"]
    assert worker.command[1:4] == ["worker", "--concurrency", "2"]
    assert "queues: celery" in worker.where
    # Its /metrics port is checked like a service's, and reaches it through the environment.
    metrics = settings.worker_metrics_port
    assert (worker.port, worker.port_setting) == (metrics, "MLAAS_WORKER_METRICS_PORT")
    assert worker.env["MLAAS_WORKER_METRICS_PORT"] == str(metrics)
    assert worker.env["MLAAS_WORKER_METRICS"] == "true"  # on under `up` unless set to false
    assert f"metrics http://127.0.0.1:{metrics}/metrics" in worker.where
    off = {s.name: s for s in services(settings.model_copy(update={"worker_metrics": False}))}
    assert off["Worker"].port is None and "metrics" not in off["Worker"].where


def test_refuse_a_busy_port_before_starting_anything(settings: Settings) -> None:
    planned = services(settings)
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", settings.monitoring_port))
        blocker.listen()
        with pytest.raises(UpError) as error:
            check_ports(planned)
    assert str(error.value) == (
        f"port {settings.monitoring_port} for Monitoring is already in use; "
        "stop what holds it or set MLAAS_MONITORING_PORT"
    )
    assert all(s.process is None for s in planned)


def test_refuse_two_services_on_one_port(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLAAS_TRAINING_PORT", str(settings.prediction_port))
    reset_platform_caches()
    with pytest.raises(UpError, match="set MLAAS_TRAINING_PORT") as error:
        check_ports(services(Settings()))
    assert f"port {settings.prediction_port} is set for both Prediction and Training" in str(
        error.value
    )


def test_give_the_services_the_airflow_that_up_starts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The training service logs into `up`'s Airflow: its URL and the password file up wrote."""
    from mlaas.airflow_api import AirflowClient
    from mlaas.orchestration import ensure_admin_password

    password, _ = ensure_admin_password(settings)
    monkeypatch.setenv("MLAAS_AIRFLOW_API_URL", "http://elsewhere:8080")
    monkeypatch.setenv("MLAAS_AIRFLOW_PASSWORD", "meant-for-another-airflow")
    env = platform_env(settings)
    assert "MLAAS_AIRFLOW_PASSWORD" not in env
    for name, value in env.items():
        if name.startswith("MLAAS_"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("MLAAS_AIRFLOW_PASSWORD")
    reset_platform_caches()
    client = AirflowClient.from_settings()
    assert client.base_url == f"http://127.0.0.1:{settings.airflow_port}"
    assert (client.username, client.password) == ("admin", password)
    assert all(s.env == env for s in services(settings) if s.name not in ("MLflow UI", "Airflow"))


def test_wait_until_ready_and_fail_with_the_log_of_a_process_that_died(tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    slow = shell("Slow", f"sleep 0.5; touch {flag}; sleep 300", tmp_path / "slow.log")
    slow.ready = lambda _: flag.exists()
    dying = shell("Dying", "echo boom; exit 3", tmp_path / "dying.log", ready=lambda _: False)
    said: list[str] = []
    try:
        slow.start()
        wait_ready([slow], timeout=30, say=said.append)
        assert said and said[0].startswith("  Slow ready (")
        dying.start()
        with pytest.raises(UpError) as error:
            wait_ready([slow, dying], timeout=30, say=said.append)
        assert str(error.value) == f"Dying exited with 3; see {tmp_path / 'dying.log'}"
        assert (tmp_path / "dying.log").read_text() == "boom\n"
    finally:
        stop_all([slow, dying], grace=2)


def test_time_out_naming_the_service_and_its_log(tmp_path: Path) -> None:
    unanswered = http_ready(f"http://127.0.0.1:{free_port()}/health/ready")
    never = shell("Never", "sleep 300", tmp_path / "never.log", ready=unanswered)
    try:
        never.start()
        with pytest.raises(UpError) as error:
            wait_ready([never], timeout=1, say=lambda _: None)
        assert str(error.value) == f"Never not ready after 1s; see {tmp_path / 'never.log'}"
    finally:
        stop_all([never], grace=2)


def test_take_the_worker_as_ready_only_from_this_runs_log(
    settings: Settings, tmp_path: Path
) -> None:
    """The embedded broker cannot answer pings; an earlier run's `ready.` line must not count."""
    log = tmp_path / "worker.log"
    log.write_text("[...] up-1@host ready.\n")  # the previous run, same log (appended)
    script = "sleep 1; echo '[...] up-1@host ready.'; sleep 300"
    fake = shell("Worker", script, log, ready=worker_ready("up-1@host"))
    try:
        fake.start()
        assert fake.log_offset == len("[...] up-1@host ready.\n")
        assert not fake.ready(fake)
        wait_ready([fake], timeout=30, say=lambda _: None)
    finally:
        stop_all([fake], grace=2)


def test_stop_every_group_including_children_that_ignore_sigterm(tmp_path: Path) -> None:
    polite = shell("Polite", "sleep 300 & wait", tmp_path / "polite.log")
    stubborn = shell("Stubborn", STUBBORN, tmp_path / "stubborn.log")
    polite.start()
    stubborn.start()
    members: list[psutil.Process] = []

    def forked() -> bool:  # two shells, each with a child once they have forked
        members[:] = [*group_members(polite), *group_members(stubborn)]
        return len(members) >= 4

    wait_for(forked, 30, "the shells to fork their children")
    stop_all([polite, stubborn], grace=1)
    assert polite.exit_code() is not None and stubborn.exit_code() is not None
    _, alive = psutil.wait_procs(members, timeout=5)
    assert not alive, [p.pid for p in alive]


def test_the_dashboard_is_served_only_once_built(tmp_path: Path) -> None:
    """`mlaas up` serves dashboard/dist with `vite preview`, proxying to the ports it chose."""
    from mlaas.up import dashboard_service

    project = tmp_path / "project"
    settings = Settings(
        project_dir=project, home=tmp_path / "home", prediction_port=7000, dashboard_port=7003
    )
    assert dashboard_service(settings) is None  # not built: `up` starts without it
    (project / "dashboard" / "dist").mkdir(parents=True)
    (project / "dashboard" / "dist" / "index.html").write_text("<!doctype html>")
    assert dashboard_service(settings) is None  # built, but no vite to serve it
    vite = project / "dashboard" / "node_modules" / ".bin" / "vite"
    vite.parent.mkdir(parents=True)
    vite.touch()
    service = dashboard_service(settings)
    assert service is not None
    assert service.command[:4] == [str(vite), "preview", "--port", "7003"]
    assert service.cwd == project / "dashboard" and service.where == "http://127.0.0.1:7003"
    assert service.env["MLAAS_DASHBOARD_PREDICTION_URL"] == "http://127.0.0.1:7000"
    assert service.port_setting == "MLAAS_DASHBOARD_PORT"
