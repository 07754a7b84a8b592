"""Small typed results passed between pipeline steps.

Each step returns one of these; a DAG task hands it to the next task as XCom via `model_dump()`
(ids, hashes and URIs only — never data), and the next step accepts it back with `model_validate`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Ref(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_xcom(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class DatasetRef(Ref):
    """An ingested, content-addressed batch in the lake."""

    model: str
    content_hash: str  # sha256 of the canonical table content
    key: str  # object-store key of the parquet (datasets/<model>/<hash>.parquet)
    uri: str  # full URI/path of the same object
    source: str  # where it came from
    rows: int


class ValidationReport(Ref):
    model: str
    content_hash: str
    suite: str
    success: bool
    evaluated: int
    successful: int
    failures: list[dict[str, Any]]  # [{"expectation", "column", "unexpected_count", ...}]


class FrameRef(Ref):
    """The point-in-time training frame built from the feature store for one dataset."""

    model: str
    content_hash: str
    key: str  # object-store key of the training frame (see mlaas.features.frame_key)
    rows: int
    materialized_entities: int


class TuneResult(Ref):
    model: str
    content_hash: str
    spec_hash: str
    study_name: str
    parent_run_id: str  # MLflow run holding the trials as child runs
    best_family: str
    best_params: dict[str, Any]
    best_value: float  # mean CV score of the primary metric
    n_trials: int  # finished (completed + pruned) trials in the study


class TrainResult(Ref):
    model: str
    content_hash: str
    spec_hash: str
    run_id: str  # MLflow run of the refit model
    model_uri: str  # as MLflow returned it (models:/m-<id>); runs:/<run_id>/model resolves too
    family: str
    params: dict[str, Any]
    metrics: dict[str, float]  # holdout metrics
    profile_key: str  # reference profile in the object store
    frame_key: str  # the training frame it was fit and evaluated on


class GateDecision(Ref):
    passed: bool
    reason: str
    challenger_metric: float
    champion_metric: float | None = None
    champion_version: str | None = None
    p_value: float | None = None


class Registration(Ref):
    model: str
    version: str
    run_id: str
    champion: bool
    gate: GateDecision
    reused: bool = False  # True when this data + spec was already registered (idempotent re-run)
