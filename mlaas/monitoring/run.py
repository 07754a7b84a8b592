"""One monitoring run of one model: the single call the scheduled monitoring DAG makes.

`monitor(spec)` computes drift and performance over the last `drift.window_hours`, evaluates the
model's alert rules (each over its own window), notifies webhooks of what changed, decides
whether to retrain, and stores all of it as a snapshot. It never starts a retrain itself: the DAG
triggers the training DAG when `decision.retrain` and then calls `record_retrain_triggered`, so
the circuit breaker counts only runs that really started.

Runs of one model never overlap: each holds the lock `monitor:<model>` (mlaas.locks). A run
fired while another is in progress (two schedulers, the DAG and `POST /monitor` at once) waits
for it and returns its snapshot instead of computing a second one: one set of alert changes,
one webhook delivery, and the same snapshot id, so the DAG's retrain run id (derived from it)
starts at most one retrain.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from mlaas.db import as_utc, get_engine, new_id, utcnow
from mlaas.drift import DriftReport
from mlaas.locks import LockTimeout, held, lock_taken_at
from mlaas.monitoring.alerts import AlertEvent, evaluate_rules
from mlaas.monitoring.context import Window, served_version
from mlaas.monitoring.livedrift import window_drift
from mlaas.monitoring.performance import PerformanceReport, performance_of
from mlaas.monitoring.retrain_policy import RetrainDecision, decide, no_new_data, triggers
from mlaas.monitoring.tables import monitoring_snapshots
from mlaas.monitoring.values import Values, drift_values, performance_values
from mlaas.monitoring.webhooks import Delivery, notify
from mlaas.specs import ModelSpec, load_spec

log = logging.getLogger("mlaas.monitoring")


class MonitoringResult(BaseModel):
    snapshot_id: str
    model: str
    version: str
    at: datetime
    window_start: datetime
    window_end: datetime
    drift: DriftReport
    performance: PerformanceReport
    values: Values
    alerts: list[AlertEvent]  # state changes this run caused
    deliveries: list[Delivery]
    decision: RetrainDecision


def _drift_detail(report: DriftReport) -> str:
    detail = (
        f"{len(report.drifted_features)}/{len(report.features)} features drifted "
        f"({report.drifted_share:.0%}, threshold {report.drift_share_threshold:.0%}): "
        f"{report.drifted_features}"
    )
    if report.multivariate is not None and report.multivariate.drifted:
        detail += f"; joint {report.multivariate.test} {report.multivariate.statistic:.3g}"
    return detail


def monitor(spec_name: str | ModelSpec, *, now: datetime | None = None) -> MonitoringResult:
    """Monitor one model now (or as of `now`); see the module docstring."""
    spec = spec_name if isinstance(spec_name, ModelSpec) else load_spec(spec_name)
    name = f"monitor:{spec.name}"
    try:
        with held(name, wait_s=0.0):
            return _monitor(spec, now)
    except LockTimeout:
        started = lock_taken_at(name)  # the run in progress began then (None: just ended)
    with held(name, wait_s=MONITOR_WAIT_S):
        covered = _snapshot_since(spec.name, started) if started else None
        if covered is not None:
            log.info("monitor %s: a run in progress covered this one (%s)", spec.name, covered.id)
            return _result_of(covered)
        return _monitor(spec, now)


MONITOR_WAIT_S = 900.0  # how long a run waits for one in progress (a drift run takes seconds)


def _snapshot_since(model: str, started: datetime) -> Any:
    with get_engine().connect() as conn:
        return conn.execute(
            select(monitoring_snapshots)
            .where(monitoring_snapshots.c.model == model, monitoring_snapshots.c.at >= started)
            .order_by(monitoring_snapshots.c.at.desc())
            .limit(1)
        ).first()


def _result_of(row: Any) -> MonitoringResult:
    """A stored snapshot as the run's result (the alert changes and deliveries were the other
    run's: none here)."""
    return MonitoringResult(
        snapshot_id=row.id,
        model=row.model,
        version=row.version,
        at=as_utc(row.at),
        window_start=as_utc(row.window_start),
        window_end=as_utc(row.window_end),
        drift=DriftReport.model_validate(row.drift),
        performance=PerformanceReport.model_validate(row.performance),
        values=row.metric_values,
        alerts=[],
        deliveries=[],
        decision=RetrainDecision.model_validate(row.decision),
    )


def _monitor(spec: ModelSpec, now: datetime | None) -> MonitoringResult:
    at = as_utc(now or utcnow())
    served = served_version(spec.name)
    minutes = spec.drift.window_hours * 60
    window = Window.ending(at, minutes=minutes)
    drift = window_drift(served, window, spec.drift).report
    perf = performance_of(served, window)
    values = drift_values(drift) | performance_values(perf)

    def values_for(window_minutes: int) -> Values:
        if window_minutes == minutes:
            return values
        other = Window.ending(at, minutes=window_minutes)
        return drift_values(window_drift(served, other, spec.drift).report) | performance_values(
            performance_of(served, other)
        )

    events = evaluate_rules(spec.name, values_for, now=at)
    metric = spec.training.primary_metric
    reasons = triggers(
        spec,
        dataset_drift=drift.dataset_drift,
        drift_detail=_drift_detail(drift),
        live_metric=values.get(metric),
        holdout_metric=served.holdout.get(metric),
        labelled=int(values.get("labelled") or 0),
    )
    decision = decide(spec, reasons, now=at, nothing_new=lambda: no_new_data(spec, served))
    snapshot_id = new_id()
    with get_engine().begin() as conn:
        conn.execute(
            monitoring_snapshots.insert().values(
                id=snapshot_id,
                model=spec.name,
                version=served.version,
                at=at,
                window_start=window.start,
                window_end=window.end,
                rows=drift.current_rows,
                drift=drift.model_dump(mode="json"),
                performance=perf.model_dump(mode="json"),
                metric_values=values,
                decision=decision.model_dump(mode="json"),
            )
        )
    deliveries = notify(events, context={spec.name: alert_context(served, window, drift)})
    log.info(
        "monitor %s v%s: %d rows, dataset drift %s, %d alert change(s), retrain %s (%s)",
        spec.name,
        served.version,
        drift.current_rows,
        drift.dataset_drift,
        len(events),
        decision.retrain,
        decision.blocked_by or decision.waiting_for_data or decision.reason,
    )
    return MonitoringResult(
        snapshot_id=snapshot_id,
        model=spec.name,
        version=served.version,
        at=at,
        window_start=window.start,
        window_end=window.end,
        drift=drift,
        performance=perf,
        values=values,
        alerts=events,
        deliveries=deliveries,
        decision=decision,
    )


def latest_snapshots() -> list[dict[str, Any]]:
    """The newest snapshot of every model (for /metrics and overviews)."""
    snap = monitoring_snapshots.c
    newest = (
        select(snap.model, func.max(snap.at).label("at")).group_by(snap.model).subquery("newest")
    )
    query = select(monitoring_snapshots).join(
        newest, (snap.model == newest.c.model) & (snap.at == newest.c.at)
    )
    with get_engine().connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["at"] = as_utc(row["at"])
    return rows


def alert_context(served: Any, window: Window, drift: DriftReport) -> dict[str, Any]:
    """What an alert's payload adds about the run that raised it: the version, the window, the
    drifted features with their scores and a link to the window's report."""
    from urllib.parse import urlencode

    from mlaas.settings import get_settings

    span = {"start": window.start.isoformat(), "end": window.end.isoformat()}
    base = get_settings().monitoring_public_url.rstrip("/")
    return {
        "model_version": served.version,
        "window": span,
        "dataset_drift": drift.dataset_drift,
        "drifted_features": [
            {
                "feature": column.feature,
                "test": column.test,
                "statistic": column.statistic,
                "threshold": column.threshold,
            }
            for column in drift.features
            if column.drifted
        ],
        "report_url": f"{base}/v1/models/{served.model}/report?{urlencode(span)}",
    }


def snapshot_history(model: str, *, limit: int = 100) -> list[dict[str, Any]]:
    """A model's snapshots, newest first."""
    query = (
        select(monitoring_snapshots)
        .where(monitoring_snapshots.c.model == model)
        .order_by(monitoring_snapshots.c.at.desc())
        .limit(limit)
    )
    with get_engine().connect() as conn:
        rows = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        for key in ("at", "window_start", "window_end"):
            row[key] = as_utc(row[key])
    return rows


class DriftPoint(BaseModel):
    """One monitoring run, reduced to what a drift-over-time chart draws."""

    at: datetime
    version: str
    rows: int
    dataset_drift: bool
    drifted_features: list[str]
    scores: dict[str, float]  # feature -> FeatureDrift.score (1 is the threshold)
    prediction_score: float | None
    retrain: bool
    reason: str


def drift_history(model: str, *, limit: int = 720) -> list[DriftPoint]:
    """A model's snapshots as drift points, oldest first: about a tenth of the bytes of the
    full snapshots, which carry every test's statistics, performance and alert values."""
    query = (
        select(
            monitoring_snapshots.c.at,
            monitoring_snapshots.c.version,
            monitoring_snapshots.c.rows,
            monitoring_snapshots.c.drift,
            monitoring_snapshots.c.decision,
        )
        .where(monitoring_snapshots.c.model == model)
        .order_by(monitoring_snapshots.c.at.desc())
        .limit(limit)
    )
    with get_engine().connect() as conn:
        rows = list(conn.execute(query))
    points = []
    for row in reversed(rows):
        drift = DriftReport.model_validate(row.drift)
        points.append(
            DriftPoint(
                at=as_utc(row.at),
                version=row.version,
                rows=row.rows,
                dataset_drift=drift.dataset_drift,
                drifted_features=drift.drifted_features,
                scores={f.feature: f.score for f in drift.features},
                prediction_score=drift.prediction.score if drift.prediction else None,
                retrain=bool(row.decision.get("retrain", False)),
                reason=str(row.decision.get("reason", "")),
            )
        )
    return points
