"""Closed-loop retraining: when the spec's policy says retrain, and the breaker that stops loops.

Triggers (spec.retrain): `on_drift` and the drift report's dataset verdict; or the champion's live
primary metric falling more than `metric_drop` (relative: 0.05 = 5 % worse than its training
holdout value, which works the same for ROC AUC and for an RMSE in dollars), measured only once
the window has at least `drift.min_rows` labelled predictions.

Circuit breaker, counted from `retrain_events` (rows the monitoring DAG writes when it triggers a
run, and updates with the outcome): at most `max_per_day` automatic retrains per model in any
24 hours, and none within `backoff_minutes` of a failed one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from sqlalchemy import case, func, select, update

from mlaas.db import as_utc, get_engine, new_id, utcnow
from mlaas.monitoring.tables import monitoring_snapshots, retrain_events
from mlaas.specs import ModelSpec

if TYPE_CHECKING:
    from mlaas.monitoring.context import ServedVersion

log = logging.getLogger("mlaas.monitoring")

DAY = timedelta(hours=24)


class RetrainDecision(BaseModel):
    retrain: bool
    reason: str  # why retraining is (or would be) needed, or why not
    blocked_by: str | None = None  # the breaker rule that stopped a wanted retrain
    # A wanted retrain not started because it would learn nothing new (not counted by the
    # breaker): "drift seen, waiting for new data: ..."
    waiting_for_data: str | None = None

    @property
    def held_back(self) -> bool:
        """Wanted but not started: the breaker refused it, or there was nothing new."""
        return bool(self.blocked_by or self.waiting_for_data)

    @property
    def wanted(self) -> bool:
        return self.retrain or self.held_back


class RetrainEvent(BaseModel):
    id: str
    model: str
    at: datetime
    reason: str
    dag_run_id: str
    state: Literal["triggered", "succeeded", "failed"]
    finished_at: datetime | None


def triggers(
    spec: ModelSpec,
    *,
    dataset_drift: bool | None,
    drift_detail: str = "",
    live_metric: float | None,
    holdout_metric: float | None,
    labelled: int,
) -> list[str]:
    """The policy's reasons to retrain now (empty: none)."""
    policy, reasons = spec.retrain, []
    if policy.on_drift and dataset_drift:
        reasons.append(f"data drift{': ' + drift_detail if drift_detail else ''}")
    metric = spec.training.primary_metric
    if live_metric is not None and holdout_metric and labelled >= spec.drift.min_rows:
        sign = 1.0 if spec.higher_is_better else -1.0
        drop = sign * (holdout_metric - live_metric) / abs(holdout_metric)
        if drop > policy.metric_drop:
            reasons.append(
                f"{metric} {live_metric:.4g} live vs {holdout_metric:.4g} at training "
                f"({drop:.1%} worse > {policy.metric_drop:.1%}, {labelled} labelled)"
            )
    return reasons


def breaker(spec: ModelSpec, *, now: datetime | None = None) -> str | None:
    """Why an automatic retrain of `spec`'s model may not start now, or None."""
    now = as_utc(now or utcnow())
    policy, model = spec.retrain, spec.name
    if policy.max_per_day == 0:
        return "max_per_day: automatic retraining is disabled (retrain.max_per_day = 0)"
    events = retrain_events.c
    with get_engine().connect() as conn:
        recent = conn.execute(
            select(func.count(), func.min(events.at)).where(
                events.model == model, events.at > now - DAY
            )
        ).one()
        failed = conn.execute(
            select(func.max(events.finished_at)).where(
                events.model == model, events.state == "failed"
            )
        ).scalar()
    count, oldest = int(recent[0]), recent[1]
    if count >= policy.max_per_day:
        reopens = as_utc(oldest) + DAY
        return (
            f"max_per_day: {count} automatic retrain(s) of {model!r} in the last 24 h "
            f"(limit {policy.max_per_day}); next allowed after {reopens.isoformat()}"
        )
    if failed is not None and policy.backoff_minutes:
        until = as_utc(failed) + timedelta(minutes=policy.backoff_minutes)
        if now < until:
            return (
                f"backoff: the last automatic retrain of {model!r} failed at "
                f"{as_utc(failed).isoformat()}; next allowed after {until.isoformat()}"
            )
    return None


def decide(
    spec: ModelSpec,
    reasons: list[str],
    *,
    now: datetime | None = None,
    nothing_new: Callable[[], str | None] | None = None,
) -> RetrainDecision:
    """Retrain when a trigger fired, there is something new to learn from (`nothing_new()`
    says why not, asked only then) and the breaker allows it."""
    if not reasons:
        return RetrainDecision(retrain=False, reason="no retrain trigger fired")
    reason = "; ".join(reasons)
    stale = nothing_new() if nothing_new is not None else None
    if stale is not None:
        waiting = f"drift seen, waiting for new data: {stale}"
        return RetrainDecision(retrain=False, reason=reason, waiting_for_data=waiting)
    blocked = breaker(spec, now=now)
    return RetrainDecision(retrain=blocked is None, reason=reason, blocked_by=blocked)


def no_new_data(spec: ModelSpec, served: ServedVersion) -> str | None:
    """Why a retrain now would learn nothing the champion has not seen (None: it would, or it
    cannot be told): its base file is unchanged and too few labels arrived since
    (mlaas.ingest.nothing_new_since)."""
    from mlaas.ingest import nothing_new_since

    if served.data_hash is None:
        return None
    try:
        return nothing_new_since(spec, served.version, served.data_hash)
    except Exception as error:  # noqa: BLE001 - unreadable now: the pipeline will say why
        log.info("%s: cannot assemble the data to look for new data: %s", spec.name, error)
        return None


def record_retrain_triggered(
    model: str, reason: str, run_id: str, *, now: datetime | None = None
) -> str:
    """Record an automatic retrain the DAG started (the breaker counts these); returns the id."""
    row_id = new_id()
    with get_engine().begin() as conn:
        conn.execute(
            retrain_events.insert().values(
                id=row_id,
                model=model,
                at=as_utc(now or utcnow()),
                reason=reason,
                dag_run_id=run_id,
                state="triggered",
            )
        )
    return row_id


def record_retrain_outcome(
    run_id: str, state: Literal["succeeded", "failed"], *, now: datetime | None = None
) -> None:
    """Close a triggered retrain (a failure starts the back-off); LookupError for unknown ids."""
    if state not in ("succeeded", "failed"):
        raise ValueError(f"state must be 'succeeded' or 'failed', not {state!r}")
    with get_engine().begin() as conn:
        changed = conn.execute(
            update(retrain_events)
            .where(retrain_events.c.dag_run_id == run_id)
            .values(state=state, finished_at=as_utc(now or utcnow()))
        ).rowcount
    if not changed:
        raise LookupError(f"no retrain was recorded for DAG run {run_id!r}")


def retrain_history(model: str, *, limit: int = 50) -> list[RetrainEvent]:
    query = (
        select(retrain_events)
        .where(retrain_events.c.model == model)
        .order_by(retrain_events.c.at.desc())
        .limit(limit)
    )
    with get_engine().connect() as conn:
        rows: list[dict[str, Any]] = [dict(row._mapping) for row in conn.execute(query)]
    for row in rows:
        row["at"] = as_utc(row["at"])
        row["finished_at"] = as_utc(row["finished_at"]) if row["finished_at"] else None
    return [RetrainEvent.model_validate(row) for row in rows]


RETRAIN_OUTCOMES = ("wanted", "blocked", "skipped", "started", "succeeded", "failed")


def retrain_decision_counts() -> dict[tuple[str, str], int]:
    """(model, outcome) -> how often, over every snapshot and automatic retrain kept: what the
    policy decided at each monitoring run (wanted: a trigger fired, blocked: wanted but the
    breaker refused or there was nothing new to learn from, skipped: no trigger) and what
    became of the retrains started (started, succeeded, failed). Every outcome of every
    monitored model, 0 included."""
    snap, events = monitoring_snapshots.c, retrain_events.c
    retrain = snap.decision["retrain"].as_boolean()
    blocked = snap.decision["blocked_by"].as_string().is_not(None) | snap.decision[
        "waiting_for_data"
    ].as_string().is_not(None)
    per_snapshot = select(
        snap.model,
        func.count(),
        func.sum(case((retrain | blocked, 1), else_=0)),
        func.sum(case((blocked, 1), else_=0)),
    ).group_by(snap.model)
    per_retrain = select(events.model, events.state, func.count()).group_by(
        events.model, events.state
    )
    counts: dict[tuple[str, str], int] = {}
    with get_engine().connect() as conn:
        for model, total, wanted, refused in conn.execute(per_snapshot):
            counts[model, "wanted"] = int(wanted or 0)
            counts[model, "blocked"] = int(refused or 0)
            counts[model, "skipped"] = int(total) - int(wanted or 0)
        for model, state, n in conn.execute(per_retrain):
            counts[model, "started"] = counts.get((model, "started"), 0) + int(n)
            if state in ("succeeded", "failed"):
                counts[model, str(state)] = int(n)
    models = sorted({model for model, _ in counts})
    return {(m, o): counts.get((m, o), 0) for m in models for o in RETRAIN_OUTCOMES}
