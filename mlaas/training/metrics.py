"""The metrics a spec may name, computed one way for tuning, the holdout, the gate and monitoring.

Classification scores are computed from probabilities: a 1-D array is the positive-class
probability of a binary problem (labels 0/1), a 2-D array holds one column per class (multi-class,
labels 0..k-1 in the estimator's class order). Hard labels use a 0.5 threshold / the arg-max.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlaas.specs import METRICS, ModelSpec

CLASSIFICATION_METRICS = [m for m, (task, _) in METRICS.items() if task == "classification"]
REGRESSION_METRICS = [m for m, (task, _) in METRICS.items() if task == "regression"]


def _labels(scores: np.ndarray) -> np.ndarray:
    if scores.ndim == 1:
        return (scores >= 0.5).astype(int)
    return np.asarray(scores.argmax(axis=1))


def score(metric: str, y_true: Any, y_pred_or_proba: Any) -> float:
    """One metric; classification metrics take probabilities (see the module docstring)."""
    from sklearn import metrics as skm

    y = np.asarray(y_true)
    pred = np.asarray(y_pred_or_proba, dtype=float)
    if metric in ("roc_auc", "accuracy", "f1", "log_loss"):
        binary = pred.ndim == 1
        if not binary and y.dtype.kind not in "iub":
            raise ValueError("multi-class metrics need integer labels 0..k-1 (the class order)")
        if metric == "roc_auc":
            if binary:
                return float(skm.roc_auc_score(y, pred))
            return float(
                skm.roc_auc_score(y, pred, multi_class="ovr", labels=range(pred.shape[1]))
            )
        if metric == "log_loss":
            labels = [0, 1] if binary else list(range(pred.shape[1]))
            return float(skm.log_loss(y, pred, labels=labels))
        hard = _labels(pred)
        if metric == "accuracy":
            return float(skm.accuracy_score(y, hard))
        return float(skm.f1_score(y, hard, average="binary" if binary else "macro"))
    if metric == "rmse":
        return float(np.sqrt(skm.mean_squared_error(y, pred)))
    if metric == "mae":
        return float(skm.mean_absolute_error(y, pred))
    if metric == "r2":
        return float(skm.r2_score(y, pred))
    raise ValueError(f"unknown metric {metric!r}; known: {sorted(METRICS)}")


def task_metrics(spec: ModelSpec) -> list[str]:
    return CLASSIFICATION_METRICS if spec.task == "classification" else REGRESSION_METRICS


def predictions_for_metric(spec: ModelSpec, estimator: Any, X: pd.DataFrame) -> np.ndarray:
    """What metrics consume: P(positive class) (or all class columns) / regression predictions."""
    if spec.task == "regression":
        return np.asarray(estimator.predict(X), dtype=float)
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    return proba[:, 1] if proba.shape[1] == 2 else proba


def encode_target(spec: ModelSpec, estimator: Any, y: Any) -> np.ndarray:
    """Labels as class indices in the estimator's order, so metrics see 0/1 (or 0..k-1)."""
    values = np.asarray(y)
    if spec.task == "regression":
        return values.astype(float)
    classes = np.asarray(getattr(estimator, "classes_", []))
    if classes.size == 0:
        return values
    index = np.clip(np.searchsorted(classes, values), 0, classes.size - 1)  # classes_ is sorted
    unseen = classes[index] != values
    if unseen.any():
        raise ValueError(f"label(s) {sorted(set(values[unseen].tolist()))} not seen in training")
    return index.astype(int)


def evaluate(spec: ModelSpec, estimator: Any, X: pd.DataFrame, y: Any) -> dict[str, float]:
    """Every metric of the spec's task on a holdout (probabilities where the metric needs them)."""
    scores = predictions_for_metric(spec, estimator, X)
    truth = encode_target(spec, estimator, y)
    return {metric: score(metric, truth, scores) for metric in task_metrics(spec)}


def is_better(spec: ModelSpec, a: float, b: float) -> bool:
    """Whether primary-metric value `a` is strictly better than `b`."""
    return a > b if spec.higher_is_better else a < b
