"""Request and response bodies of the training API (/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mlaas.jobs.overrides import JobOverrides
from mlaas.specs import RetrainMode


class SubmitJob(BaseModel):
    """A spec name and optional overrides; an idempotency key makes retries safe."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"spec": "churn"},
                {
                    "spec": "churn",
                    "overrides": {"families": ["lightgbm"], "trials": 10, "parallelism": 2},
                    "idempotency_key": "nightly-2024-06-01",
                },
            ]
        },
    )

    spec: str = Field(pattern=r"^[a-z][a-z0-9_]{1,62}$", description="A spec name")
    overrides: JobOverrides = JobOverrides()
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=128, description="Or send an Idempotency-Key header"
    )


class Progress(BaseModel):
    stage: str
    trials_done: int
    trials_total: int
    trials_running: int
    best_value: float | None
    elapsed_s: float | None


class JobView(BaseModel):
    id: str
    spec: str
    state: str
    overrides: dict[str, Any]
    idempotency_key: str | None
    progress: Progress
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    attempts: int
    worker_hostname: str | None
    celery_task_id: str | None
    study_name: str | None
    mlflow_parent_run_id: str | None
    mlflow_run_id: str | None
    registered_version: str | None
    champion: bool | None
    error: str | None
    cancel_requested: bool
    actor: str
    retrain_mode: str | None
    parallelism: int


class JobPage(BaseModel):
    jobs: list[JobView]
    next_cursor: str | None


class PipelineRunRequest(BaseModel):
    """Run conf passed to the spec's Airflow DAG."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"dataset_path": "data/churn.parquet", "mode": "full"}]},
    )

    dataset_path: str | None = None
    mode: RetrainMode | None = None
    trigger: str = Field("api", max_length=64)


class AliasRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"version": "3", "reason": "rollback: v4 drifts"}]},
    )

    version: str = Field(min_length=1, max_length=32)
    reason: str = Field(min_length=3, max_length=2000, description="Recorded in the audit log")
