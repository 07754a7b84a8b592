"""Live performance from feedback, checked against scikit-learn on the same answers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from sklearn import metrics as skm

from mlaas.monitoring.context import Window, WindowError, resolve_window, utcnow
from mlaas.monitoring.feedback import FeedbackItem, submit_feedback
from mlaas.monitoring.performance import performance
from tests.mlaas.monitoring.helpers import churn_frame, predict_rows, shift_log_time


def last_hours(hours: int) -> Window:
    return Window.ending(utcnow() + timedelta(seconds=1), minutes=hours * 60)


def test_classification_metrics_match_sklearn_per_bucket(service: Any) -> None:
    frame = churn_frame(300, seed=21)
    early_ids, [early] = predict_rows(service, "churn", frame.iloc[:100])
    late_ids, [late] = predict_rows(service, "churn", frame.iloc[100:])
    ids = early_ids + late_ids
    probabilities = early.prediction.probabilities + late.prediction.probabilities
    p1 = np.array([p["1"] for p in probabilities])
    truth = frame["churned"].to_numpy()
    # The first request (100 records) was made two hours ago; its feedback arrives now (late).
    shift_log_time(early_ids, -timedelta(hours=2))
    submit_feedback([FeedbackItem(i, label=int(y)) for i, y in zip(ids, truth, strict=True)])

    report = performance("churn", last_hours(6), bucket="hour")
    assert report.task == "classification" and report.version == "1"
    overall = report.overall["champion"]
    assert overall.count == 300
    assert overall.metrics["roc_auc"] == pytest.approx(skm.roc_auc_score(truth, p1), abs=1e-12)
    assert overall.metrics["accuracy"] == pytest.approx(
        skm.accuracy_score(truth, p1 >= 0.5), abs=1e-12
    )
    assert overall.metrics["f1"] == pytest.approx(skm.f1_score(truth, p1 >= 0.5), abs=1e-12)
    assert overall.metrics["log_loss"] == pytest.approx(skm.log_loss(truth, p1), abs=1e-12)
    counts = sorted(b.count for b in report.buckets)
    assert counts == [100, 200] and {b.variant for b in report.buckets} == {"champion"}
    early = min(report.buckets, key=lambda b: b.start)
    assert early.metrics["roc_auc"] == pytest.approx(
        skm.roc_auc_score(truth[:100], p1[:100]), abs=1e-12
    )
    assert report.coverage["champion"].model_dump() == {"predictions": 300, "labelled": 300}
    assert set(report.holdout) == {"roc_auc", "accuracy", "f1", "log_loss"}
    # Late feedback counts where the prediction was made: the last hour has only the recent 200.
    assert performance("churn", last_hours(1)).overall["champion"].count == 200


def test_metrics_are_split_by_variant(service: Any) -> None:
    from mlaas.serving.routing import set_routing

    set_routing("churn", challenger_weight=0.5, shadow=False)
    service.forget_routing("churn")
    frame = churn_frame(120, seed=22)
    ids, outcomes = predict_rows(service, "churn", frame, batch=False, routing_key=None)
    variants = [o.variant for o in outcomes]
    assert set(variants) == {"champion", "challenger"}
    truth = frame["churned"].to_numpy()
    submit_feedback([FeedbackItem(i, label=int(y)) for i, y in zip(ids, truth, strict=True)])
    report = performance("churn", last_hours(1))
    for variant in ("champion", "challenger"):
        rows = [k for k, v in enumerate(variants) if v == variant]
        p1 = np.array([outcomes[k].prediction.probabilities[0]["1"] for k in rows])
        assert report.overall[variant].count == len(rows)
        assert report.overall[variant].metrics["roc_auc"] == pytest.approx(
            skm.roc_auc_score(truth[rows], p1), abs=1e-12
        )


def test_regression_metrics_match_sklearn(service: Any) -> None:
    from mlaas.data.housing import load_house_prices

    houses = load_house_prices().head(80)
    ids, [outcome] = predict_rows(service, "house_prices", houses)
    predicted = np.array(outcome.prediction.outputs, dtype=float)
    truth = houses["price"].to_numpy(dtype=float)
    # Half the feedback only: coverage says so, and metrics use the labelled half.
    submit_feedback(
        [FeedbackItem(i, value=float(v)) for i, v in zip(ids[:40], truth[:40], strict=True)]
    )
    report = performance("house_prices", last_hours(1), bucket="day")
    overall = report.overall["champion"]
    assert overall.count == 40 and report.coverage["champion"].labelled == 40
    assert report.coverage["champion"].predictions == 80
    expected = {
        "rmse": np.sqrt(skm.mean_squared_error(truth[:40], predicted[:40])),
        "mae": skm.mean_absolute_error(truth[:40], predicted[:40]),
        "r2": skm.r2_score(truth[:40], predicted[:40]),
    }
    for metric, value in expected.items():
        assert overall.metrics[metric] == pytest.approx(value, rel=1e-12)


def test_undefined_metrics_are_none_not_errors(service: Any) -> None:
    frame = churn_frame(1, seed=23)
    ids, _ = predict_rows(service, "churn", frame)
    submit_feedback([FeedbackItem(ids[0], label=0)])
    metrics = performance("churn", last_hours(1)).overall["champion"].metrics
    assert metrics["roc_auc"] is None  # one class only
    assert metrics["accuracy"] in (0.0, 1.0)


def test_an_empty_window_has_no_groups(service: Any) -> None:
    report = performance("churn", last_hours(1))
    assert report.overall == {} and report.buckets == [] and report.coverage == {}


def test_windows_are_checked() -> None:
    now = utcnow()
    with pytest.raises(WindowError) as caught:
        resolve_window(now, now - timedelta(hours=1), default_hours=24)
    assert caught.value.field == "start"
    with pytest.raises(WindowError, match="coarser bucket"):
        resolve_window(now - timedelta(days=400), now, default_hours=24, bucket="hour")
    window = resolve_window(None, now, default_hours=24)
    assert window.end - window.start == timedelta(hours=24)
