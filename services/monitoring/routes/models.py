"""Per-model monitoring: drift, performance, data quality, the HTML report, alert rules,
snapshots and retrains, and an on-demand monitoring run."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from mlaas.monitoring import alerts
from mlaas.monitoring.context import policy_spec, resolve_window, served_version
from mlaas.monitoring.html_report import build_report
from mlaas.monitoring.livedrift import WindowDrift, window_drift
from mlaas.monitoring.performance import PerformanceReport, performance_of
from mlaas.monitoring.retrain_policy import retrain_history
from mlaas.monitoring.run import MonitoringResult, drift_history, monitor, snapshot_history
from mlaas.validation import validation_history
from services.common import IsoDatetime, require_json
from services.contract import ApiError, errors
from services.monitoring.deps import MonitorKey, actor
from services.monitoring.schemas import (
    AlertRuleRequest,
    DataQualityResponse,
    DriftHistory,
    MonitoredModel,
    MonitoredModels,
    RetrainList,
    RuleList,
    SnapshotList,
)

router = APIRouter(prefix="/v1/models", tags=["models"])

Start = Annotated[IsoDatetime | None, Query(description="Window start (ISO 8601, UTC if no zone)")]
End = Annotated[IsoDatetime | None, Query(description="Window end (default: now)")]
PERFORMANCE_DAYS = 7


@router.get("")
def monitored_models(key: MonitorKey) -> MonitoredModels:
    """The models with a champion, which monitoring watches, and the version each serves."""
    from mlaas.registry import list_models

    return MonitoredModels(
        models=[
            MonitoredModel(name=m["name"], champion=str(m["aliases"]["champion"]))
            for m in list_models()
            if "champion" in m["aliases"] and key.allows_model(m["name"])
        ]
    )


@router.get("/{name}/drift", responses=errors(404))
def drift(name: str, key: MonitorKey, start: Start = None, end: End = None) -> WindowDrift:
    """Per-feature drift (test, statistic, p-value, threshold, verdict), prediction drift, a
    joint test and the dataset verdict, for live traffic in [start, end) against the served
    version's training sample. Default window: the drift policy's `window_hours` up to now."""
    served = served_version(name)
    policy = policy_spec(served).drift
    window = resolve_window(start, end, default_hours=policy.window_hours)
    return window_drift(served, window, policy)


@router.get("/{name}/performance", responses=errors(404))
def performance(
    name: str,
    key: MonitorKey,
    start: Start = None,
    end: End = None,
    bucket: Literal["hour", "day"] = "hour",
) -> PerformanceReport:
    """Live metrics from ground truth (feedback), per variant and per time bucket of
    prediction time: accuracy, F1, ROC AUC, log loss (classification) or RMSE, MAE, R2.
    Default window: the last 7 days."""
    served = served_version(name)
    window = resolve_window(start, end, default_hours=24 * PERFORMANCE_DAYS, bucket=bucket)
    return performance_of(served, window, bucket=bucket)


@router.get("/{name}/data-quality", responses=errors(404))
def data_quality(
    name: str, key: MonitorKey, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> DataQualityResponse:
    """Validation results of the model's ingested datasets (Great Expectations), newest first."""
    history = validation_history(name, limit)
    if not history:
        served_version(name)  # 404 for a model the platform does not know
    rows: list[dict[str, Any]] = [
        {**row, "created_at": row["created_at"].isoformat()} for row in history
    ]
    return DataQualityResponse(model=name, latest=rows[0] if rows else None, history=rows)


@router.get("/{name}/report", response_class=HTMLResponse, responses=errors(404))
def report(name: str, key: MonitorKey, start: Start = None, end: End = None) -> Response:
    """A self-contained HTML drift and performance report (inline SVG charts, no scripts)."""
    served = served_version(name)
    policy = policy_spec(served).drift
    window = resolve_window(start, end, default_hours=policy.window_hours)
    return HTMLResponse(build_report(served, window, policy))


@router.post("/{name}/monitor", responses=errors(404))
def run_monitoring(name: str, key: MonitorKey) -> MonitoringResult:
    """Run monitoring now, as the scheduled DAG does: snapshot, alert rules, webhooks and the
    retrain decision (this call only decides; the DAG starts retrains)."""
    return monitor(policy_spec(served_version(name)))


@router.get("/{name}/snapshots", responses=errors(404))
def snapshots(
    name: str, key: MonitorKey, limit: Annotated[int, Query(ge=1, le=2000)] = 20
) -> SnapshotList:
    """Stored monitoring snapshots, newest first (30 days of hourly runs fit in one page)."""
    served_version(name)
    return SnapshotList.model_validate(
        {"model": name, "snapshots": snapshot_history(name, limit=limit)}
    )


@router.get("/{name}/drift-history", responses=errors(404))
def drift_over_time(
    name: str, key: MonitorKey, limit: Annotated[int, Query(ge=1, le=2000)] = 720
) -> DriftHistory:
    """Each stored monitoring run's drift scores (1 is the threshold), dataset verdict and
    retrain decision, oldest first: what a drift-over-time chart needs (30 days of hourly
    runs by default)."""
    served_version(name)
    return DriftHistory(model=name, points=drift_history(name, limit=limit))


@router.get("/{name}/retrains", responses=errors(404))
def retrains(
    name: str, key: MonitorKey, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> RetrainList:
    """Automatic retrains the monitoring DAG started, with their outcome."""
    return RetrainList(retrains=retrain_history(name, limit=limit))


@router.post(
    "/{name}/alert-rules",
    status_code=201,
    dependencies=[Depends(require_json)],
    responses=errors(404, 409),
)
def create_rule(name: str, body: AlertRuleRequest, key: MonitorKey) -> alerts.AlertRule:
    """Add a rule: `metric` `comparator` `threshold`, computed over the last `window`.
    Metrics: rows, drifted_share, dataset_drift, feature:<name>:<statistic|p_value|drifted>,
    prediction:<field>, multivariate:<statistic|drifted>, labelled, the task's live metrics
    (accuracy, f1, roc_auc, log_loss / rmse, mae, r2) and <metric>:<variant>."""
    spec = served_version(name).spec
    return alerts.create_rule(
        spec,
        name=body.name,
        metric=body.metric,
        comparator=body.comparator,
        threshold=body.threshold,
        window_minutes=body.window_minutes,
        severity=body.severity,
        actor=actor(key),
    )


@router.put(
    "/{name}/alert-rules/{rule_id}",
    dependencies=[Depends(require_json)],
    responses=errors(404, 409),
)
def update_rule(
    name: str, rule_id: str, body: AlertRuleRequest, key: MonitorKey
) -> alerts.AlertRule:
    """Replace a rule's definition (checked as on creation); its state and events stay."""
    spec = served_version(name).spec
    rule = alerts.update_rule(
        spec,
        rule_id,
        name=body.name,
        metric=body.metric,
        comparator=body.comparator,
        threshold=body.threshold,
        window_minutes=body.window_minutes,
        severity=body.severity,
    )
    if rule is None:
        raise ApiError(404, "rule_not_found", f"model {name!r} has no alert rule {rule_id!r}")
    return rule


@router.get("/{name}/alert-rules", responses=errors(404))
def list_rules(name: str, key: MonitorKey) -> RuleList:
    """The model's alert rules by name, each with its current state (ok or firing)."""
    return RuleList(rules=alerts.list_rules(name))


@router.delete("/{name}/alert-rules/{rule_id}", status_code=204, responses=errors(404))
def delete_rule(name: str, rule_id: str, key: MonitorKey) -> Response:
    if not alerts.delete_rule(name, rule_id):
        raise ApiError(404, "rule_not_found", f"model {name!r} has no alert rule {rule_id!r}")
    return Response(status_code=204)
