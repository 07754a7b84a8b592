"""The training pipeline of one model, as steps: ingest -> validate -> features -> tune -> train ->
register.

The retraining mode (mlaas.training.retrain_modes) is decided at the start of the tune step, as a
plan that says which rows to train on and whether to tune; train follows the plan; register gates
the result like any other model and copies the plan's lineage tags onto the version. Each `step_*`
function is what one Airflow task calls (a spec name or file path and plain dicts in and out, so
XCom carries ids and URIs only); `run_pipeline` chains the same steps in-process for `mlaas run`
and tests. Every step is idempotent: re-running on the same data and spec reuses earlier results.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mlaas.refs import (
    DatasetRef,
    FrameRef,
    Registration,
    RetrainPlan,
    TrainResult,
    TuneResult,
    ValidationReport,
)
from mlaas.specs import ModelSpec, RetrainMode, load_spec

if TYPE_CHECKING:
    from mlaas.training.tune import TuneControl

log = logging.getLogger("mlaas.pipeline")

STEPS = ("ingest", "validate", "features", "tune", "train", "register")
PROGRESS_MARK = "mlaas-progress:"  # `mlaas up` echoes log lines carrying this mark


def describe(step: str, result: Any, spec: ModelSpec) -> str:
    """One human line for a finished step."""
    if isinstance(result, DatasetRef):
        live = sum(part.rows for part in result.parts if part.kind == "live")
        with_live = f" ({live} from labelled live traffic)" if live else ""
        return f"{result.rows} rows{with_live}, hash {result.content_hash[:12]}"
    if isinstance(result, ValidationReport):
        return f"{result.successful}/{result.evaluated} expectations passed"
    if isinstance(result, FrameRef):
        return f"{result.rows} training rows, {result.materialized_entities} entities online"
    if isinstance(result, RetrainPlan):
        return result.describe()
    if isinstance(result, TuneResult):
        return f"{result.n_trials} trials, best {result.best_family} = {result.best_value:.4f}"
    if isinstance(result, TrainResult):
        metric = spec.training.primary_metric
        value = result.metrics.get(metric)
        if value is None:
            return (
                f"holdout {metric} = null ({result.metric_problems.get(metric, 'not computed')})"
            )
        return f"holdout {metric} = {value:.4f}"
    if isinstance(result, Registration):
        state = "champion" if result.champion else "challenger"
        return f"v{result.version} is {state}: {result.gate.reason}"  # says if reused
    return str(result)


def _report(spec: ModelSpec, step: str, result: Any) -> dict[str, Any]:
    log.info("%s [%s] %-9s %s", PROGRESS_MARK, spec.name, step, describe(step, result, spec))
    data: dict[str, Any] = result.to_xcom()
    return data


def step_ingest(spec_ref: str, *, source: str | None = None) -> dict[str, Any]:
    from mlaas.data.generate import ensure_dataset
    from mlaas.ingest import ingest

    spec = load_spec(spec_ref)
    resolved = ensure_dataset(spec)  # the spec's source is part of every run but a `file` one
    return _report(spec, "ingest", ingest(spec, source=source or resolved))


def step_validate(spec_ref: str, dataset: dict[str, Any]) -> dict[str, Any]:
    from mlaas.validation import validate_dataset

    spec = load_spec(spec_ref)
    return _report(spec, "validate", validate_dataset(spec, DatasetRef.model_validate(dataset)))


def step_features(
    spec_ref: str, dataset: dict[str, Any], validation: dict[str, Any]
) -> dict[str, Any]:
    from mlaas.features import publish_features

    report = ValidationReport.model_validate(validation)
    ref = DatasetRef.model_validate(dataset)
    if not report.success or report.content_hash != ref.content_hash:
        raise ValueError(f"dataset {ref.content_hash[:12]} has not passed validation")
    spec = load_spec(spec_ref)
    return _report(spec, "features", publish_features(spec, ref))


def step_tune(
    spec_ref: str, frame: dict[str, Any], *, trigger: str, mode: RetrainMode | None = None
) -> dict[str, Any]:
    """Plan the retraining `mode` (None: full), then tune when the plan needs it.

    Returns {"plan": RetrainPlan, "tuned": TuneResult or None} as plain dicts.
    """
    from mlaas.training.retrain_modes import plan_retrain
    from mlaas.training.tune import tune

    spec = load_spec(spec_ref)
    plan = plan_retrain(spec, FrameRef.model_validate(frame), mode)
    planned = _report(spec, "plan", plan)
    tuned = _report(spec, "tune", tune(spec, plan.frame, trigger=trigger)) if plan.tunes else None
    return {"plan": planned, "tuned": tuned}


def step_train(
    spec_ref: str, frame: dict[str, Any], tuned: dict[str, Any], *, trigger: str
) -> dict[str, Any]:
    """Train as `tuned["plan"]` says (the output of `step_tune` on the same frame)."""
    from mlaas.training.retrain_modes import train_for_plan

    spec = load_spec(spec_ref)
    plan = RetrainPlan.model_validate(tuned["plan"])
    if plan.source_frame_key != FrameRef.model_validate(frame).key:
        raise ValueError(f"the retraining plan was made for frame {plan.source_frame_key}")
    tune_result = TuneResult.model_validate(tuned["tuned"]) if tuned["tuned"] else None
    result = train_for_plan(spec, plan, tune_result, trigger=trigger)
    return _report(spec, "train", result)


def step_register(spec_ref: str, trained: dict[str, Any], *, trigger: str) -> dict[str, Any]:
    from mlaas.promotion import register_and_gate
    from mlaas.training.retrain_modes import tag_version

    spec = load_spec(spec_ref)
    registration = register_and_gate(spec, TrainResult.model_validate(trained), trigger=trigger)
    tag_version(registration)
    return _report(spec, "register", registration)


def run_pipeline(
    spec: ModelSpec,
    *,
    source: str | None = None,
    trigger: str = "manual",
    progress: Callable[[str, str], None] | None = None,
    mode: RetrainMode | None = None,
    control: TuneControl | None = None,
) -> Registration:
    """All steps in this process, for the CLI, jobs and tests (the DAG runs the same functions).

    `mode` is the retraining mode (mlaas.training.retrain_modes); None means full. After each
    step, `progress(step, line)` gets its name and a human line (default: the log). `control`
    steers tuning (a training job's cancellation and shards).
    """
    from mlaas.data.generate import ensure_dataset
    from mlaas.features import publish_features
    from mlaas.ingest import ingest
    from mlaas.promotion import register_and_gate
    from mlaas.training.retrain_modes import check_mode, plan_retrain, tag_version, train_for_plan
    from mlaas.training.tune import tune
    from mlaas.validation import validate_dataset

    check_mode(spec, mode)  # a mode that cannot apply fails before any work
    say = progress or (lambda _step, line: log.info("%s", line))
    started = time.monotonic()

    def done(step: str, result: Any) -> None:
        elapsed = time.monotonic() - started
        say(step, f"[{spec.name}] {step:<9} {describe(step, result, spec)}  ({elapsed:.1f}s)")

    resolved = ensure_dataset(spec)
    dataset = ingest(spec, source=source or resolved)
    done("ingest", dataset)
    report = validate_dataset(spec, dataset)
    done("validate", report)
    frame = publish_features(spec, dataset)
    done("features", frame)
    plan = plan_retrain(spec, frame, mode)
    done("plan", plan)
    tuned = tune(spec, plan.frame, trigger=trigger, control=control) if plan.tunes else None
    if tuned is not None:
        done("tune", tuned)
    trained = train_for_plan(spec, plan, tuned, trigger=trigger)
    done("train", trained)
    registration = register_and_gate(spec, trained, trigger=trigger)
    tag_version(registration)
    done("register", registration)
    return registration
