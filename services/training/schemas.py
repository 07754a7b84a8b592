"""Request and response bodies of the training API (/v1)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mlaas.jobs.overrides import JobOverrides
from mlaas.refs import GateDecision
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


# -- answers of the registry, audit and pipeline routes --------------------------------------


class ModelSummary(BaseModel):
    name: str
    versions: int
    latest: int | None = Field(description="The newest version number")
    aliases: dict[str, int] = Field(description="alias -> version")


class ModelList(BaseModel):
    models: list[ModelSummary]


class VersionView(BaseModel):
    version: str
    aliases: list[str]
    run_id: str
    created_at: int = Field(description="Milliseconds since 1970 (as MLflow stores it)")
    metrics: dict[str, float] = Field(description="Holdout metrics")
    lineage: dict[str, str] = Field(
        description="data_hash, validation, spec_hash, git_revision, trigger, retrain_mode, gate…"
    )
    plots: list[str] = Field(description="Names for GET …/versions/{version}/plots/{plot}")
    dataset: DatasetView | None = Field(
        None, description="The training data as ingest recorded it (null: not in this database)"
    )


class DatasetView(BaseModel):
    rows: int
    source: str
    status: str = Field(description="ingested | validated | quarantined")


class VersionList(BaseModel):
    model: str
    versions: list[VersionView]


class MetricRow(BaseModel):
    """One holdout metric; the two versions' values are keyed by their version numbers."""

    model_config = ConfigDict(extra="allow")

    metric: str


class Comparison(BaseModel):
    model: str
    a: str
    b: str
    metrics: list[MetricRow]
    test: GateDecision = Field(description="The gate's paired test on b's holdout")
    plots: dict[str, dict[str, str]] = Field(description="version -> plot name -> artifact URI")
    tracking_uri: str


class AliasMoved(BaseModel):
    model: str
    alias: str
    version: str
    reason: str


class AuditEntry(BaseModel):
    id: str
    at: datetime
    actor: str
    action: str
    model: str | None
    version: str | None
    alias: str | None
    reason: str
    details: dict[str, Any]


class AuditPage(BaseModel):
    entries: list[AuditEntry]


class TaskState(BaseModel):
    task_id: str | None
    state: str | None
    try_number: int | None
    start_date: str | None
    end_date: str | None


class ValidationFailure(BaseModel):
    """Why a run stopped at `validate`: the platform's record of the failing expectations."""

    suite: str
    content_hash: str
    statistics: dict[str, Any]
    failures: list[dict[str, Any]]


class PipelineRun(BaseModel):
    dag_run_id: str
    dag_id: str = Field(
        "",
        description="mlaas_pipeline_<spec> (runs people start) or mlaas_retrain_<spec> "
        "(automatic retrains: monitoring, inbox)",
    )
    state: str | None
    run_type: str | None = None
    start_date: str | None = None
    end_date: str | None = None
    conf: dict[str, Any] | None = None
    tasks: list[TaskState] = []
    failed_tasks: list[str] = Field(default=[], description="Tasks that failed, in order")
    validation: ValidationFailure | None = Field(
        None, description="For a run that failed validation: the failing expectations"
    )


class PipelineRuns(BaseModel):
    spec: str
    runs: list[PipelineRun]


class TrialView(BaseModel):
    number: int
    state: str
    family: str | None
    params: dict[str, Any]
    value: float | None
    values: list[float] | None = Field(description="Every objective (multi-objective studies)")
    pareto_optimal: bool
    duration_s: float | None
    started_at: datetime | None
    finished_at: datetime | None
    last_step: int | None
    worker: str | None
    mlflow_run_id: str | None
    surplus: bool


class TrialList(BaseModel):
    job_id: str
    study_name: str | None
    trials: list[TrialView]


class LineageNode(BaseModel):
    model_config = ConfigDict(extra="allow")  # the facts of each kind of node

    id: str = Field(description="`<kind>:<key>`, unique in the graph")
    kind: Literal[
        "dataset",
        "source",
        "validation",
        "feature_view",
        "training_run",
        "model_version",
        "alias",
        "predictions",
    ]


class LineageEdge(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    relation: Literal[
        "made_from",
        "validated_by",
        "published_as",
        "trained",
        "registered_as",
        "aliased",
        "served",
    ]


class LineageGraph(BaseModel):
    root: str = Field(description="The node asked about")
    nodes: list[LineageNode]
    edges: list[LineageEdge] = Field(description="From upstream to downstream")
