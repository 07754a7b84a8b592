"""`mlaas up`: the platform on one machine, on its embedded defaults.

Prepares the home folder, creates the admin credentials once, trains every shipped model through
its Airflow DAG when it has no champion yet, then starts Airflow standalone and the MLflow UI, each
in its own process group, waits until each answers, prints where they are, and on Ctrl-C stops
every process it started.
"""

from __future__ import annotations

import json
import os
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


class UpError(OSError):
    """A step of `mlaas up` failed (busy port, a process that died, a failed DAG run); the
    message says which and where its log is."""


@dataclass
class Service:
    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    url: str
    log_file: Path
    port: int
    port_setting: str  # the MLAAS_* variable that moves it
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        if port_in_use(self.port):
            raise UpError(
                f"port {self.port} for {self.name} is already in use; "
                f"stop what holds it or set {self.port_setting}"
            )
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.log_file.open("ab") as sink:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # own process group: one signal stops all its children
            )

    def wait_healthy(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise UpError(
                    f"{self.name} exited with {self.process.returncode}; see {self.log_file}"
                )
            try:
                with urllib.request.urlopen(self.health_url, timeout=2) as response:
                    if response.status < 500:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise UpError(f"{self.name} not healthy after {timeout:.0f}s; see {self.log_file}")

    def stop(self, grace: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        pgid = self.process.pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                # Idle children can outlive the leader; sweep the group once more.
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                return
            except subprocess.TimeoutExpired:
                continue
            return


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def credentials_file(settings: Settings) -> Path:
    return settings.home / "credentials.json"


def ensure_credentials(settings: Settings, say: Say) -> dict[str, str]:
    """Airflow admin password and an admin API key; the key is printed only when created."""
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
    return {"airflow_user": "admin", "airflow_password": password, **record}


def models_without_champion(settings: Settings) -> list[str]:
    from mlaas.registry import CHAMPION, version_for_alias
    from mlaas.specs import load_specs

    return [
        spec.name
        for spec in load_specs(settings.specs_dir)
        if version_for_alias(spec.name, CHAMPION) is None
    ]


def train_missing_champions(settings: Settings, say: Say) -> None:
    from mlaas.orchestration import migrate_airflow_db

    missing = models_without_champion(settings)
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


def services(settings: Settings) -> list[Service]:
    logs = settings.home / "logs"
    mlflow_env = dict(venv_env(), MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    airflow_url = f"http://127.0.0.1:{settings.airflow_port}"
    mlflow_url = f"http://127.0.0.1:{settings.mlflow_ui_port}"
    prediction_url = f"http://127.0.0.1:{settings.prediction_port}"
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
            ],
            env=mlflow_env,
            health_url=f"{mlflow_url}/health",
            url=mlflow_url,
            log_file=logs / "mlflow.log",
            port=settings.mlflow_ui_port,
            port_setting="MLAAS_MLFLOW_UI_PORT",
        ),
        Service(
            name="Airflow",
            command=[bin_path("airflow"), "standalone"],
            env=airflow_env(settings),
            health_url=f"{airflow_url}/api/v2/monitor/health",
            url=airflow_url,
            log_file=logs / "airflow.log",
            port=settings.airflow_port,
            port_setting="MLAAS_AIRFLOW_PORT",
        ),
        Service(
            name="Prediction",
            command=[
                bin_path("uvicorn"),
                "services.prediction.app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(settings.prediction_port),
                "--no-access-log",
            ],
            env=dict(venv_env(), MLAAS_HOME=str(settings.home)),
            health_url=f"{prediction_url}/health/ready",
            url=f"{prediction_url}/docs",
            log_file=logs / "prediction.log",
            port=settings.prediction_port,
            port_setting="MLAAS_PREDICTION_PORT",
        ),
    ]


def up(*, train: bool = True, serve: bool = True, say: Say = print) -> int:
    settings = get_settings()
    init_home(settings)
    say(f"MLaaS home: {settings.home}")
    creds = ensure_credentials(settings, say)
    if train:
        train_missing_champions(settings, say)
    if not serve:
        return 0
    started: list[Service] = []
    stop_requested = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stop_requested
        stop_requested = True

    signal.signal(signal.SIGTERM, request_stop)
    try:
        for service in services(settings):
            say(f"Starting {service.name} (log: {service.log_file}) ...")
            service.start()
            started.append(service)
            service.wait_healthy(timeout=180)
        say("")
        say("The platform is up:")
        for service in started:
            say(f"  {service.name:<10} {service.url}")
        say(f"  Airflow login: {creds['airflow_user']} / {creds['airflow_password']}")
        say(f"  Admin API key prefix: {creds['api_key_prefix']} (mlaas keys create for more)")
        say("Press Ctrl-C to stop everything.")
        while not stop_requested and all(s.process and s.process.poll() is None for s in started):
            time.sleep(1)
        crashed = [s for s in started if s.process and s.process.poll() is not None]
        for service in crashed:
            say(f"{service.name} stopped unexpectedly; see {service.log_file}")
        return 1 if crashed else 0
    except KeyboardInterrupt:
        return 0
    finally:
        say("Stopping ...")
        for service in reversed(started):
            service.stop()
        say("Stopped.")
