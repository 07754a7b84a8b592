"""Platform-DB tables of training jobs (registered on `mlaas.db.metadata`).

One row per job, written by the API (submit, cancel) and by the worker that runs it (claim,
heartbeat, outcome). Every state change is a guarded `UPDATE ... WHERE state IN (...)`, so two
processes can never both move a job (mlaas.jobs.store).
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text

from mlaas.db import metadata, new_id, utcnow

training_jobs = Table(
    "training_jobs",
    metadata,
    Column("id", String(36), primary_key=True, default=new_id),
    Column("spec", String(64), nullable=False),
    Column("spec_hash", String(64), nullable=False),  # of the spec with the overrides applied
    Column("overrides", JSON, nullable=False, default=dict),
    Column("idempotency_key", String(128), unique=True),  # NULLs never collide
    Column("request_hash", String(64), nullable=False),  # a reused key must mean the same request
    Column("state", String(16), nullable=False),  # queued|running|succeeded|failed|cancelled
    Column("stage", String(16), nullable=False, default="queued"),  # last pipeline step reached
    Column("trials_total", Integer, nullable=False),
    Column("parallelism", Integer, nullable=False, default=1),  # processes searching the study
    Column("retrain_mode", String(32)),
    Column("created_at", DateTime(timezone=True), nullable=False, default=utcnow),
    Column("started_at", DateTime(timezone=True)),
    Column("finished_at", DateTime(timezone=True)),
    Column("heartbeat_at", DateTime(timezone=True)),  # the running attempt is alive
    Column("attempts", Integer, nullable=False, default=0),  # deliveries that started it
    Column("celery_task_id", String(64)),
    Column("worker_hostname", String(255)),
    Column("worker_process", String(64)),  # "<pid>:<start ticks>" of the running attempt
    Column("study_name", String(255)),
    Column("mlflow_parent_run_id", String(64)),  # the tuning parent run (trials are children)
    Column("mlflow_run_id", String(64)),  # the refit model's run
    Column("registered_version", String(32)),
    Column("champion", Boolean),
    Column("error", Text),
    Column("cancel_requested", Boolean, nullable=False, default=False),
    Column("actor", String(128), nullable=False),
    Index("ix_training_jobs_spec_created", "spec", "created_at"),
    Index("ix_training_jobs_state", "state"),
)
