"""The platform end to end on its full stack, configured as infra/docker-compose.yml configures it,
with every store a real server on loopback:

- platform DB (datasets, prediction log, feedback, Optuna, API keys): PostgreSQL
- data lake: an S3 API server (moto, behind the same `minio` client code as MinIO)
- MLflow: a tracking server on its own PostgreSQL database, serving artifacts from the S3 server
- Feast: the online store on Redis, the registry on PostgreSQL (feature_store.full.yaml)
- Celery: broker and results on Redis, a real `mlaas worker` process
- prediction cache and rate limits: Redis

One test trains, serves (online, by entity id, async through the worker), takes feedback and
monitors, and checks each store holds what the platform put there.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from mlaas.data.churn import generate_churn
from tests.factories import home_env, small_spec
from tests.integration.conftest import fresh_postgres_database
from tests.servers import BIN, wait_for

pytestmark = pytest.mark.slow

S3_KEYS = {"access": "full-stack-access", "secret": "full-stack-secret"}
BUCKETS = ("mlaas-lake", "mlflow-artifacts", "incoming")


@pytest.fixture
def s3_endpoint() -> Iterator[str]:
    """An S3 API server on loopback (port 0) with the compose file's buckets."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"{host}:{port}"
    client = s3_client(endpoint)
    for bucket in BUCKETS:
        client.make_bucket(bucket)
    try:
        yield endpoint
    finally:
        server.stop()


def s3_client(endpoint: str) -> Any:
    from minio import Minio

    return Minio(
        endpoint, access_key=S3_KEYS["access"], secret_key=S3_KEYS["secret"], secure=False
    )


def aws_env(endpoint: str) -> dict[str, str]:
    """How Feast (s3fs) and MLflow reach the S3 server: the standard AWS variables."""
    return {
        "AWS_ACCESS_KEY_ID": S3_KEYS["access"],
        "AWS_SECRET_ACCESS_KEY": S3_KEYS["secret"],
        "AWS_ENDPOINT_URL": f"http://{endpoint}",
        "AWS_DEFAULT_REGION": "us-east-1",
        "MLFLOW_S3_ENDPOINT_URL": f"http://{endpoint}",
    }


@contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A child in its own process group, stopped (group and all) afterwards."""
    with log.open("ab") as sink:
        child = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait(10)


@contextmanager
def mlflow_server(backend_url: str, endpoint: str, log: Path) -> Iterator[str]:
    """`mlflow server` as the compose file runs it: PostgreSQL backend, artifacts served from
    the S3 server (--serve-artifacts); on port 0, its URL read from its log."""
    command = [
        str(BIN / "mlflow"),
        "server",
        "--backend-store-uri",
        backend_url,
        "--artifacts-destination",
        "s3://mlflow-artifacts",
        "--serve-artifacts",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--workers",
        "1",
    ]
    env = {**os.environ, **aws_env(endpoint), "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    with process(command, env, log) as child:
        found: list[str] = []

        def listening() -> bool:
            assert child.poll() is None, log.read_text()
            found[:] = re.findall(r"Uvicorn running on (http://127\.0\.0\.1:\d+)", log.read_text())
            return bool(found)

        wait_for(listening, 180, "the MLflow server to listen", every_s=0.2)
        url = found[0]
        wait_for(lambda: _ok(f"{url}/health"), 60, "the MLflow server to be healthy")
        yield url


def _ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def full_stack(
    tmp_path: Path,
    postgres_database_url: str,
    redis_database: str,
    s3_endpoint: str,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """Every MLAAS_* setting of the compose file, pointed at the servers on loopback; this
    process uses them, and so does the worker it starts."""
    with fresh_postgres_database() as mlflow_database:
        with mlflow_server(mlflow_database, s3_endpoint, tmp_path / "mlflow.log") as mlflow_url:
            env = {
                "MLAAS_DATABASE_URL": postgres_database_url,
                "MLAAS_OBJECT_STORE_URL": "s3://mlaas-lake",
                "MLAAS_S3_ENDPOINT": s3_endpoint,
                "MLAAS_S3_SECURE": "false",
                "MLAAS_S3_ACCESS_KEY": S3_KEYS["access"],
                "MLAAS_S3_SECRET_KEY": S3_KEYS["secret"],
                "MLAAS_MLFLOW_TRACKING_URI": mlflow_url,
                "MLAAS_MLFLOW_ARTIFACT_ROOT": "mlflow-artifacts:/",
                "MLAAS_REDIS_URL": redis_database,
                "MLAAS_CELERY_BROKER_URL": redis_database,
                "MLAAS_CELERY_RESULT_BACKEND": redis_database,
                "MLAAS_FEAST_CONFIG": "feature_store.full.yaml",
            }
            for name, value in aws_env(s3_endpoint).items():
                monkeypatch.setenv(name, value)
            with home_env(tmp_path / "home", **env):
                yield env
                from mlaas.db import get_engine

                get_engine().dispose()  # let the fixture drop the database


def test_train_serve_feedback_and_monitor_on_the_full_stack(
    full_stack: dict[str, str], tmp_path: Path, s3_endpoint: str, redis_database: str
) -> None:
    import redis
    from mlflow import MlflowClient
    from sqlalchemy import inspect, select

    from mlaas import db
    from mlaas.auth import create_key
    from mlaas.pipeline import run_pipeline
    from services.monitoring.app import app as monitoring_app
    from services.prediction.app import app as prediction_app

    s3 = s3_client(s3_endpoint)
    frame = generate_churn(1200, seed=21)
    batch = tmp_path / "churn.parquet"
    frame.to_parquet(batch, index=False)
    s3.fput_object("incoming", "batches/churn.parquet", str(batch))

    # Train: source on S3, lake on S3, MLflow over HTTP with artifacts in S3, Feast on Redis.
    registration = run_pipeline(small_spec("churn"), source="s3://incoming/batches/churn.parquet")
    assert registration.champion and registration.version == "1"
    lake = {o.object_name for o in s3.list_objects("mlaas-lake", recursive=True)}
    assert any(name.startswith("datasets/churn/") for name in lake), lake
    assert any(name.startswith("training/churn/") for name in lake), lake
    assert list(s3.list_objects("mlflow-artifacts", recursive=True))  # the model's files
    mlflow = MlflowClient(full_stack["MLAAS_MLFLOW_TRACKING_URI"])
    assert mlflow.get_model_version_by_alias("churn", "champion").version == "1"
    engine = db.get_engine()
    assert engine.dialect.name == "postgresql"
    tables = set(inspect(engine).get_table_names())
    assert {"datasets", "prediction_log", "feature_views"} <= tables  # Feast's SQL registry too
    online = redis.Redis.from_url(redis_database)
    assert online.dbsize() > 1  # the materialized features (besides the database's claim)

    key = create_key("full-stack", ["predict", "monitor"])[0]
    headers = {"Authorization": f"Bearer {key}"}
    worker_env = {**os.environ}
    worker_log = tmp_path / "worker.log"
    command = [str(BIN / "mlaas"), "worker", "--concurrency", "1", "--hostname", "full-stack@test"]
    with process(command, worker_env, worker_log) as worker:

        def consuming() -> bool:
            assert worker.poll() is None, worker_log.read_text()
            return "full-stack@test ready." in worker_log.read_text(errors="replace")

        wait_for(consuming, 180, "the worker to consume from Redis", every_s=0.2)

        records = frame.drop(columns=["churned", "customer_id", "event_timestamp"])
        rows = records.head(40).to_dict(orient="records")
        with TestClient(prediction_app) as client:
            assert prediction_app.state.limiter.backend == "redis"
            online_answer = client.post(
                "/v1/models/churn/predict", json={"features": rows}, headers=headers
            )
            assert online_answer.status_code == 200, online_answer.text
            predictions = online_answer.json()["predictions"]
            request_id = online_answer.json()["request_id"]

            entity = int(frame["customer_id"].iloc[0])
            by_entity = client.post(
                "/v1/models/churn/predict", json={"entity_ids": [entity]}, headers=headers
            )
            assert by_entity.status_code == 200, by_entity.text  # features from Redis
            latest = frame[frame["customer_id"] == entity].sort_values("event_timestamp").iloc[-1]
            record = records.loc[latest.name].to_dict()
            direct = client.post(
                "/v1/models/churn/predict", json={"features": record}, headers=headers
            )
            assert (
                by_entity.json()["predictions"][0]["output"]
                == (direct.json()["predictions"][0]["output"])
            )

            queued = client.post(
                "/v1/models/churn/predict/async", json={"features": rows[:3]}, headers=headers
            )
            assert queued.status_code == 202, queued.text
            job: dict[str, Any] = {}

            def finished() -> bool:
                job.update(
                    client.get(f"/v1/jobs/{queued.json()['job_id']}", headers=headers).json()
                )
                return job["status"] in ("succeeded", "failed")

            wait_for(finished, 120, "the async job on the Redis broker", every_s=0.2)
            assert job["status"] == "succeeded", (job, worker_log.read_text()[-3000:])
            assert job["result"]["outputs"] == [p["output"] for p in predictions[:3]]

    # The prediction log is in PostgreSQL (the app flushed it on shutdown).
    log = db.prediction_log.c
    with engine.connect() as conn:
        logged = conn.execute(
            select(log.request_id).where(log.request_id.like(f"{request_id}:%"))
        ).scalars()
        assert len(set(logged)) == len(rows)

    labels = frame["churned"].head(40).tolist()
    feedback = {
        "items": [
            {"request_id": f"{request_id}:{i}", "label": int(label)}
            for i, label in enumerate(labels)
        ]
    }
    with TestClient(monitoring_app) as client:
        client.headers["Authorization"] = f"Bearer {key}"
        accepted = client.post("/v1/feedback", json=feedback)
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["accepted"] == len(rows)
        performance = client.get("/v1/models/churn/performance").json()
        assert performance["coverage"]["champion"]["labelled"] == len(rows)
        run = client.post("/v1/models/churn/monitor")
        assert run.status_code == 200, run.text
        result = run.json()
        # The champion's online answers: the 40-record request, the entity and direct ones.
        assert result["drift"]["current_rows"] == len(rows) + 2
        assert {f["feature"] for f in result["drift"]["features"]} >= {"age", "balance"}
        assert result["performance"]["coverage"]["champion"]["labelled"] == len(rows)
        snapshots = client.get("/v1/models/churn/snapshots").json()["snapshots"]
        assert len(snapshots) == 1
