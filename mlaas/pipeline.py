"""The training pipeline of one model, as steps: ingest -> validate -> features -> tune -> train ->
register.

Each `step_*` function is what one Airflow task calls (plain names and dicts in and out, so XCom
carries ids and URIs only); `run_pipeline` chains the same steps in-process for `mlaas run` and
tests. Every step is idempotent: re-running on the same data and spec reuses earlier results.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from mlaas.refs import (
    DatasetRef,
    FrameRef,
    Registration,
    TrainResult,
    TuneResult,
    ValidationReport,
)
from mlaas.specs import ModelSpec, load_spec

log = logging.getLogger("mlaas.pipeline")

STEPS = ("ingest", "validate", "features", "tune", "train", "register")


def step_ingest(spec_name: str, *, source: str | None = None) -> dict[str, Any]:
    from mlaas.data.generate import ensure_dataset
    from mlaas.ingest import ingest

    spec = load_spec(spec_name)
    resolved = source or ensure_dataset(spec)
    return ingest(spec, source=resolved).to_xcom()


def step_validate(spec_name: str, dataset: dict[str, Any]) -> dict[str, Any]:
    from mlaas.validation import validate_dataset

    spec = load_spec(spec_name)
    return validate_dataset(spec, DatasetRef.model_validate(dataset)).to_xcom()


def step_features(
    spec_name: str, dataset: dict[str, Any], validation: dict[str, Any]
) -> dict[str, Any]:
    from mlaas.features import publish_features

    report = ValidationReport.model_validate(validation)
    ref = DatasetRef.model_validate(dataset)
    if not report.success or report.content_hash != ref.content_hash:
        raise ValueError(f"dataset {ref.content_hash[:12]} has not passed validation")
    return publish_features(load_spec(spec_name), ref).to_xcom()


def step_tune(spec_name: str, frame: dict[str, Any], *, trigger: str) -> dict[str, Any]:
    from mlaas.training.tune import tune

    spec = load_spec(spec_name)
    return tune(spec, FrameRef.model_validate(frame), trigger=trigger).to_xcom()


def step_train(
    spec_name: str, frame: dict[str, Any], tuned: dict[str, Any], *, trigger: str
) -> dict[str, Any]:
    from mlaas.training.train import train_and_evaluate

    spec = load_spec(spec_name)
    result = train_and_evaluate(
        spec, FrameRef.model_validate(frame), TuneResult.model_validate(tuned), trigger=trigger
    )
    return result.to_xcom()


def step_register(spec_name: str, trained: dict[str, Any], *, trigger: str) -> dict[str, Any]:
    from mlaas.registry import register_and_gate

    spec = load_spec(spec_name)
    return register_and_gate(spec, TrainResult.model_validate(trained), trigger=trigger).to_xcom()


def run_pipeline(
    spec: ModelSpec,
    *,
    source: str | None = None,
    trigger: str = "manual",
    progress: Callable[[str], None] | None = None,
) -> Registration:
    """All steps in this process, for the CLI and tests (the DAG runs the same functions)."""
    from mlaas.data.generate import ensure_dataset
    from mlaas.features import publish_features
    from mlaas.ingest import ingest
    from mlaas.registry import register_and_gate
    from mlaas.training.train import train_and_evaluate
    from mlaas.training.tune import tune
    from mlaas.validation import validate_dataset

    say = progress or log.info
    started = time.monotonic()

    def done(step: str, detail: str) -> None:
        say(f"[{spec.name}] {step:<9} {detail}  ({time.monotonic() - started:.1f}s)")

    dataset = ingest(spec, source=source or ensure_dataset(spec))
    done("ingest", f"{dataset.rows} rows, hash {dataset.content_hash[:12]}")
    report = validate_dataset(spec, dataset)
    done("validate", f"{report.successful}/{report.evaluated} expectations passed")
    frame = publish_features(spec, dataset)
    done("features", f"{frame.rows} training rows, {frame.materialized_entities} entities online")
    tuned = tune(spec, frame, trigger=trigger)
    done("tune", f"{tuned.n_trials} trials, best {tuned.best_family} = {tuned.best_value:.4f}")
    trained = train_and_evaluate(spec, frame, tuned, trigger=trigger)
    metric = spec.training.primary_metric
    done("train", f"holdout {metric} = {trained.metrics.get(metric, float('nan')):.4f}")
    registration = register_and_gate(spec, trained, trigger=trigger)
    state = "champion" if registration.champion else "challenger"
    reuse = " (already registered)" if registration.reused else ""
    done("register", f"v{registration.version} is {state}{reuse}: {registration.gate.reason}")
    return registration
