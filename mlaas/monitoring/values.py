"""The flat metric names alert rules, snapshots and Prometheus share.

One window's drift report and performance become `{name: number | None}`:

- `rows` (live predictions in the drift window), `drifted_share`, `dataset_drift` (0/1)
- `feature:<name>:statistic` | `feature:<name>:p_value` | `feature:<name>:drifted`
- `prediction:statistic` | `prediction:p_value` | `prediction:drifted`
- `multivariate:statistic` | `multivariate:drifted`
- live metrics of the champion (`accuracy`, `f1`, `roc_auc`, `log_loss` or `rmse`, `mae`, `r2`),
  `<metric>:<variant>` for the others (`roc_auc:challenger`), `labelled` (rows with feedback)
- the champion's live fairness (specs with `fairness.slices`): `fairness` (the largest value of
  the gated disparity over the slices) and `fairness:<slice>:<disparity>`

None means "no data" (too few rows, no feedback): a rule never changes state on None.
"""

from __future__ import annotations

from typing import get_args

from mlaas.drift.results import DriftReport, FeatureDrift
from mlaas.monitoring.performance import PerformanceReport
from mlaas.specs import METRICS, FairnessMetric, ModelSpec

Values = dict[str, float | None]
FEATURE_FIELDS = ("statistic", "p_value", "drifted")
VARIANTS = ("champion", "challenger", "shadow")
DISPARITIES: tuple[str, ...] = get_args(FairnessMetric)


def _column(prefix: str, column: FeatureDrift, enough: bool) -> Values:
    if not enough:
        return dict.fromkeys((f"{prefix}:{f}" for f in FEATURE_FIELDS), None)
    return {
        f"{prefix}:statistic": column.statistic,
        f"{prefix}:p_value": column.p_value,
        f"{prefix}:drifted": float(column.drifted),
    }


def drift_values(report: DriftReport) -> Values:
    enough = report.enough_data
    values: Values = {
        "rows": float(report.current_rows),
        "drifted_share": report.drifted_share if enough else None,
        "dataset_drift": float(report.dataset_drift) if enough else None,
    }
    for column in report.features:
        values.update(_column(f"feature:{column.feature}", column, enough))
    if report.prediction is not None:
        values.update(_column("prediction", report.prediction, enough))
    if report.multivariate is not None and enough:
        values["multivariate:statistic"] = report.multivariate.statistic
        values["multivariate:drifted"] = float(report.multivariate.drifted)
    return values


def performance_values(report: PerformanceReport) -> Values:
    champion = report.overall.get("champion")
    values: Values = {"labelled": float(champion.count if champion else 0)}
    for metric in report.metrics:
        values[metric] = champion.metrics.get(metric) if champion else None
    for variant, group in report.overall.items():
        if variant != "champion":
            values.update({f"{m}:{variant}": v for m, v in group.metrics.items()})
    fairness = report.fairness
    if fairness is not None:
        worst = fairness["worst"]
        values["fairness"] = None if worst is None else worst["value"]
        for column, part in fairness["slices"].items():
            for name, value in part["disparities"].items():
                values[f"fairness:{column}:{name}"] = value
    return values


def known_metric(spec: ModelSpec, metric: str) -> str | None:
    """Why `metric` cannot name a value of `spec`'s model, or None when it can."""
    live = [m for m, (task, _) in METRICS.items() if task == spec.task]
    fixed = {"rows", "drifted_share", "dataset_drift", "labelled", *live}
    if metric in fixed:
        return None
    parts = metric.split(":")
    if parts[0] == "feature" and len(parts) == 3:
        if parts[1] not in spec.feature_names:
            return f"unknown feature {parts[1]!r}; known: {spec.feature_names}"
        if parts[2] not in FEATURE_FIELDS:
            return f"unknown feature field {parts[2]!r}; known: {list(FEATURE_FIELDS)}"
        return None
    if parts[0] == "prediction" and len(parts) == 2 and parts[1] in FEATURE_FIELDS:
        return None
    if parts[0] == "fairness" and spec.fairness.slices:
        if len(parts) == 1:
            return None
        if len(parts) == 3 and parts[1] in spec.fairness.slices and parts[2] in DISPARITIES:
            return None
        return (
            f"unknown fairness value {metric!r}: fairness, or fairness:<slice>:<disparity> "
            f"with a slice of {spec.fairness.slices} and a disparity of {list(DISPARITIES)}"
        )
    if parts[0] == "multivariate" and len(parts) == 2 and parts[1] in ("statistic", "drifted"):
        return None
    if len(parts) == 2 and parts[0] in live and parts[1] in VARIANTS:
        return None
    return (
        f"unknown metric {metric!r}; use one of {sorted(fixed)}, feature:<name>:<"
        f"{'|'.join(FEATURE_FIELDS)}>, prediction:<field>, multivariate:<statistic|drifted> "
        "or <metric>:<variant>"
    )
