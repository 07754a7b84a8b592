"""The metrics a spec may name, computed one way for tuning, the holdout, the gate and monitoring.

Classification scores are computed from probabilities: a 1-D array is the positive-class
probability of a binary problem (labels 1 = the positive class, `decision.positive_class`, 0 =
the other), a 2-D array holds one column per class (multi-class, labels 0..k-1 in the
estimator's class order). Hard labels use the model's decision threshold (binary; 0.5 unless
the spec sets or tunes another) / the arg-max.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlaas.specs import METRICS, ModelSpec

CLASSIFICATION_METRICS = [m for m, (task, _) in METRICS.items() if task == "classification"]
REGRESSION_METRICS = [m for m, (task, _) in METRICS.items() if task == "regression"]


def _labels(scores: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    if scores.ndim == 1:
        return (scores >= threshold).astype(int)
    return np.asarray(scores.argmax(axis=1))


def positive_index(spec: ModelSpec, classes: Any) -> int:
    """The column of the positive class among a binary model's `classes` (in its order):
    `decision.positive_class`, else the label that sorts last (column 1)."""
    wanted = spec.decision.positive_class
    labels = list(classes)
    if wanted is None:
        return 1
    for index, label in enumerate(labels):
        same_kind = isinstance(label, bool | np.bool_) == isinstance(wanted, bool)
        if (same_kind and label == wanted) or str(label) == str(wanted):
            return index
    raise ValueError(
        f"decision.positive_class {wanted!r} is not a class of {spec.name!r}: {labels}"
    )


class MetricUndefined(ValueError):
    """The metric has no value on these rows (a class it averages over has no row, one class
    only, too few rows); the message says why. Reported as null with that reason, never NaN."""


# Metrics that average over the classes: undefined while a class the model knows has no row.
PER_CLASS_AVERAGES = ("roc_auc", "f1")


def _names(indices: list[int], class_names: Any) -> list[Any]:
    if class_names is None:
        return indices
    names = list(class_names)
    return [names[i] for i in indices]


def absent_classes(y: np.ndarray, n_classes: int) -> list[int]:
    """Class indices (0..n_classes-1) with no row in `y`."""
    return sorted(set(range(n_classes)) - {int(v) for v in np.unique(y)})


def score(
    metric: str,
    y_true: Any,
    y_pred_or_proba: Any,
    *,
    class_names: Any = None,
    threshold: float = 0.5,
) -> float:
    """One metric; classification metrics take probabilities (see the module docstring).
    Multi-class metrics are computed over every class the model knows (the probability
    columns), not only the classes present; MetricUndefined when there is no honest value
    (`class_names`, in the model's class order, makes its message name the classes)."""
    from sklearn import metrics as skm

    y = np.asarray(y_true)
    pred = np.asarray(y_pred_or_proba, dtype=float)
    if len(y) == 0:
        raise MetricUndefined(f"{metric}: no rows to score")
    if metric in ("roc_auc", "accuracy", "f1", "log_loss"):
        binary = pred.ndim == 1
        if not binary and y.dtype.kind not in "iub":
            raise ValueError("multi-class metrics need integer labels 0..k-1 (the class order)")
        n_classes = 2 if binary else pred.shape[1]
        absent = absent_classes(y, n_classes)
        if metric in PER_CLASS_AVERAGES and absent and (not binary or metric == "roc_auc"):
            missing = _names(absent, class_names)
            raise MetricUndefined(
                f"{metric} averages over every class, and these rows hold none of class(es) "
                f"{missing}"
            )
        if metric == "roc_auc":
            if binary:
                value = float(skm.roc_auc_score(y, pred))
            else:
                value = float(
                    skm.roc_auc_score(y, pred, multi_class="ovr", labels=range(n_classes))
                )
        elif metric == "log_loss":
            value = float(skm.log_loss(y, pred, labels=list(range(n_classes))))
        else:
            hard = _labels(pred, threshold)
            if metric == "accuracy":
                value = float(skm.accuracy_score(y, hard))
            elif binary:
                if not (y == 1).any():
                    raise MetricUndefined("f1: these rows hold no positive row")
                value = float(skm.f1_score(y, hard, average="binary", zero_division=0.0))
            else:
                value = float(
                    skm.f1_score(
                        y, hard, average="macro", labels=range(n_classes), zero_division=0.0
                    )
                )
        if not np.isfinite(value):
            raise MetricUndefined(f"{metric} is not finite on these rows")
        return value
    if metric == "rmse":
        return float(np.sqrt(skm.mean_squared_error(y, pred)))
    if metric == "mae":
        return float(skm.mean_absolute_error(y, pred))
    if metric == "r2":
        return float(skm.r2_score(y, pred))
    raise ValueError(f"unknown metric {metric!r}; known: {sorted(METRICS)}")


def score_or_none(
    metric: str, y_true: Any, y_pred_or_proba: Any, *, threshold: float = 0.5
) -> float | None:
    """score(), or None where the metric has no value on these rows."""
    try:
        return score(metric, y_true, y_pred_or_proba, threshold=threshold)
    except MetricUndefined:
        return None


def task_metrics(spec: ModelSpec) -> list[str]:
    return CLASSIFICATION_METRICS if spec.task == "classification" else REGRESSION_METRICS


def predictions_for_metric(spec: ModelSpec, estimator: Any, X: pd.DataFrame) -> np.ndarray:
    """What metrics consume: P(positive class) (or all class columns) / regression predictions."""
    if spec.task == "regression":
        return np.asarray(estimator.predict(X), dtype=float)
    proba = np.asarray(estimator.predict_proba(X), dtype=float)
    if proba.shape[1] != 2:
        return proba
    return proba[:, positive_index(spec, estimator.classes_)]


def encode_target(spec: ModelSpec, estimator: Any, y: Any) -> np.ndarray:
    """Labels as class indices in the estimator's order, so metrics see 0..k-1; binary: 1 for
    the positive class, 0 for the other."""
    values = np.asarray(y)
    if spec.task == "regression":
        return values.astype(float)
    classes = np.asarray(getattr(estimator, "classes_", []))
    if classes.size == 0:
        return values
    index = np.clip(np.searchsorted(classes, values), 0, classes.size - 1)  # classes_ is sorted
    unseen = classes[index] != values
    if unseen.any():
        raise ValueError(
            f"label(s) {sorted(set(values[unseen].tolist()), key=str)} not seen in training: "
            "these rows hold classes the model was not trained on. Use "
            "training.holdout.strategy: random (stratified), or more rows of those classes"
        )
    if classes.size == 2:
        return np.asarray(index == positive_index(spec, classes), dtype=int)
    return index.astype(int)


def binary_classes(spec: ModelSpec, classes: Any) -> list[Any]:
    """A model's classes in the order binary labels and scores use them: [negative, positive]
    for two classes (whatever their sort order), the model's own order otherwise."""
    labels = list(classes)
    if len(labels) != 2:
        return labels
    positive = positive_index(spec, labels)
    return [labels[1 - positive], labels[positive]]


def evaluate_with_reasons(
    spec: ModelSpec, estimator: Any, X: pd.DataFrame, y: Any, *, threshold: float = 0.5
) -> tuple[dict[str, float], dict[str, str]]:
    """Every metric of the spec's task on a holdout (probabilities where the metric needs
    them): the values, and the reason for each metric that has none on these rows."""
    scores = predictions_for_metric(spec, estimator, X)
    truth = encode_target(spec, estimator, y)
    classes = getattr(estimator, "classes_", None)
    return metrics_with_reasons(spec, truth, scores, classes, threshold=threshold)


def metrics_with_reasons(
    spec: ModelSpec,
    truth: np.ndarray,
    scores: np.ndarray,
    classes: Any = None,
    *,
    threshold: float = 0.5,
) -> tuple[dict[str, float], dict[str, str]]:
    """evaluate_with_reasons on labels and scores already computed."""
    values: dict[str, float] = {}
    problems: dict[str, str] = {}
    names = None if classes is None else binary_classes(spec, classes)
    for metric in task_metrics(spec):
        try:
            values[metric] = score(metric, truth, scores, class_names=names, threshold=threshold)
        except MetricUndefined as undefined:
            problems[metric] = str(undefined)
    return values, problems


def evaluate(
    spec: ModelSpec, estimator: Any, X: pd.DataFrame, y: Any, *, threshold: float = 0.5
) -> dict[str, float]:
    """The metrics evaluate_with_reasons could compute."""
    return evaluate_with_reasons(spec, estimator, X, y, threshold=threshold)[0]


def per_class_report(
    spec: ModelSpec, classes: Any, truth: np.ndarray, scores: np.ndarray, threshold: float = 0.5
) -> dict[str, Any] | None:
    """Precision, recall, F1 and support of every class the model knows (`classes`, in its
    order), and the confusion matrix (rows: true class, columns: predicted), from the labels
    and scores of predictions_for_metric; None for regression. A class with no row has support
    0 and null recall/F1 (not a made-up 0); one never predicted has null precision."""
    from sklearn import metrics as skm

    if spec.task != "classification":
        return None
    classes = binary_classes(spec, classes)
    predicted = _labels(np.asarray(scores, dtype=float), threshold)
    labels = list(range(len(classes)))
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=np.nan
    )

    def finite(value: float) -> float | None:
        return None if not np.isfinite(value) else round(float(value), 6)

    return {
        "classes": [_plain(c) for c in classes],
        "per_class": [
            {
                "class": _plain(name),
                "precision": finite(precision[i]),
                "recall": finite(recall[i]),
                "f1": finite(f1[i]),
                "support": int(support[i]),
            }
            for i, name in enumerate(classes)
        ],
        "confusion_matrix": skm.confusion_matrix(truth, predicted, labels=labels).tolist(),
        "rows": len(truth),
        **(
            {"threshold": threshold, "positive_class": _plain(classes[1])}
            if len(classes) == 2
            else {}
        ),
    }


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON can hold."""
    return value.item() if hasattr(value, "item") else value


def is_better(spec: ModelSpec, a: float, b: float) -> bool:
    """Whether primary-metric value `a` is strictly better than `b`."""
    return a > b if spec.higher_is_better else a < b
