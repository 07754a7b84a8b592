"""Live performance: logged predictions joined with their ground truth, per variant and per time
bucket of prediction time, with the metrics of `mlaas.training.metrics` (so a live ROC AUC is
computed exactly like the holdout one the version was promoted on).

A metric that is undefined on a group (ROC AUC with one class, R2 on one row) is None, never an
error; `coverage` says how many predictions of the window have ground truth at all.
"""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from mlaas.db import get_engine, prediction_log
from mlaas.monitoring.context import Bucket, ServedVersion, Window, served_version
from mlaas.monitoring.live import LiveData, class_order, labelled_data, positive_scores
from mlaas.monitoring.logged import block_counts
from mlaas.specs import ModelSpec
from mlaas.training.metrics import (
    CLASSIFICATION_METRICS,
    REGRESSION_METRICS,
    MetricUndefined,
    positive_index,
    score,
)

_FLOOR = {"hour": "h", "day": "D"}


class MetricSet(BaseModel):
    count: int = Field(description="Predictions with ground truth in the group")
    metrics: dict[str, float | None]
    problems: dict[str, str] = Field(
        default_factory=dict, description="Why each null metric has no value on these rows"
    )


class BucketMetrics(MetricSet):
    start: datetime
    variant: str


class Coverage(BaseModel):
    predictions: int
    labelled: int


class PerformanceReport(BaseModel):
    model: str
    version: str = Field(description="The champion version now")
    task: str
    start: datetime
    end: datetime
    bucket: Bucket
    metrics: list[str]
    overall: dict[str, MetricSet] = Field(description="Per variant, over the whole window")
    buckets: list[BucketMetrics]
    coverage: dict[str, Coverage] = Field(description="Per variant")
    holdout: dict[str, float] = Field(description="The champion's holdout metrics at training")
    fairness: dict[str, Any] | None = Field(
        None,
        description="The champion's group disparities on its labelled predictions in the window "
        "(the spec's fairness slices; mlaas.fairness); null without slices or labels",
    )


def _regression_pairs(data: LiveData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's true value and the answer given, and which rows have both as numbers."""
    truth = pd.to_numeric(data.meta["value"], errors="coerce").to_numpy("float64")
    answered = pd.to_numeric(data.meta["output"], errors="coerce").to_numpy("float64")
    return truth, answered, np.isfinite(truth) & np.isfinite(answered)


def live_fairness(spec: ModelSpec, data: LiveData) -> dict[str, Any] | None:
    """`mlaas.fairness` on labelled live rows: the answers given (their labels, so each
    version's own threshold) against the labels, grouped by the slice features as sent."""
    from mlaas.fairness import fairness_report

    if not spec.fairness.slices or not len(data):
        return None
    if spec.task == "regression":
        truth, answered, keep = _regression_pairs(data)
        rows = data.features[keep].reset_index(drop=True)
        return fairness_report(spec, rows, truth[keep], answered[keep])
    classes = class_order(data.probabilities)
    labels = data.meta["label"].astype(str).to_numpy(object)
    outputs = data.meta["output"].astype(str).to_numpy(object)
    keep = np.isin(labels, classes)
    rows = data.features[keep].reset_index(drop=True)
    if len(classes) == 2:  # 1 = the positive class; the answers given are already decided
        positive = classes[positive_index(spec, classes)]
        truth = (labels[keep] == positive).astype(int)
        return fairness_report(spec, rows, truth, (outputs[keep] == positive).astype(float))
    index = {name: i for i, name in enumerate(classes)}
    truth = np.array([index[label] for label in labels[keep]], dtype=int)
    one_hot = np.zeros((int(keep.sum()), len(classes)))
    one_hot[np.arange(len(truth)), [index.get(o, 0) for o in outputs[keep]]] = 1.0
    return fairness_report(spec, rows, truth, one_hot)


def group_metrics(spec: ModelSpec, data: LiveData) -> MetricSet:
    """The task's live metrics on labelled rows (rows whose label the model cannot predict are
    left out: a challenger trained on other classes)."""
    if spec.task == "regression":
        truth, answered, keep = _regression_pairs(data)
        return _metric_set(REGRESSION_METRICS, truth[keep], answered[keep])
    classes = class_order(data.probabilities)
    scores = positive_scores(data.probabilities, classes)
    index = {name: i for i, name in enumerate(classes)}
    truth = np.array([index.get(str(label), -1) for label in data.meta["label"]], dtype=int)
    keep = (truth >= 0) & ~np.isnan(scores).any(axis=1)
    truth, scores = truth[keep], scores[keep]
    if len(classes) != 2:
        return _metric_set(CLASSIFICATION_METRICS, truth, scores, class_names=classes)
    # Binary: the positive class's probability ranks (roc_auc, log_loss); F1 and accuracy are
    # those of the answers given, at each version's own decision threshold.
    positive = positive_index(spec, classes)
    names = [classes[1 - positive], classes[positive]]
    truth = (truth == positive).astype(int)
    answered = data.meta["output"].astype(str).to_numpy(object)[keep] == classes[positive]
    hard = ("f1", "accuracy")
    ranked = _metric_set(
        [m for m in CLASSIFICATION_METRICS if m not in hard], truth, scores[:, positive], names
    )
    decided = _metric_set(
        [m for m in CLASSIFICATION_METRICS if m in hard], truth, answered.astype(float), names
    )
    return MetricSet(
        count=ranked.count,
        metrics={m: {**ranked.metrics, **decided.metrics}[m] for m in CLASSIFICATION_METRICS},
        problems={**ranked.problems, **decided.problems},
    )


def _metric_set(
    metrics: list[str], truth: np.ndarray, predicted: np.ndarray, class_names: Any = None
) -> MetricSet:
    values: dict[str, float | None] = {}
    problems: dict[str, str] = {}
    for metric in metrics:
        values[metric], problem = _safe(metric, truth, predicted, class_names)
        if problem is not None:
            problems[metric] = problem
    return MetricSet(count=int(truth.size), metrics=values, problems=problems)


def _safe(
    metric: str, truth: np.ndarray, predicted: np.ndarray, class_names: Any = None
) -> tuple[float | None, str | None]:
    """The metric, or None and why it has no value on these rows."""
    from sklearn.exceptions import UndefinedMetricWarning

    with warnings.catch_warnings():
        # F1 with no positive label or prediction: sklearn warns and says 0.0; it is undefined.
        warnings.simplefilter("error", UndefinedMetricWarning)
        try:
            value = score(metric, truth, predicted, class_names=class_names)
        except MetricUndefined as undefined:
            return None, str(undefined)
        except (ValueError, UndefinedMetricWarning) as error:
            return None, f"{metric} is undefined on these rows ({error})"
    return (None, f"{metric} is not finite on these rows") if np.isnan(value) else (value, None)


def _coverage(model: str, window: Window) -> dict[str, int]:
    log = prediction_log.c
    query = (
        select(log.variant, func.count())
        .where(log.model == model, log.created_at >= window.start, log.created_at < window.end)
        .group_by(log.variant)
    )
    with get_engine().connect() as conn:
        counts = {variant: int(count) for variant, count in conn.execute(query)}
        for variant, count in block_counts(conn, model, window).items():
            counts[variant] = counts.get(variant, 0) + count
    return counts


def performance(model: str, window: Window, *, bucket: Bucket = "hour") -> PerformanceReport:
    """Metrics per variant over the window and per (bucket, variant), for the champion's task."""
    return performance_of(served_version(model), window, bucket=bucket)


def performance_of(
    served: ServedVersion, window: Window, *, bucket: Bucket = "hour"
) -> PerformanceReport:
    model, spec = served.model, served.spec
    data = labelled_data(spec, window)
    overall: dict[str, MetricSet] = {}
    buckets: list[BucketMetrics] = []
    if len(data):
        floors = data.meta["created_at"].dt.floor(_FLOOR[bucket])
        for variant in sorted(data.meta["variant"].unique()):
            in_variant = (data.meta["variant"] == variant).to_numpy()
            overall[variant] = group_metrics(spec, data.subset(in_variant))
            for start in sorted(floors[in_variant].unique()):
                mask = in_variant & (floors == start).to_numpy()
                group = group_metrics(spec, data.subset(mask))
                buckets.append(
                    BucketMetrics(
                        start=pd.Timestamp(start).to_pydatetime(),
                        variant=variant,
                        **group.model_dump(),
                    )
                )
    labelled = data.meta["variant"].value_counts().to_dict() if len(data) else {}
    coverage = {
        variant: Coverage(predictions=count, labelled=int(labelled.get(variant, 0)))
        for variant, count in sorted(_coverage(model, window).items())
    }
    names = CLASSIFICATION_METRICS if spec.task == "classification" else REGRESSION_METRICS
    return PerformanceReport(
        model=model,
        version=served.version,
        task=spec.task,
        start=window.start,
        end=window.end,
        bucket=bucket,
        metrics=list(names),
        overall=overall,
        buckets=buckets,
        coverage=coverage,
        holdout={k: v for k, v in served.holdout.items() if k in names},
        fairness=live_fairness(spec, data.subset((data.meta["variant"] == "champion").to_numpy()))
        if len(data)
        else None,
    )


def primary_value(report: PerformanceReport, metric: str, variant: str = "champion") -> Any:
    """The variant's live value of `metric` over the window (None: no data)."""
    group = report.overall.get(variant)
    return None if group is None else group.metrics.get(metric)
