"""Refit the tuned configuration on the train part, score it on the holdout, log it to MLflow.

Idempotent: one FINISHED train run per (model, data hash, spec hash, training frame, retrain mode,
champion built upon); a re-run returns it. A tuned fit is fully seeded, so `refit_and_score`
rebuilds the logged holdout metrics exactly (`mlaas reproduce`). The retraining modes that build
on the champion (mlaas.training.retrain_modes) log through the same `fit_and_log`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from mlaas.fairness import fairness_report
from mlaas.families import SKOPS_TRUSTED_TYPES, model_size
from mlaas.refs import MODE_TAG, TAG_PREFIX, FrameRef, RetrainPlan, TrainResult, TuneResult
from mlaas.specs import ModelSpec
from mlaas.training.families import build_estimator
from mlaas.training.metrics import (
    encode_target,
    evaluate,
    metrics_with_reasons,
    per_class_report,
    predictions_for_metric,
    score,
)
from mlaas.training.split import features_and_target, features_frame, load_split
from mlaas.training.threshold import decision_threshold, is_binary

if TYPE_CHECKING:
    import pandas as pd
    from mlflow import MlflowClient
    from mlflow.models import ModelSignature

PERMUTATION_REPEATS = 5
PER_CLASS_ARTIFACT = "per_class_metrics.json"  # classification: per class and confusion matrix
THRESHOLD_TAG = "mlaas.decision_threshold"  # binary classifiers (run and version tag)
REFIT_MODES = ("full", "window", "replay_mix")  # a tuned configuration refit from scratch
FAIRNESS_ARTIFACT = "fairness.json"  # mlaas.fairness report on the holdout (spec slices)


def _fit(spec: ModelSpec, train: pd.DataFrame, family: str, params: dict[str, Any]) -> Any:
    X, y = features_and_target(spec, train)
    return build_estimator(spec, family, params, seed=spec.training.seed).fit(X, y)


def refit_and_score(
    spec: ModelSpec, frame_key: str, family: str, params: dict[str, Any]
) -> dict[str, float]:
    """Rebuild a version from its lineage (no MLflow) and return its holdout metrics (a
    tuned decision threshold is tuned again: the folds are seeded too)."""
    train, holdout = load_split(spec, frame_key)
    estimator = _fit(spec, train, family, params)
    X_train, y_train = features_and_target(spec, train)
    threshold = 0.5
    if is_binary(spec, y_train):
        threshold = decision_threshold(spec, family, params, X_train, y_train)[0]
    return evaluate(spec, estimator, *features_and_target(spec, holdout), threshold=threshold)


def holdout_predictions(
    spec: ModelSpec, frame_key: str, model_uri: str, *, model_spec: ModelSpec | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, scores) of any logged model on a frame's holdout, as the metrics consume them.

    `spec` decides the holdout rows; `model_spec` (default: `spec`) is the spec the model was
    trained with, whose features it needs — so a champion trained on an older spec is scored on
    the challenger's exact holdout. Raises ValueError when the frame lacks one of its features.
    """
    _, holdout = load_split(spec, frame_key)
    return predictions_on(spec, holdout, model_uri, model_spec=model_spec)


def predictions_on(
    spec: ModelSpec, rows: pd.DataFrame, model_uri: str, *, model_spec: ModelSpec | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(y_true, scores) of a logged model on `rows` of a training frame (see
    `holdout_predictions`)."""
    import mlflow

    from mlaas.tracking import init_mlflow

    X = features_frame(model_spec or spec, rows)
    _, y = features_and_target(spec, rows)
    init_mlflow()
    estimator = mlflow.sklearn.load_model(model_uri)
    return encode_target(spec, estimator, y), predictions_for_metric(spec, estimator, X)


def permutation_importances(
    spec: ModelSpec, estimator: Any, X: pd.DataFrame, y: pd.Series, metric: str | None = None
) -> dict[str, float]:
    """Drop in `metric` (default: the primary one) when one spec feature is shuffled (seeded),
    per feature."""
    from sklearn.inspection import permutation_importance

    from mlaas.specs import METRICS

    metric = metric or spec.training.primary_metric
    sign = 1.0 if METRICS[metric][1] else -1.0

    def scorer(model: Any, features: pd.DataFrame, target: pd.Series) -> float:
        truth = encode_target(spec, model, target)
        return sign * score(metric, truth, predictions_for_metric(spec, model, features))

    result = permutation_importance(
        estimator,
        X,
        y,
        scoring=scorer,
        n_repeats=PERMUTATION_REPEATS,
        random_state=spec.training.seed,
        n_jobs=1,
    )
    return {name: float(v) for name, v in zip(X.columns, result.importances_mean, strict=True)}


def _figures(spec: ModelSpec, truth: np.ndarray, scores: np.ndarray) -> dict[str, Any]:
    from mlaas.training import plots

    if spec.task == "regression":
        return {
            "residuals": plots.residuals(truth, scores),
            "predicted_vs_actual": plots.predicted_vs_actual(truth, scores),
        }
    figures = {"confusion_matrix": plots.confusion_matrix(truth, scores)}
    if scores.ndim == 1:
        figures["roc_curve"] = plots.roc_curve(truth, scores)
    return figures


def _finished_run(
    client: MlflowClient, experiment_id: str, spec: ModelSpec, plan: RetrainPlan
) -> Any:
    """The earlier run of this exact training (same data, spec, rows, mode and base), if any."""
    query = (
        f"tags.`mlaas.kind` = 'train' and tags.`mlaas.data_hash` = '{plan.source_hash}' "
        f"and tags.`mlaas.spec_hash` = '{spec.spec_hash}' "
        f"and tags.`mlaas.frame_key` = '{plan.frame.key}' "
        f"and tags.`{MODE_TAG}` = '{plan.mode}' and attributes.status = 'FINISHED'"
    )
    if plan.base_run_id is not None:
        query += f" and tags.`{TAG_PREFIX}.base_run_id` = '{plan.base_run_id}'"
    found = client.search_runs([experiment_id], query, max_results=1, order_by=["start_time ASC"])
    return found[0] if found else None


def fairness_metrics(report: dict[str, Any]) -> dict[str, float]:
    """`fairness_<slice>_<disparity>` per measured disparity, as MLflow metrics."""
    return {
        f"fairness_{column}_{name}": value
        for column, part in report["slices"].items()
        for name, value in part["disparities"].items()
        if value is not None
    }


def logged_fairness(run_id: str) -> dict[str, Any] | None:
    """A run's fairness report (None: the spec named no slice)."""
    from mlaas.registry import run_artifact_dict

    return run_artifact_dict(run_id, FAIRNESS_ARTIFACT)


def _result_from_run(run: Any, spec: ModelSpec) -> TrainResult:
    tags, metrics = run.data.tags, run.data.metrics
    return TrainResult(
        model=spec.name,
        content_hash=tags["mlaas.data_hash"],
        spec_hash=spec.spec_hash,
        run_id=run.info.run_id,
        model_uri=tags["mlaas.model_uri"],
        family=tags["mlaas.family"],
        params=json.loads(tags["mlaas.params"]),
        metrics={
            k.removeprefix("holdout_"): v for k, v in metrics.items() if k.startswith("holdout_")
        },
        metric_problems=json.loads(tags.get("mlaas.metric_problems", "{}")),
        decision_threshold=float(tags[THRESHOLD_TAG]) if THRESHOLD_TAG in tags else None,
        fairness=logged_fairness(run.info.run_id) if spec.fairness.slices else None,
        profile_key=tags["mlaas.profile_key"],
        frame_key=tags["mlaas.frame_key"],
    )


# fit(X_train, y_train) -> (fitted estimator, family, params, retraining details for lineage)
Fit = Callable[["pd.DataFrame", "pd.Series"], tuple[Any, str, dict[str, Any], dict[str, str]]]


SIGNATURE_TYPES = {"int": "long", "float": "double", "bool": "boolean", "category": "string"}


def logged_signature(
    spec: ModelSpec, estimator: Any, X: pd.DataFrame
) -> tuple[ModelSignature, pd.DataFrame | None]:
    """The signature and input example logged with the model, typed by the spec.

    `int` features are `long` columns, so `mlflow.pyfunc` takes the model's own training frame
    (MLflow refuses int64 for a `double` column). Training casts numbers to float64 to impute
    missing values; a pyfunc caller with missing values in an `int` feature sends them as a
    float column and MLflow refuses it, as it does for any integer column. The example is made
    of rows whose `int` features are all present (none when there is no such row).
    """
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types import ColSpec, Schema

    kinds = {f.name: f.type for f in spec.features}
    inputs = Schema([ColSpec(SIGNATURE_TYPES[kinds[name]], name) for name in X.columns])
    outputs = infer_signature(X.head(50), estimator.predict(X.head(50))).outputs
    ints = [name for name in X.columns if kinds[name] == "int"]
    complete = X.dropna(subset=ints).head(5)
    example = complete.astype(dict.fromkeys(ints, "int64")) if len(complete) else None
    return ModelSignature(inputs=inputs, outputs=outputs), example


def train_and_evaluate(
    spec: ModelSpec,
    frame: FrameRef,
    tuned: TuneResult,
    *,
    trigger: str = "manual",
    plan: RetrainPlan | None = None,
) -> TrainResult:
    """Refit `tuned`'s best config on `frame` (`plan.frame`), evaluate, log; see `fit_and_log`."""
    plan = plan or RetrainPlan.full(frame)
    if (tuned.model, tuned.content_hash, tuned.spec_hash) != (
        spec.name,
        frame.content_hash,
        spec.spec_hash,
    ):
        raise ValueError("the tuning result belongs to another model, dataset or spec")
    if frame != plan.frame:
        raise ValueError(f"frame {frame.key} is not the plan's training frame {plan.frame.key}")

    def fit(X: pd.DataFrame, y: pd.Series) -> tuple[Any, str, dict[str, Any], dict[str, str]]:
        estimator = build_estimator(
            spec, tuned.best_family, tuned.best_params, seed=spec.training.seed
        )
        return estimator.fit(X, y), tuned.best_family, tuned.best_params, {}

    return fit_and_log(
        spec, plan, fit, trigger=trigger, tags={"mlaas.tune_run_id": tuned.parent_run_id}
    )


def fit_and_log(
    spec: ModelSpec,
    plan: RetrainPlan,
    fit: Fit,
    *,
    trigger: str = "manual",
    tags: dict[str, str] | None = None,
) -> TrainResult:
    """Fit on the train part of `plan.frame`, evaluate on its holdout, log run + model + artifacts.

    Idempotent: an earlier finished run of the same training is returned instead.
    """
    import mlflow
    from mlflow import MlflowClient

    from mlaas.profiles import build_profile, save_profile
    from mlaas.settings import get_settings
    from mlaas.tracking import MODEL_PIP_REQUIREMENTS, ensure_experiment
    from mlaas.training import plots

    frame = plan.frame
    experiment_id = ensure_experiment(spec.name)
    client = MlflowClient(tracking_uri=get_settings().mlflow_tracking_uri)
    existing = _finished_run(client, experiment_id, spec, plan)
    if existing is not None:
        return _result_from_run(existing, spec)

    train, holdout = load_split(spec, frame.key)
    X_train, y_train = features_and_target(spec, train)
    estimator, family, params, details = fit(X_train, y_train)
    threshold, threshold_tags = 0.5, {}
    if is_binary(spec, y_train):
        configured = family if plan.mode in REFIT_MODES else None
        threshold, how = decision_threshold(spec, configured, params, X_train, y_train)
        threshold_tags = {THRESHOLD_TAG: repr(threshold), "mlaas.decision_threshold_how": how}
    X_hold, y_hold = features_and_target(spec, holdout)
    truth = encode_target(spec, estimator, y_hold)
    scores = predictions_for_metric(spec, estimator, X_hold)
    classes = getattr(estimator, "classes_", [])
    metrics, metric_problems = metrics_with_reasons(
        spec, truth, scores, classes, threshold=threshold
    )
    per_class = per_class_report(spec, classes, truth, scores, threshold)
    fairness = fairness_report(spec, holdout, truth, scores, threshold=threshold)
    # Importance in the primary metric, or in the first one the holdout can score.
    defined = [m for m in [spec.training.primary_metric, *metrics] if m in metrics]
    importances = permutation_importances(spec, estimator, X_hold, y_hold, defined[0])
    profile = build_profile(spec, train)
    profile_key = save_profile(spec, frame.content_hash, profile, frame=train)

    run_tags = {
        "mlaas.kind": "train",
        "mlaas.model": spec.name,
        "mlaas.data_hash": plan.source_hash,
        "mlaas.spec_hash": spec.spec_hash,
        "mlaas.family": family,
        "mlaas.params": json.dumps(params, sort_keys=True),
        "mlaas.trigger": trigger,
        "mlaas.seed": str(spec.training.seed),
        "mlaas.frame_key": frame.key,
        "mlaas.profile_key": profile_key,
        **({"mlaas.metric_problems": json.dumps(metric_problems)} if metric_problems else {}),
        **threshold_tags,
        **(tags or {}),
        **plan.tags(),
        **{f"{TAG_PREFIX}.{k}": v for k, v in details.items()},
    }
    prefix = "train" if plan.mode == "full" else plan.mode
    run_name = f"{prefix}-{plan.source_hash[:8]}"
    with mlflow.start_run(experiment_id=experiment_id, run_name=run_name, tags=run_tags) as run:
        mlflow.log_params({"family": family, **params, "retrain_mode": plan.mode})
        mlflow.log_metrics({f"holdout_{k}": v for k, v in metrics.items()})
        mlflow.log_metrics(
            {
                "model_size_bytes": float(model_size(estimator)),
                "rows_train": float(len(train)),
                "rows_holdout": float(len(holdout)),
            }
        )
        for name, figure in _figures(spec, truth, scores).items():
            mlflow.log_figure(figure, f"plots/{name}.png")
        mlflow.log_figure(plots.feature_importance(importances), "plots/feature_importance.png")
        mlflow.log_dict(importances, "feature_importance.json")
        if per_class is not None:
            mlflow.log_dict(per_class, PER_CLASS_ARTIFACT)
        if fairness is not None:
            mlflow.log_dict(fairness, FAIRNESS_ARTIFACT)
            mlflow.log_metrics(fairness_metrics(fairness))
        mlflow.log_text(spec.to_yaml(), "spec.yaml")
        mlflow.log_dict(profile, "reference_profile.json")
        signature, example = logged_signature(spec, estimator, X_train)
        info = mlflow.sklearn.log_model(
            estimator,
            name="model",
            signature=signature,
            input_example=example,
            pip_requirements=MODEL_PIP_REQUIREMENTS,
            # skops (MLflow's default, no arbitrary code on load) refuses types it does not know;
            # LightGBM's booster and the tree structures are listed explicitly.
            skops_trusted_types=SKOPS_TRUSTED_TYPES,
        )
        mlflow.set_tag("mlaas.model_uri", info.model_uri)
    return TrainResult(
        model=spec.name,
        content_hash=plan.source_hash,
        spec_hash=spec.spec_hash,
        run_id=run.info.run_id,
        model_uri=info.model_uri,
        family=family,
        params=params,
        metrics=metrics,
        metric_problems=metric_problems,
        decision_threshold=threshold if threshold_tags else None,
        fairness=fairness,
        profile_key=profile_key,
        frame_key=frame.key,
    )
