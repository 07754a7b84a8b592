"""The prediction service starts while the MLflow server is down: it answers /health/live at
once, /health/ready stays 503 naming the registry, and it serves as soon as MLflow is back."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import httpx

from mlaas.data.churn import EXAMPLE_RECORD
from tests.factories import home_env, small_spec
from tests.faults.conftest import service_process
from tests.servers import BIN, free_port, wait_for


def test_the_prediction_service_starts_without_mlflow_and_recovers(tmp_path: Path) -> None:
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline

    home = tmp_path / "home"
    with home_env(home):
        assert run_pipeline(small_spec("churn")).champion
        key = create_key("faults", ["predict"])[0]
    port = free_port()
    env = {
        "MLAAS_HOME": str(home),
        "MLAAS_MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}",  # nothing listens there yet
        "MLAAS_SERVING_POLL_S": "0.5",
    }
    headers = {"Authorization": f"Bearer {key}"}
    # service_process waits for /health/live: it answers while MLflow is still down.
    with service_process("services.prediction.app:app", env, tmp_path / "prediction.log") as url:
        ready = httpx.get(f"{url}/health/ready", timeout=10)
        assert ready.status_code == 503
        predicted = httpx.post(
            f"{url}/v1/models/churn/predict", json={"features": EXAMPLE_RECORD}, headers=headers
        )
        assert predicted.status_code == 404, predicted.text  # not served (yet), not a 500

        mlflow = subprocess.Popen(
            [
                str(BIN / "mlflow"),
                "server",
                "--backend-store-uri",
                f"sqlite:///{home / 'mlflow.db'}",
                "--default-artifact-root",
                (home / "mlartifacts").as_uri(),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            env=os.environ.copy(),
            stdout=(tmp_path / "mlflow.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_for(
                lambda: httpx.get(f"{url}/health/ready", timeout=10).status_code == 200,
                120,
                "the prediction service to be ready once MLflow answers",
                every_s=0.5,
            )
            predicted = httpx.post(
                f"{url}/v1/models/churn/predict",
                json={"features": EXAMPLE_RECORD},
                headers=headers,
            )
            assert predicted.status_code == 200, predicted.text
        finally:
            os.killpg(mlflow.pid, signal.SIGTERM)
            mlflow.wait(30)
