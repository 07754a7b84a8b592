"""`mlaas up`: the platform on one machine, on its embedded defaults.

Prepares the home folder, creates the admin credentials once, trains every shipped model through
its Airflow DAG when it has no champion yet, then starts the MLflow UI, Airflow standalone, the
Celery worker and the prediction, training and monitoring services (and, when built and
installed, the dashboard and Prometheus), each in its own process group. It waits until each
is ready, prints where they are, and on Ctrl-C (or SIGTERM) stops every process it started.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mlaas.orchestration import (
    airflow_env,
    bin_path,
    ensure_admin_password,
    run_dag,
    venv_env,
)
from mlaas.settings import Settings, get_settings, init_home

Say = Callable[[str], None]

READY_TIMEOUT_S = 180.0
STOP_GRACE_S = 20.0
WORKER_CONCURRENCY = 2  # one task at a time per core on the reference 2-core machine


class UpError(OSError):
    """A step of `mlaas up` failed (busy port, a process that died, a failed DAG run); the
    message says which and where its log is."""


@dataclass
class Service:
    """One long-running child of `mlaas up`: its command, its log, how to tell it is ready."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_file: Path
    where: str  # printed once it is up: a URL, or the worker's node and queues
    ready: Callable[[Service], bool]
    port: int | None = None
    port_setting: str = ""  # the MLAAS_* variable that moves it
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_offset: int = 0  # where this run's output starts in the (appended) log

    def start(self) -> None:
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as sink:
            self.log_offset = sink.tell()
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd,
                start_new_session=True,  # own process group: one signal stops all its children
            )

    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def new_log(self) -> str:
        """What this run has logged so far."""
        with self.log_file.open("rb") as log:
            log.seek(self.log_offset)
            return log.read().decode(errors="replace")

    def signal_group(self, sig: signal.Signals) -> None:
        """Signal the whole group: idle children (Airflow's workers) can outlive the leader."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float) -> bool:
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            return False
        return True


def http_ready(url: str) -> Callable[[Service], bool]:
    """Ready once `url` answers 2xx/3xx."""

    def check(_: Service) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:  # refused, timed out, or an HTTPError such as 503 while loading
            return False

    return check


def worker_ready(node: str) -> Callable[[Service], bool]:
    """Ready once the worker answers a ping, or (broker without broadcast) logs that it is."""
    from mlaas.tasks import celery_app
    from mlaas.worker import ping, ready_line

    def check(service: Service) -> bool:
        answered = ping(celery_app(), node, timeout=1.0)
        if answered is None:
            return ready_line(node) in service.new_log()
        return answered

    return check


PORT_SETTINGS = (
    "mlflow_ui_port",
    "airflow_port",
    "prediction_port",
    "training_port",
    "monitoring_port",
    "dashboard_port",
    "prometheus_port",
    "worker_metrics_port",
)


def with_free_ports(settings: Settings) -> Settings:
    """Port 0 means "any free port": the OS picks one for each such setting just before the
    processes start (all held open together, so no two get the same), and `up` prints it."""
    wanted = [name for name in PORT_SETTINGS if getattr(settings, name) == 0]
    if not wanted:
        return settings
    sockets = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in wanted]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        chosen = {name: sock.getsockname()[1] for name, sock in zip(wanted, sockets, strict=True)}
    finally:
        for sock in sockets:
            sock.close()
    return settings.model_copy(update=chosen)


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def check_ports(services: list[Service]) -> None:
    """Fail before starting anything: a busy port, or two services set to the same one."""
    taken: dict[int, Service] = {}
    for service in services:
        if service.port is None:
            continue
        other = taken.setdefault(service.port, service)
        if other is not service:
            raise UpError(
                f"port {service.port} is set for both {other.name} and {service.name}; "
                f"set {service.port_setting} to another port"
            )
        if port_in_use(service.port):
            raise UpError(
                f"port {service.port} for {service.name} is already in use; "
                f"stop what holds it or set {service.port_setting}"
            )


def credentials_file(settings: Settings) -> Path:
    return settings.home / "credentials.json"


def mlflow_auth_config(settings: Settings) -> Path:
    """MLflow's basic-auth config for the UI server `up` runs, written once: its own users DB
    in the home and an `admin` with a generated password (MLflow creates that user the first
    time the server starts on an empty users DB). Unauthenticated requests get a 401."""
    path = settings.home / "mlflow-auth.ini"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "[mlflow]\n"
            "default_permission = READ\n"
            f"database_uri = sqlite:///{settings.home / 'mlflow-auth.db'}\n"
            "admin_username = admin\n"
            f"admin_password = {secrets.token_urlsafe(12)}\n"
            "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
            "\n[mlaas]\n"  # MLflow reads [mlflow] only; its CSRF key for this server:
            f"flask_secret_key = {secrets.token_urlsafe(32)}\n"
        )
        path.chmod(0o600)
    return path


def _mlflow_auth_value(settings: Settings, name: str) -> str:
    for line in mlflow_auth_config(settings).read_text().splitlines():
        if line.startswith(f"{name} = "):
            return line.split(" = ", 1)[1]
    raise UpError(f"{settings.home / 'mlflow-auth.ini'} has no {name}")


def mlflow_admin_password(settings: Settings) -> str:
    return _mlflow_auth_value(settings, "admin_password")


def ensure_credentials(settings: Settings, say: Say) -> dict[str, str]:
    """Airflow's and MLflow's admin passwords and an admin API key; the key is printed only
    when created."""
    from mlaas.auth import create_key

    password, _ = ensure_admin_password(settings)
    path = credentials_file(settings)
    if path.exists():
        record: dict[str, str] = json.loads(path.read_text())
    else:
        key, api_key = create_key("admin (created by mlaas up)", ["admin"])
        record = {"api_key_prefix": api_key.prefix}
        path.write_text(json.dumps(record))
        path.chmod(0o600)
        say(f"Admin API key (shown once, store it now): {key}")
    return {
        "airflow_user": "admin",
        "airflow_password": password,
        "mlflow_password": mlflow_admin_password(settings),
        **record,
    }


def models_without_champion(settings: Settings) -> list[str]:
    from mlaas.registry import CHAMPION, version_for_alias
    from mlaas.specs import load_specs

    return [
        spec.name
        for spec in load_specs(settings.specs_dir)
        if version_for_alias(spec.name, CHAMPION) is None
    ]


def train_missing_champions(settings: Settings, missing: list[str], say: Say) -> None:
    from mlaas.orchestration import migrate_airflow_db

    if not missing:
        say("Every shipped model has a champion; skipping training.")
        return
    say("Preparing Airflow's metadata DB ...")
    migrate_airflow_db(settings)
    for model in missing:
        log_file = settings.home / "logs" / f"pipeline-{model}.log"
        say(f"Training {model} through its DAG (log: {log_file}) ...")
        started = time.monotonic()
        ok = run_dag(
            model, conf={"trigger": "mlaas up"}, log_file=log_file, on_line=lambda s: say(f"  {s}")
        )
        if not ok:
            raise UpError(f"pipeline DAG for {model} failed; see {log_file}")
        say(f"  {model}: done in {time.monotonic() - started:.0f}s")


def worker_metrics_on(settings: Settings) -> bool:
    """`up` runs the worker with its exporter unless MLAAS_WORKER_METRICS says otherwise."""
    return settings.worker_metrics or "worker_metrics" not in settings.model_fields_set


def platform_env(settings: Settings) -> dict[str, str]:
    """Environment of the worker and the services: this home, and the Airflow `up` starts.

    The training service triggers DAG runs through Airflow's REST API; that Airflow knows only
    `admin`, whose password is the file under `MLAAS_AIRFLOW_HOME` (read when
    `MLAAS_AIRFLOW_PASSWORD` is unset), so a password meant for another Airflow is not passed on.
    """
    env = venv_env()
    env.pop("MLAAS_AIRFLOW_PASSWORD", None)
    env.update(
        MLAAS_HOME=str(settings.home),
        MLAAS_PROJECT_DIR=str(settings.project_dir),
        MLAAS_AIRFLOW_HOME=str(settings.airflow_home),
        MLAAS_AIRFLOW_API_URL=f"http://127.0.0.1:{settings.airflow_port}",
        MLAAS_AIRFLOW_USERNAME="admin",
        MLAAS_WORKER_METRICS=str(worker_metrics_on(settings)).lower(),
        MLAAS_WORKER_METRICS_PORT=str(settings.worker_metrics_port),
    )
    return env


def uvicorn_service(
    name: str, module: str, port: int, port_setting: str, settings: Settings
) -> Service:
    """One of the three REST services; ready when `/health/ready` answers 200."""
    url = f"http://127.0.0.1:{port}"
    return Service(
        name=name,
        command=[
            bin_path("uvicorn"),
            f"services.{module}.app:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=platform_env(settings),
        log_file=settings.home / "logs" / f"{module}.log",
        where=f"{url}/docs",
        ready=http_ready(f"{url}/health/ready"),
        port=port,
        port_setting=port_setting,
    )


def worker_service(settings: Settings) -> Service:
    from mlaas.tasks import celery_app
    from mlaas.worker import consumed_queues, node_name

    node = node_name(f"up-{os.getpid()}")  # this run's worker, not a leftover with the same name
    queues = ", ".join(consumed_queues(celery_app()))
    metrics = ""
    if worker_metrics_on(settings):
        metrics = f"; metrics http://127.0.0.1:{settings.worker_metrics_port}/metrics"
    return Service(
        name="Worker",
        command=[
            bin_path("mlaas"),
            "worker",
            "--concurrency",
            str(WORKER_CONCURRENCY),
            "--hostname",
            node,
        ],
        env=platform_env(settings),
        log_file=settings.home / "logs" / "worker.log",
        where=f"Celery node {node}, queues: {queues}" + metrics,
        ready=worker_ready(node),
        port=settings.worker_metrics_port if worker_metrics_on(settings) else None,
        port_setting="MLAAS_WORKER_METRICS_PORT",
    )


def services(settings: Settings) -> list[Service]:
    logs = settings.home / "logs"
    airflow_url = f"http://127.0.0.1:{settings.airflow_port}"
    mlflow_url = f"http://127.0.0.1:{settings.mlflow_ui_port}"
    return [
        Service(
            name="MLflow UI",
            command=[
                bin_path("mlflow"),
                "server",
                "--backend-store-uri",
                settings.mlflow_tracking_uri,
                "--default-artifact-root",
                settings.mlflow_artifact_root,
                "--host",
                "127.0.0.1",
                "--port",
                str(settings.mlflow_ui_port),
                "--workers",
                "1",
                "--app-name",
                "basic-auth",
            ],
            env=dict(
                venv_env(),
                MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false",
                MLFLOW_AUTH_CONFIG_PATH=str(mlflow_auth_config(settings)),
                MLFLOW_FLASK_SERVER_SECRET_KEY=_mlflow_auth_value(settings, "flask_secret_key"),
            ),
            log_file=logs / "mlflow.log",
            where=mlflow_url,
            ready=http_ready(f"{mlflow_url}/health"),
            port=settings.mlflow_ui_port,
            port_setting="MLAAS_MLFLOW_UI_PORT",
        ),
        Service(
            name="Airflow",
            command=[bin_path("airflow"), "standalone"],
            env=airflow_env(settings),
            log_file=logs / "airflow.log",
            where=airflow_url,
            ready=http_ready(f"{airflow_url}/api/v2/monitor/health"),
            port=settings.airflow_port,
            port_setting="MLAAS_AIRFLOW_PORT",
        ),
        worker_service(settings),
        uvicorn_service(
            "Prediction", "prediction", settings.prediction_port, "MLAAS_PREDICTION_PORT", settings
        ),
        uvicorn_service(
            "Training", "training", settings.training_port, "MLAAS_TRAINING_PORT", settings
        ),
        uvicorn_service(
            "Monitoring", "monitoring", settings.monitoring_port, "MLAAS_MONITORING_PORT", settings
        ),
    ]


def dashboard_service(settings: Settings) -> Service | None:
    """The dashboard's production build, served by `vite preview` with the same-origin proxy
    of dashboard/vite.config.ts (/api/<service> -> each service). None when it is not built:
    `make run` builds it (scripts/dashboard.sh; Node 20)."""
    folder = settings.project_dir / "dashboard"
    vite = folder / "node_modules" / ".bin" / "vite"
    if not (folder / "dist" / "index.html").exists() or not vite.exists():
        return None
    url = f"http://127.0.0.1:{settings.dashboard_port}"
    env = dict(
        venv_env(),
        MLAAS_DASHBOARD_PORT=str(settings.dashboard_port),
        MLAAS_DASHBOARD_PREDICTION_URL=f"http://127.0.0.1:{settings.prediction_port}",
        MLAAS_DASHBOARD_TRAINING_URL=f"http://127.0.0.1:{settings.training_port}",
        MLAAS_DASHBOARD_MONITORING_URL=f"http://127.0.0.1:{settings.monitoring_port}",
    )
    return Service(
        name="Dashboard",
        # --bypass-lock: several platforms (homes) may serve this checkout's build at once.
        command=[
            str(vite),
            "preview",
            "--port",
            str(settings.dashboard_port),
            "--strictPort",
            "--bypass-lock",
        ],
        env=env,
        log_file=settings.home / "logs" / "dashboard.log",
        where=url,
        ready=http_ready(f"{url}/"),
        port=settings.dashboard_port,
        port_setting="MLAAS_DASHBOARD_PORT",
        cwd=folder,
    )


def prometheus_service(settings: Settings) -> Service | None:
    """Prometheus scraping the services and the worker this run starts, with the platform's
    alert rules; None when no `prometheus` binary is on the PATH."""
    from mlaas import prometheus

    if prometheus.binary() is None:
        return None
    targets = {
        "prediction": settings.prediction_port,
        "training": settings.training_port,
        "monitoring": settings.monitoring_port,
    }
    if worker_metrics_on(settings):
        targets["worker"] = settings.worker_metrics_port
    config_file = prometheus.write_config(settings, targets)
    url = f"http://127.0.0.1:{settings.prometheus_port}"
    return Service(
        name="Prometheus",
        command=prometheus.command(settings, config_file),
        env=venv_env(),
        log_file=settings.home / "logs" / "prometheus.log",
        where=url,
        ready=http_ready(f"{url}/-/ready"),
        port=settings.prometheus_port,
        port_setting="MLAAS_PROMETHEUS_PORT",
    )


def wait_ready(services: list[Service], timeout: float, say: Say) -> None:
    """Poll every service until all are ready; fail on the first that exits or times out."""
    started = time.monotonic()
    pending = list(services)
    while pending:
        for service in list(pending):
            code = service.exit_code()
            if code is not None:
                raise UpError(f"{service.name} exited with {code}; see {service.log_file}")
            if service.ready(service):
                pending.remove(service)
                say(f"  {service.name} ready ({time.monotonic() - started:.0f}s)")
        if pending and time.monotonic() - started > timeout:
            late = pending[0]
            raise UpError(f"{late.name} not ready after {timeout:.0f}s; see {late.log_file}")
        if pending:
            time.sleep(0.5)


def stop_all(services: list[Service], grace: float = STOP_GRACE_S) -> None:
    """SIGTERM every group at once, give them `grace` seconds together, then SIGKILL the groups
    (which also sweeps children that outlived their leader)."""
    running = [s for s in services if s.process is not None]
    for service in running:
        if service.exit_code() is None:
            service.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for service in running:
        service.wait(deadline - time.monotonic())
    for service in running:
        service.signal_group(signal.SIGKILL)
        service.wait(5.0)


def stop_on_signals() -> None:
    """Ctrl-C (SIGINT) and `kill` (SIGTERM) both stop everything cleanly. SIGINT is set back to
    Python's handler explicitly: a process started with it ignored (`nohup`, a script's
    background job) inherits SIG_IGN, and Ctrl-C would do nothing at all."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, interrupt)


def up(*, train: bool = True, serve: bool = True, say: Say = print) -> int:
    stop_on_signals()
    settings = get_settings()
    init_home(settings)
    say(f"MLaaS home: {settings.home}")
    creds = ensure_credentials(settings, say)  # also creates the platform DB's tables
    # Also creates MLflow's DB, before several processes would race to create it.
    missing = models_without_champion(settings)
    if train:
        train_missing_champions(settings, missing, say)
    elif missing:
        say(f"No champion yet (not served until trained): {', '.join(missing)}")
    if not serve:
        return 0
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM stops like Ctrl-C
    settings = with_free_ports(settings)
    planned = services(settings)
    dashboard = dashboard_service(settings)
    if dashboard is None:
        say("The dashboard is not built (make run builds it, with Node 20): starting without it.")
    else:
        planned.append(dashboard)
    metrics = prometheus_service(settings)
    if metrics is None:
        from mlaas.prometheus import HOW_TO_INSTALL

        say(f"No prometheus binary: starting without it ({HOW_TO_INSTALL}).")
    else:
        planned.append(metrics)
    check_ports(planned)
    started: list[Service] = []
    try:
        for service in planned:
            say(f"Starting {service.name} (log: {service.log_file}) ...")
            service.start()
            started.append(service)
        wait_ready(started, READY_TIMEOUT_S, say)
        say("")
        say("The platform is up:")
        for service in started:
            say(f"  {service.name:<10} {service.where}")
        say(f"  Airflow login: {creds['airflow_user']} / {creds['airflow_password']}")
        say(f"  MLflow login: admin / {creds['mlflow_password']}")
        say(f"  Admin API key prefix: {creds['api_key_prefix']} (mlaas keys create for more)")
        say("Press Ctrl-C to stop everything.")
        while all(s.exit_code() is None for s in started):
            time.sleep(1)
        for service in started:
            if service.exit_code() is not None:
                say(f"{service.name} stopped unexpectedly; see {service.log_file}")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        if started:
            # A second Ctrl-C must not cut the shutdown short and leave processes behind.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            say("Stopping ...")
            stop_all(started)
            say("Stopped.")
