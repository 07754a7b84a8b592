"""The README's first command: `mlaas up` on a fresh home trains the reference models through
their DAGs, starts the MLflow UI, Airflow, the Celery worker and the three REST services, prints
where they are, and Ctrl-C stops it all."""

from __future__ import annotations

import base64
import json
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from mlaas.data.churn import EXAMPLE_RECORD
from tests.servers import PlatformUp, up_env, wait_for

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PROJECT_DIR = Path(__file__).resolve().parents[2]
SHIPPED = ("churn", "house_prices", "storms")  # every spec in specs/, which `up` trains


SHOWN_AS = {  # how `up` names each process in "The platform is up:"
    "airflow": "Airflow",
    "mlflow_ui": "MLflow UI",
    "prediction": "Prediction",
    "training": "Training",
    "monitoring": "Monitoring",
}


def _json(
    url: str,
    *,
    data: dict[str, object] | None = None,
    token: str = "",
    method: str | None = None,
    basic: tuple[str, str] | None = None,
) -> dict[str, Any]:
    authorization = f"Bearer {token}"
    if basic is not None:
        authorization = "Basic " + base64.b64encode(":".join(basic).encode()).decode()
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Content-Type": "application/json", "Authorization": authorization},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # a busy 2-core machine
        result: dict[str, Any] = json.loads(response.read())
        return result


def _answer(url: str, token: str) -> dict[str, Any]:
    """`_json(url)`, or {} while the server answers 503 (Airflow's API comes up in parts)."""
    try:
        return _json(url, token=token)
    except urllib.error.HTTPError as error:
        if error.code != 503:
            raise
        return {}


def _text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def test_up_trains_starts_reports_and_stops_everything(tmp_path: Path) -> None:
    up = PlatformUp(up_env(tmp_path / "home"), tmp_path)
    children: list[psutil.Process] = []
    with up:
        assert up.process is not None
        output = up.output
        children = psutil.Process(up.process.pid).children(recursive=True)
        url = {name: up.url(shown) for name, shown in SHOWN_AS.items()}
        key = up.admin_key()
        for model in SHIPPED:
            assert f"[{model}] register  v1 is champion" in output, output
        assert url["airflow"] in output and url["mlflow_ui"] in output
        for service in ("prediction", "training", "monitoring"):
            assert f"{url[service]}/docs" in output, output
            assert "mlaas_" in _text(f"{url[service]}/metrics")  # what Prometheus scrapes
        if (PROJECT_DIR / "dashboard" / "dist" / "index.html").exists():  # built by make run
            dashboard = up.url("Dashboard")
            assert '<div id="root">' in _text(f"{dashboard}/models/churn")  # any page: the app
            for service in ("prediction", "training", "monitoring"):  # same-origin proxy
                assert _text(f"{dashboard}/api/{service}/health/live") == '{"status":"alive"}'
        else:
            assert "The dashboard is not built" in output, output
        assert re.search(r"Worker +Celery node up-\d+@\S+, queues: .*\bcelery\b", output)
        password = re.search(r"Airflow login: admin / (\S+)", output)
        assert password, output

        token = _json(
            f"{url['airflow']}/auth/token",
            data={"username": "admin", "password": password.group(1)},
        )["access_token"]
        pipelines = {f"mlaas_pipeline_{model}" for model in SHIPPED}
        dag_ids: set[str] = set()
        for _ in range(60):  # the DAG processor parses the folder shortly after start
            dags = _answer(f"{url['airflow']}/api/v2/dags?limit=100", token)
            dag_ids = {d["dag_id"] for d in dags.get("dags", [])}
            if pipelines <= dag_ids:
                break
            time.sleep(1)
        assert pipelines <= dag_ids, dag_ids
        errors: dict[str, Any] = {}

        def answered() -> bool:  # 503 while a component of Airflow is still starting
            errors.update(_answer(f"{url['airflow']}/api/v2/importErrors", token))
            return bool(errors)

        wait_for(answered, 60, "Airflow's importErrors to answer", every_s=1)
        assert errors["total_entries"] == 0, errors
        # MLflow's server asks for its login (basic auth, the password `up` generated).
        search = f"{url['mlflow_ui']}/api/2.0/mlflow/registered-models/search"
        with pytest.raises(urllib.error.HTTPError) as refused:
            _json(search)
        assert refused.value.code == 401
        mlflow_login = re.search(r"MLflow login: admin / (\S+)", output)
        assert mlflow_login, output
        models = _json(search, basic=("admin", mlflow_login.group(1)))
        assert sorted(m["name"] for m in models["registered_models"]) == list(SHIPPED)

        # The worker `up` started consumes the queue the prediction service sends to.
        queued = _json(
            f"{url['prediction']}/v1/models/churn/predict/async",
            data={"features": [EXAMPLE_RECORD]},
            token=key,
        )
        # The training service reaches `up`'s Airflow (URL, admin password file) and triggers
        # a run of the real scheduler and executor on the non-default port.
        run: dict[str, Any] = {}

        def triggered() -> bool:  # 503 while Airflow's API is too busy to answer in time
            try:
                run.update(
                    _json(
                        f"{url['training']}/v1/pipelines/house_prices/runs",
                        data={"trigger": "e2e"},
                        token=key,
                    )
                )
            except urllib.error.HTTPError as error:
                if error.code != 503:
                    raise
            return bool(run)

        wait_for(triggered, 120, "the training service to trigger a pipeline run", every_s=5)
        job: dict[str, Any] = {}
        for _ in range(120):
            job = _json(f"{url['prediction']}/v1/jobs/{queued['job_id']}", token=key)
            if job["status"] in ("succeeded", "failed"):
                break
            time.sleep(0.5)
        assert job["status"] == "succeeded", job
        assert len(job["result"]["outputs"]) == 1

        # The monitoring service answers from the same platform DB (the admin key is there).
        assert "alerts" in _json(f"{url['monitoring']}/v1/alerts", token=key)

        api = f"{url['airflow']}/api/v2/dags/mlaas_pipeline_house_prices"
        state = ""
        for _ in range(240):
            state = str(_json(f"{api}/dagRuns/{run['dag_run_id']}", token=token)["state"])
            if state in ("success", "failed"):
                break
            time.sleep(1)
        assert state == "success"

        served = _json(f"{url['prediction']}/v1/models", token=key)
        assert {m["name"] for m in served["models"]} == set(SHIPPED)

        # Everything started so far, including what Airflow forked for the run above.
        children = psutil.Process(up.process.pid).children(recursive=True)
        commands = [_command(child) for child in children]
        for expected in (
            "mlflow server",
            "airflow standalone",
            "celeryd: up-",  # the worker's process title (`mlaas worker --hostname up-<pid>@...`)
            *(f"services.{s}.app:app" for s in ("prediction", "training", "monitoring")),
        ):
            assert any(expected in command for command in commands), (expected, commands)
    assert "Stopped." in up.rest
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [(p.pid, p.cmdline()) for p in alive if p.is_running()]
    # Secrets reach no log: the admin key's secret and Airflow's password, which `up` shows
    # once on its own console, are in none of the files every process wrote (services, worker,
    # MLflow, Airflow and its task logs, Prometheus), nor in the platform DB (keys are hashed).
    secrets = {
        "admin key": key.split("_", 2)[2],  # mlaas_<prefix>_<secret>; the secret may hold "_"
        "Airflow password": password.group(1),
        "MLflow password": mlflow_login.group(1),
    }
    home = tmp_path / "home"
    written = [*home.rglob("*.log"), home / "platform.db"]
    assert len(written) > 10, written
    for path in written:
        content = path.read_bytes()
        for name, secret in secrets.items():
            assert secret.encode() not in content, f"{name} found in {path}"


def _command(child: psutil.Process) -> str:
    """A child's command line; "" for one that exited (or is a zombie) since it was listed:
    Airflow's task runners come and go while the test looks."""
    try:
        return " ".join(child.cmdline())
    except (psutil.NoSuchProcess, psutil.ZombieProcess):
        return ""


def test_up_refuses_a_port_in_use_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = int(blocker.getsockname()[1])
        result = subprocess.run(
            [str(BIN / "mlaas"), "up", "--no-train"],
            env=up_env(tmp_path / "home", mlflow_ui=port),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"port {port}" in errors[0] and "MLAAS_MLFLOW_UI_PORT" in errors[0]
