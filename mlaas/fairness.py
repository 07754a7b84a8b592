"""Group fairness of a model on labelled rows, with fairlearn's metrics.

For each slice column of the spec (`fairness.slices`: a category or bool feature), the rows are
grouped by its value and compared: for binary classification the demographic parity difference
(the largest gap in how often groups are predicted positive) and the equalized odds difference
(the largest gap in true- or false-positive rate), both at the model's decision threshold; for
every task the error gap (accuracy, or MAE for regression: the largest group's minus the
smallest's). Groups with fewer than `fairness.min_group_rows` rows are listed but left out of
the comparison: a gap between two handfuls of rows is noise. The gate can bound the chosen
metric (`fairness.max_disparity`); the model card shows every figure.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlaas.specs import ModelSpec

MISSING_GROUP = "(missing)"


def gated_metric(spec: ModelSpec, binary: bool) -> str:
    """The disparity the gate bounds (the spec's, else the task's default)."""
    if spec.fairness.metric is not None:
        return spec.fairness.metric
    return "demographic_parity_difference" if binary else "error_gap"


def _groups(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), MISSING_GROUP).astype(str)


def _slice_report(
    spec: ModelSpec,
    groups: pd.Series,
    truth: np.ndarray,
    predicted: np.ndarray,
    binary: bool,
) -> dict[str, Any]:
    from fairlearn import metrics as fm
    from sklearn.metrics import accuracy_score, mean_absolute_error

    counts = groups.value_counts()
    compared = counts[counts >= spec.fairness.min_group_rows].index.tolist()
    keep = groups.isin(compared).to_numpy()
    report: dict[str, Any] = {
        "groups": {},
        "left_out": {str(g): int(n) for g, n in counts.items() if g not in compared},
        "disparities": {},
    }
    if not keep.any():
        return report
    y, p, g = truth[keep], predicted[keep], groups[keep].to_numpy()
    error = mean_absolute_error if spec.task == "regression" else accuracy_score
    named = "mae" if spec.task == "regression" else "accuracy"
    metrics: dict[str, Any] = {named: error}
    if binary:
        metrics |= {
            "selection_rate": fm.selection_rate,
            "true_positive_rate": fm.true_positive_rate,
        }
    frame = fm.MetricFrame(metrics=metrics, y_true=y, y_pred=p, sensitive_features=g)
    by_group = frame.by_group
    for group in compared:
        row = by_group.loc[group]
        report["groups"][str(group)] = {"rows": int(counts[group])} | {
            name: _finite(row[name]) for name in metrics
        }
    values = by_group[named].dropna()
    report["disparities"]["error_gap"] = (
        _finite(values.max() - values.min()) if len(values) > 1 else None
    )
    if binary and len(compared) > 1:
        report["disparities"]["demographic_parity_difference"] = _finite(
            fm.demographic_parity_difference(y, p, sensitive_features=g)
        )
        report["disparities"]["equalized_odds_difference"] = _finite(
            fm.equalized_odds_difference(y, p, sensitive_features=g)
        )
    return report


def _finite(value: Any) -> float | None:
    number = float(value)
    return round(number, 6) if np.isfinite(number) else None


def fairness_report(
    spec: ModelSpec,
    rows: pd.DataFrame,
    truth: np.ndarray,
    scores: np.ndarray,
    *,
    threshold: float = 0.5,
) -> dict[str, Any] | None:
    """Per slice column: each group's figures and the disparities between groups, on `rows`
    (the frame rows `truth` and `scores` belong to, as `mlaas.training.metrics` makes them);
    None when the spec names no slice."""
    if not spec.fairness.slices:
        return None
    scores = np.asarray(scores)
    binary = spec.task == "classification" and scores.ndim == 1
    if spec.task == "regression":
        predicted = scores.astype(float)
    elif binary:
        predicted = (scores >= threshold).astype(int)
    else:
        predicted = scores.argmax(axis=1)
    metric = gated_metric(spec, binary)
    slices = {
        column: _slice_report(spec, _groups(rows[column]), truth, predicted, binary)
        for column in spec.fairness.slices
    }
    measured = [
        (report["disparities"][metric], column)
        for column, report in slices.items()
        if report["disparities"].get(metric) is not None
    ]
    worst = max(measured) if measured else None
    return {
        "metric": metric,
        "threshold": threshold if binary else None,
        "max_disparity": spec.fairness.max_disparity,
        "worst": None if worst is None else {"slice": worst[1], "value": worst[0]},
        "rows": len(rows),
        "slices": slices,
    }


def fairness_problem(spec: ModelSpec, report: dict[str, Any] | None) -> str | None:
    """Why the gate must not promote (the disparity is above `fairness.max_disparity`)."""
    bound = spec.fairness.max_disparity
    if bound is None or report is None or report["worst"] is None:
        return None
    worst = report["worst"]
    if worst["value"] <= bound:
        return None
    return (
        f"{report['metric']} across {worst['slice']} groups is {worst['value']:.4g} on the "
        f"holdout, above fairness.max_disparity {bound}"
    )
