"""What a training job may change about its spec, validated before anything is queued.

Shape errors (an unknown family, trials < 1, a bad retrain mode) fail in pydantic with the
field's path; errors that need the spec or the platform DB (a family the spec does not search, an
unknown dataset version, a missing file) raise OverrideError naming the field.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mlaas.errors import FieldError
from mlaas.families import FAMILIES
from mlaas.specs import ModelSpec, RetrainMode

MAX_PARALLELISM = 16


class OverrideError(FieldError):
    """An override that does not fit the spec or the platform's data; names the field."""

    code = "invalid_overrides"

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(field, problem)
        self.problem = problem


class JobOverrides(BaseModel):
    """Per-job changes to the spec; everything left out comes from the spec."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {"families": ["lightgbm"], "trials": 10, "timeout_seconds": 300},
                {"dataset_path": "data/churn-2024-06.parquet", "retrain_mode": "spec"},
            ]
        },
    )

    dataset_path: str | None = Field(
        None, description="A .csv/.parquet file (local path or s3:// URI) to train on"
    )
    dataset_version: str | None = Field(
        None, min_length=8, description="Content hash (or a prefix of 8+) of an ingested dataset"
    )
    families: list[str] | None = Field(
        None, min_length=1, description="Search only these of the spec's model families"
    )
    trials: int | None = Field(None, ge=1, le=10_000)
    timeout_seconds: int | None = Field(None, ge=1, le=7 * 24 * 3600)
    retrain_mode: RetrainMode | Literal["spec"] | None = Field(
        None, description="Retrain with this mode ('spec': the spec's retrain.mode); none: full"
    )
    parallelism: int = Field(
        1, ge=1, le=MAX_PARALLELISM, description="Workers searching the study together"
    )

    @field_validator("families")
    @classmethod
    def _known_families(cls, value: list[str] | None) -> list[str] | None:
        unknown = sorted(set(value or ()) - set(FAMILIES))
        if unknown:
            raise ValueError(f"unknown model family {unknown}; known: {sorted(FAMILIES)}")
        return value

    @field_validator("dataset_path")
    @classmethod
    def _tabular(cls, value: str | None) -> str | None:
        if value is not None and not value.endswith((".csv", ".parquet")):
            raise ValueError("dataset_path must be a .csv or .parquet file")
        return value

    def request_hash(self, spec: str) -> str:
        """Same spec and overrides, same hash (what an idempotency key must keep meaning)."""
        body = json.dumps({"spec": spec, **self.model_dump(mode="json")}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()

    def mode(self, spec: ModelSpec) -> str | None:
        """The retrain mode to run, None for a plain (full) training run."""
        return spec.retrain.mode if self.retrain_mode == "spec" else self.retrain_mode


def apply(spec: ModelSpec, overrides: JobOverrides) -> ModelSpec:
    """The spec this job trains with (its own hash, hence its own Optuna study)."""
    data: dict[str, Any] = spec.model_dump(mode="python")
    training = data["training"]
    if overrides.families is not None:
        missing = sorted(set(overrides.families) - set(training["families"]))
        if missing:
            raise OverrideError(
                "overrides.families",
                f"spec {spec.name!r} has no search space for {missing}; "
                f"it searches {sorted(training['families'])}",
            )
        training["families"] = {f: training["families"][f] for f in overrides.families}
    if overrides.trials is not None:
        training["trials"] = overrides.trials
    if overrides.timeout_seconds is not None:
        training["timeout_seconds"] = overrides.timeout_seconds
    from mlaas.training.retrain_modes import RetrainError, check_mode

    try:
        check_mode(spec, overrides.mode(spec))
    except RetrainError as error:
        raise OverrideError("overrides.retrain_mode", str(error)) from None
    return ModelSpec.model_validate(data)


def resolve_source(spec: ModelSpec, overrides: JobOverrides) -> str | None:
    """The dataset to ingest (None: the spec's own source)."""
    if overrides.dataset_path and overrides.dataset_version:
        raise OverrideError("overrides", "give dataset_path or dataset_version, not both")
    if overrides.dataset_path:
        from mlaas.data.access import allowed_data_file
        from mlaas.data.generate import resolve_source as resolve

        field = "overrides.dataset_path"
        path = allowed_data_file(resolve(spec, overrides.dataset_path), field=field)
        if not path.startswith("s3://") and not Path(path).is_file():
            raise OverrideError("overrides.dataset_path", f"no file at {path}")
        return path
    if overrides.dataset_version:
        return _dataset_uri(spec.name, overrides.dataset_version)
    return None


def _dataset_uri(model: str, version: str) -> str:
    from sqlalchemy import select

    from mlaas.db import datasets, get_engine

    query = select(datasets.c.uri, datasets.c.status).where(
        datasets.c.model == model, datasets.c.content_hash.startswith(version, autoescape=True)
    )
    with get_engine().connect() as conn:
        rows = conn.execute(query.limit(2)).all()
    if not rows:
        raise OverrideError(
            "overrides.dataset_version", f"model {model!r} has no dataset {version!r}"
        )
    if len(rows) > 1:
        raise OverrideError(
            "overrides.dataset_version", f"{version!r} matches several datasets; give more of it"
        )
    if rows[0].status == "quarantined":
        raise OverrideError(
            "overrides.dataset_version", f"dataset {version!r} failed validation (quarantined)"
        )
    return str(rows[0].uri)
