"""Retrain triggers and the circuit breaker."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mlaas.monitoring.context import utcnow
from mlaas.monitoring.retrain_policy import (
    breaker,
    decide,
    record_retrain_outcome,
    record_retrain_triggered,
    retrain_history,
    triggers,
)
from tests.factories import small_spec


def test_triggers_follow_the_policy() -> None:
    spec = small_spec("churn")  # roc_auc, higher is better; metric_drop 0.05 (relative)
    quiet: dict[str, Any] = {"live_metric": 0.84, "holdout_metric": 0.85, "labelled": 500}
    assert triggers(spec, dataset_drift=False, **quiet) == []
    assert triggers(spec, dataset_drift=True, drift_detail="2/11", **quiet) == ["data drift: 2/11"]
    off = small_spec("churn", retrain__on_drift=False)
    assert triggers(off, dataset_drift=True, **quiet) == []
    [reason] = triggers(
        spec, dataset_drift=False, live_metric=0.78, holdout_metric=0.85, labelled=500
    )
    assert reason.startswith("roc_auc 0.78 live vs 0.85 at training (8.2% worse > 5.0%")
    few: dict[str, Any] = {
        "live_metric": 0.5,
        "holdout_metric": 0.85,
        "labelled": 99,
    }  # min_rows is 100
    assert triggers(spec, dataset_drift=False, **few) == []
    houses = small_spec("house_prices")  # rmse: lower is better
    assert (
        triggers(houses, dataset_drift=None, live_metric=21000, holdout_metric=20000, labelled=100)
        == []
    )
    assert triggers(
        houses, dataset_drift=None, live_metric=22000, holdout_metric=20000, labelled=100
    )


def test_the_breaker_counts_triggered_retrains_per_day(service: Any) -> None:
    spec = small_spec("churn", retrain__max_per_day=2)
    now = utcnow()
    assert decide(spec, []).retrain is False
    assert decide(spec, ["data drift"], now=now).retrain is True
    record_retrain_triggered("churn", "data drift", "run-1", now=now - timedelta(hours=30))
    record_retrain_triggered("churn", "data drift", "run-2", now=now - timedelta(hours=3))
    assert breaker(spec, now=now) is None  # run-1 is more than 24 h ago
    record_retrain_triggered("churn", "data drift", "run-3", now=now - timedelta(hours=1))
    decision = decide(spec, ["data drift"], now=now)
    assert decision.retrain is False and decision.reason == "data drift"
    assert decision.blocked_by is not None
    assert decision.blocked_by.startswith("max_per_day: 2 automatic retrain(s) of 'churn'")
    assert breaker(spec, now=now + timedelta(hours=22)) is None  # run-2 left the 24 h window
    assert breaker(small_spec("house_prices"), now=now) is None  # per model
    assert [e.dag_run_id for e in retrain_history("churn")] == ["run-3", "run-2", "run-1"]


def test_a_failed_retrain_starts_the_backoff(service: Any) -> None:
    spec = small_spec("churn", retrain__max_per_day=5, retrain__backoff_minutes=60)
    now = utcnow()
    record_retrain_triggered("churn", "data drift", "run-a", now=now - timedelta(minutes=50))
    record_retrain_outcome("run-a", "failed", now=now - timedelta(minutes=20))
    blocked = breaker(spec, now=now)
    assert blocked is not None and blocked.startswith("backoff: the last automatic retrain")
    assert breaker(spec, now=now + timedelta(minutes=41)) is None
    [event] = retrain_history("churn")
    assert (event.state, event.finished_at is not None) == ("failed", True)
    record_retrain_outcome("run-a", "succeeded")
    assert retrain_history("churn")[0].state == "succeeded"
    with pytest.raises(LookupError, match="no retrain was recorded for DAG run 'nope'"):
        record_retrain_outcome("nope", "failed")
    with pytest.raises(ValueError, match="must be 'succeeded' or 'failed'"):
        record_retrain_outcome("run-a", "triggered")  # type: ignore[arg-type]


def test_max_per_day_zero_disables_automatic_retraining(service: Any) -> None:
    decision = decide(small_spec("churn", retrain__max_per_day=0), ["data drift"])
    assert decision.retrain is False
    assert decision.blocked_by == (
        "max_per_day: automatic retraining is disabled (retrain.max_per_day = 0)"
    )
