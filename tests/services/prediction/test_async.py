"""Async predictions and file scoring through a real Celery worker (embedded SQLite broker)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.metrics import Series, matching, parse, value
from tests.services.prediction.conftest import Keys
from tests.services.prediction.test_api import CHURN, auth


@pytest.fixture(scope="module")
def worker(trained_home: Path) -> Iterator[subprocess.Popen[bytes]]:
    log = trained_home / "worker.log"
    env = dict(
        os.environ,
        MLAAS_HOME=str(trained_home),
        MLAAS_WORKER_METRICS="true",
        MLAAS_WORKER_METRICS_PORT="0",
    )
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "mlaas"), "worker"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 90
    while "ready." not in log.read_text(errors="replace"):
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.5)
    yield process
    process.terminate()
    process.wait(30)


def worker_metrics(trained_home: Path) -> Series:
    """The worker's own /metrics, at the port it printed (MLAAS_WORKER_METRICS_PORT=0)."""
    found = re.search(
        r"worker metrics: (http://\S+/metrics)", (trained_home / "worker.log").read_text()
    )
    assert found, "the worker did not print its metrics URL"
    with urllib.request.urlopen(found.group(1), timeout=10) as response:
        return parse(response.read().decode())


def wait_for(client: TestClient, key: str, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 90
    while True:
        body: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=auth(key)).json()
        if body["status"] in ("succeeded", "failed") or time.monotonic() > deadline:
            return body
        time.sleep(0.3)


def logged_rows(request_id: str) -> list[Any]:
    """The prediction log rows of one async request (`<id>:<i>`, one per record), in order."""
    from sqlalchemy import select

    from mlaas.db import get_engine, prediction_log

    log = prediction_log.c
    query = select(log.request_id, log.variant, log.version, log.inputs, log.outputs)
    with get_engine().connect() as conn:
        rows = conn.execute(query.where(log.request_id.like(f"{request_id}:%"))).all()
    return sorted(rows, key=lambda r: int(r.request_id.rsplit(":", 1)[1]))


def test_async_records_and_file_scoring(
    client: TestClient, keys: Keys, worker: subprocess.Popen[bytes], trained_home: Path
) -> None:
    from mlaas.storage import get_store, read_parquet, write_parquet

    records = [CHURN, {**CHURN, "age": 71}, {**CHURN, "country": "Spain"}]
    sync = client.post(
        "/v1/models/churn/predict", json={"features": records}, headers=auth(keys.predict)
    ).json()
    queued = client.post(
        "/v1/models/churn/predict/async", json={"features": records}, headers=auth(keys.predict)
    )
    assert queued.status_code == 202, queued.text
    done = wait_for(client, keys.predict, queued.json()["job_id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["outputs"] == [p["output"] for p in sync["predictions"]]
    assert done["result"]["version"] == sync["version"]
    logged = logged_rows(done["result"]["request_id"])
    assert [r.request_id for r in logged] == [
        f"{done['result']['request_id']}:{i}" for i in range(3)
    ]
    assert {(r.variant, r.version) for r in logged} == {("async", sync["version"])}
    assert [r.outputs["output"] for r in logged] == done["result"]["outputs"]
    assert [r.inputs for r in logged] == records

    frame = pd.DataFrame([{**CHURN, "age": 20 + i} for i in range(50)])
    write_parquet(get_store(), "incoming/churn-batch.parquet", frame)
    job = client.post(
        "/v1/models/churn/score-file",
        json={"key": "incoming/churn-batch.parquet"},
        headers=auth(keys.predict),
    )
    assert job.status_code == 202, job.text
    done = wait_for(client, keys.predict, job.json()["job_id"])
    assert done["status"] == "succeeded", done
    assert done["result"]["output_key"] == "incoming/churn-batch.scored.parquet"
    # The worker counted both tasks, from the pool process that ran each (multiprocess mode).
    series = worker_metrics(trained_home)
    for task in ("mlaas.score_records", "mlaas.score_file"):
        assert value(series, "mlaas_worker_tasks_total", task=task, state="succeeded") == 1
        assert value(series, "mlaas_worker_tasks_total", task=task, state="failed") == 0
        took = value(
            series, "mlaas_worker_task_duration_seconds_sum", task=task, state="succeeded"
        )
        assert took > 0
        assert value(series, "mlaas_worker_tasks_active", task=task) == 0
    assert matching(series, "mlaas_build_info", service="worker")
    assert value(series, "process_resident_memory_bytes") > 0
    scored = read_parquet(get_store(), "incoming/churn-batch.scored.parquet")
    assert len(scored) == 50 and {"prediction", "probability_0", "probability_1"} <= set(scored)
    expected = client.post(
        "/v1/models/churn/predict/batch",
        json={"features": frame.to_dict(orient="records")},
        headers=auth(keys.predict),
    ).json()
    assert scored["prediction"].tolist() == [p["output"] for p in expected["predictions"]]


def test_async_rejects_bad_input_before_queueing(client: TestClient, keys: Keys) -> None:
    bad = client.post(
        "/v1/models/churn/predict/async",
        json={"features": [{**CHURN, "age": "old"}]},
        headers=auth(keys.predict),
    )
    assert bad.status_code == 422
    missing_file = client.post(
        "/v1/models/churn/score-file", json={"key": "nope.parquet"}, headers=auth(keys.predict)
    )
    assert missing_file.status_code == 404
    for escape in ("../../etc/passwd.csv", "/etc/passwd.csv", "datasets/../../x.parquet"):
        outside = client.post(
            "/v1/models/churn/score-file", json={"key": escape}, headers=auth(keys.predict)
        )
        assert outside.status_code == 422, outside.text  # was a 500
        assert outside.json()["error"]["fields"][0]["field"] == "key"
    unknown = client.get("/v1/jobs/does-not-exist", headers=auth(keys.predict))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "job_not_found"
