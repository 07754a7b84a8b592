"""Small typed results passed between pipeline steps.

Each step returns one of these; a DAG task hands it to the next task as XCom via `model_dump()`
(ids, hashes and URIs only — never data), and the next step accepts it back with `model_validate`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mlaas.specs import RetrainMode

MODE_TAG = "mlaas.retrain_mode"
TAG_PREFIX = "mlaas.retrain"  # every retraining lineage tag starts with it
TUNED_MODES = ("full", "window", "replay_mix", "stacking")  # the modes that run a search


class Ref(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_xcom(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


FileKind = Literal["source", "inbox", "file"]


class DataPart(Ref):
    """Where some rows of a dataset came from (its lineage, part by part).

    kind `source`: the spec's source file; `inbox`: a file that arrived in the model's inbox;
    `file`: another file given for this run (`dataset_path`), used alone; `live`: labelled live
    traffic, logged predictions joined with the ground truth posted for them (mlaas.live_labels).
    """

    kind: Literal["source", "inbox", "file", "live"]
    rows: int  # its rows in the dataset
    uri: str | None = None  # source / file: where it was read
    content_hash: str | None = None  # source / file: the hash of that file's table
    window_start: datetime | None = None  # live: predictions made in [start, end)
    window_end: datetime | None = None
    labels_until: datetime | None = None  # live: the newest label used (received or updated)
    # Its rows not in the dataset: replaced by a later file's row with the same entity key and
    # event time; live: labelled predictions that did not fit the source's schema.
    left_out: int = 0

    def describe(self) -> str:
        if self.kind != "live":
            return f"{self.kind} {self.uri} ({self.rows} rows, hash {str(self.content_hash)[:12]})"
        assert self.window_start is not None and self.window_end is not None
        left_out = f", {self.left_out} left out" if self.left_out else ""
        return (
            f"live {self.rows} labelled predictions made {self.window_start:%Y-%m-%d %H:%M} to "
            f"{self.window_end:%Y-%m-%d %H:%M} UTC{left_out}"
        )


class DatasetRef(Ref):
    """An ingested, content-addressed batch in the lake."""

    model: str
    content_hash: str  # sha256 of the canonical table content
    key: str  # object-store key of the parquet (datasets/<model>/<hash>.parquet)
    uri: str  # full URI/path of the same object
    source: str  # where it came from
    rows: int
    parts: list[DataPart] = []  # the lineage of its rows, in row order


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
    metric_problems: dict[str, str] = {}  # why a metric of the task has no value on the holdout
    decision_threshold: float | None = None  # binary: P(positive) from which it answers positive
    fairness: dict[str, Any] | None = None  # mlaas.fairness report on the holdout (spec slices)
    profile_key: str  # reference profile in the object store
    frame_key: str  # the training frame it was fit and evaluated on


class GateDecision(Ref):
    passed: bool
    reason: str
    challenger_metric: float | None = None  # None: not computable on these rows (see reason)
    champion_metric: float | None = None
    champion_version: str | None = None
    p_value: float | None = None
    rows: int | None = None  # the rows both models were scored on
    evaluation: str | None = None  # which rows those are and why


class Registration(Ref):
    model: str
    version: str
    run_id: str
    champion: bool
    gate: GateDecision
    reused: bool = False  # True when this data + spec was already registered (idempotent re-run)


class RetrainPlan(Ref):
    """How one run trains: the mode used, the rows, the champion it builds on (XCom-safe)."""

    model: str
    requested: RetrainMode
    mode: RetrainMode
    note: str = ""  # why `mode` differs from `requested`
    source_hash: str  # the dataset the run was started with
    source_frame_key: str  # its canonical training frame
    frame: FrameRef  # the rows to tune, train and evaluate on
    base_version: str | None = None  # champion built upon (champion-based modes)
    base_run_id: str | None = None
    details: dict[str, str] = {}  # what was selected: window bounds, replayed rows, ...

    @classmethod
    def full(cls, frame: FrameRef) -> RetrainPlan:
        return cls(
            model=frame.model,
            requested="full",
            mode="full",
            source_hash=frame.content_hash,
            source_frame_key=frame.key,
            frame=frame,
        )

    @property
    def tunes(self) -> bool:
        return self.mode in TUNED_MODES

    def tags(self) -> dict[str, str]:
        """Lineage tags of the training run (copied onto the registered version)."""
        tags: dict[str, str] = {MODE_TAG: self.mode, f"{TAG_PREFIX}_requested": self.requested}
        if self.note:
            tags[f"{TAG_PREFIX}_note"] = self.note
        if self.base_version is not None and self.base_run_id is not None:
            tags[f"{TAG_PREFIX}.base_version"] = self.base_version
            tags[f"{TAG_PREFIX}.base_run_id"] = self.base_run_id
        tags |= {f"{TAG_PREFIX}.{k}": v for k, v in self.details.items()}
        return tags

    def describe(self) -> str:
        fallback = f" instead of {self.requested} ({self.note})" if self.note else ""
        base = f" on champion v{self.base_version}" if self.base_version else ""
        return f"mode {self.mode}{fallback}{base}: {self.frame.rows} rows"
