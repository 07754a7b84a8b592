"""The README's first command: `mlaas up` on a fresh home trains the reference models through
their DAGs, starts Airflow and the MLflow UI, prints where they are, and Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
PROJECT_DIR = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(
    home: Path, airflow_port: int, mlflow_port: int, prediction_port: int = 0
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLAAS_", "AIRFLOW"))}
    env.update(
        MLAAS_HOME=str(home),
        MLAAS_AIRFLOW_PORT=str(airflow_port),
        MLAAS_MLFLOW_UI_PORT=str(mlflow_port),
        MLAAS_PREDICTION_PORT=str(prediction_port or _free_port()),
    )
    return env


def _json(
    url: str, *, data: dict[str, object] | None = None, token: str = "", method: str | None = None
) -> dict[str, object]:
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode() if data is not None else None,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method=method,
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        result: dict[str, object] = json.loads(response.read())
        return result


def test_up_trains_starts_reports_and_stops_everything(tmp_path: Path) -> None:
    airflow_port, mlflow_port, prediction_port = _free_port(), _free_port(), _free_port()
    process = subprocess.Popen(
        [str(BIN / "mlaas"), "up"],
        env=_env(tmp_path / "home", airflow_port, mlflow_port, prediction_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=tmp_path,
    )
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 600
    for line in process.stdout:
        lines.append(line.rstrip())
        if "Press Ctrl-C" in line or time.monotonic() > deadline:
            break
    output = "\n".join(lines)
    assert "Press Ctrl-C" in output, output
    try:
        api_key = re.search(r"Admin API key \(shown once.*\): (mlaas_\w+_\S+)", output)
        assert api_key, output
        for model in ("churn", "house_prices"):
            assert f"[{model}] register  v1 is champion" in output, output
        assert f"http://127.0.0.1:{airflow_port}" in output
        assert f"http://127.0.0.1:{mlflow_port}" in output
        password = re.search(r"Airflow login: admin / (\S+)", output)
        assert password, output

        token = _json(
            f"http://127.0.0.1:{airflow_port}/auth/token",
            data={"username": "admin", "password": password.group(1)},
        )["access_token"]
        dags: dict[str, object] = {}
        for _ in range(60):  # the DAG processor parses the folder shortly after start
            dags = _json(f"http://127.0.0.1:{airflow_port}/api/v2/dags", token=str(token))
            if dags.get("total_entries") == 2:
                break
            time.sleep(1)
        names = sorted(d["dag_id"] for d in dags["dags"])  # type: ignore[index, union-attr]
        assert names == ["mlaas_pipeline_churn", "mlaas_pipeline_house_prices"]
        errors = _json(f"http://127.0.0.1:{airflow_port}/api/v2/importErrors", token=str(token))
        assert errors["total_entries"] == 0
        models = _json(f"http://127.0.0.1:{mlflow_port}/api/2.0/mlflow/registered-models/search")[
            "registered_models"
        ]
        assert sorted(m["name"] for m in models) == ["churn", "house_prices"]  # type: ignore[index, union-attr]

        # A run through the real scheduler and executor (not dag.test) on the non-default port.
        api = f"http://127.0.0.1:{airflow_port}/api/v2/dags/mlaas_pipeline_house_prices"
        _json(api, data={"is_paused": False}, token=str(token), method="PATCH")
        run = _json(
            f"{api}/dagRuns",
            data={"logical_date": None, "conf": {"trigger": "rest-api"}},
            token=str(token),
        )
        state = ""
        for _ in range(240):
            state = str(_json(f"{api}/dagRuns/{run['dag_run_id']}", token=str(token))["state"])
            if state in ("success", "failed"):
                break
            time.sleep(1)
        assert state == "success"

        assert f"http://127.0.0.1:{prediction_port}/docs" in output
        served = _json(f"http://127.0.0.1:{prediction_port}/v1/models", token=api_key.group(1))
        assert {m["name"] for m in served["models"]} == {"churn", "house_prices"}  # type: ignore[index, union-attr]

        children = psutil.Process(process.pid).children(recursive=True)
        assert children, "expected Airflow and MLflow processes"
    finally:
        process.send_signal(signal.SIGINT)
        remaining, _ = process.communicate(timeout=120)
    assert "Stopped." in remaining
    gone, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.pid for p in alive]


def test_up_refuses_a_port_in_use_with_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = int(blocker.getsockname()[1])
        result = subprocess.run(
            [str(BIN / "mlaas"), "up", "--no-train"],
            env=_env(tmp_path / "home", _free_port(), port),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"port {port}" in errors[0] and "MLAAS_MLFLOW_UI_PORT" in errors[0]
