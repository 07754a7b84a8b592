"""Airflow on the embedded defaults: its environment, metadata DB, admin password and DAG runs.

Airflow reads its configuration from `AIRFLOW__*` variables when it is imported, so everything
Airflow-related runs in child processes started with `airflow_env()`; this module never imports
airflow itself.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from mlaas.pipeline import PROGRESS_MARK
from mlaas.settings import Settings, get_settings


def bin_path(name: str) -> str:
    """A console script installed next to this interpreter (airflow, mlflow, ...)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name


def venv_env() -> dict[str, str]:
    """This environment with our venv's bin first on PATH (child tools spawn their siblings)."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def dag_id_for(model: str) -> str:
    """The model's pipeline DAG for runs people start (UI, API, `mlaas run`)."""
    return f"mlaas_pipeline_{model}"


def retrain_dag_id_for(model: str) -> str:
    """The same pipeline as a DAG of its own for automatic retrains (monitoring, inbox): each
    DAG runs one run at a time, so automatic retrains never queue behind manual runs."""
    return f"mlaas_retrain_{model}"


def admin_password_file(settings: Settings) -> Path:
    return settings.airflow_home / "admin-password.json"


def ensure_admin_password(settings: Settings) -> tuple[str, bool]:
    """(password, created_now) for Airflow's `admin` user, generated once and kept in the home."""
    path = admin_password_file(settings)
    if path.exists():
        return str(json.loads(path.read_text())["admin"]), False
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    path.write_text(json.dumps({"admin": password}))
    path.chmod(0o600)
    return password, True


def airflow_env(settings: Settings | None = None) -> dict[str, str]:
    """Environment for every Airflow process: our DAGs, SQLite metadata, small worker pool."""
    settings = settings or get_settings()
    env = venv_env()
    env.update(
        {
            "AIRFLOW_HOME": str(settings.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(settings.dags_dir),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # Monitoring and inbox DAGs run on a schedule from the start (pipelines have none).
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(
                admin_password_file(settings)
            ),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(settings.airflow_port),
            # Task processes report to the API server; it must follow the port setting.
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": (
                f"http://127.0.0.1:{settings.airflow_port}/execution/"
            ),
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",  # task logs carry the pipeline's progress
            # The platform's own settings travel to every task process.
            "MLAAS_HOME": str(settings.home),
            "MLAAS_PROJECT_DIR": str(settings.project_dir),
            "MLAAS_DATABASE_URL": settings.database_url,
            "MLAAS_OBJECT_STORE_URL": settings.object_store_url,
            "MLAAS_MLFLOW_TRACKING_URI": settings.mlflow_tracking_uri,
            "MLAAS_MLFLOW_ARTIFACT_ROOT": settings.mlflow_artifact_root,
        }
    )
    return env


def migrate_airflow_db(settings: Settings | None = None) -> None:
    """Create/upgrade Airflow's metadata DB (a few seconds; a no-op when current)."""
    settings = settings or get_settings()
    settings.airflow_home.mkdir(parents=True, exist_ok=True)
    ensure_admin_password(settings)
    result = subprocess.run(
        [bin_path("airflow"), "db", "migrate"],
        env=airflow_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:]
        raise RuntimeError(f"airflow db migrate failed: {' '.join(tail)}")


def run_dag(
    model: str,
    *,
    conf: dict[str, str] | None = None,
    log_file: Path,
    on_line: Callable[[str], None] | None = None,
    settings: Settings | None = None,
) -> bool:
    """Run the model's pipeline DAG once with `dag.test()` in a child process.

    The child is the DAG file itself (`python dags/mlaas_pipelines.py <model>`), which exits 0
    only when the DAG run succeeded. Every output line goes to `log_file`; the pipeline's progress
    lines are also passed to `on_line`.
    """
    settings = settings or get_settings()
    command = [sys.executable, str(settings.dags_dir / "mlaas_pipelines.py"), model]
    if conf:
        command.append(json.dumps(conf))
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w") as sink:
        process = subprocess.Popen(
            command,
            env=airflow_env(settings),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        assert process.stdout is not None
        try:
            for line in process.stdout:
                sink.write(line)
                sink.flush()
                if on_line is not None and PROGRESS_MARK in line:
                    message = line.split(PROGRESS_MARK, 1)[1].split(" [mlaas.", 1)[0]
                    on_line(message.strip())
            return process.wait() == 0
        except BaseException:  # Ctrl-C: the child has its own session, so stop it ourselves
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
            raise
