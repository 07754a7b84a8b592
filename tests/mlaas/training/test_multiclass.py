"""Multiclass done honestly: metrics over every class the model knows (undefined, with the
reason, when a class has no row — never NaN), per-class figures equal to scikit-learn's,
stratified random holdouts that keep every class, a class-ordered time split refused before
tuning with the classes and their counts, and the gate refusing a comparison it cannot make."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as skm

from mlaas.specs import ModelSpec
from mlaas.training.families import build_estimator
from mlaas.training.metrics import (
    MetricUndefined,
    encode_target,
    evaluate_with_reasons,
    per_class_report,
    predictions_for_metric,
    score,
)
from mlaas.training.split import (
    ClassCoverageError,
    check_class_coverage,
    features_and_target,
    split_holdout,
)
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, store_frame

CLASSES = ["bronze", "gold", "platinum", "silver"]


def segment_spec(**overrides: Any) -> ModelSpec:
    """The churn spec predicting a 4-class string label `segment` instead of churn."""
    spec = small_spec("churn", training__families={"logistic_regression": {}}, **overrides)
    return spec.model_copy(update={"target": "segment", "target_type": "category"})


def segment_frame(n: int = 800, *, rare: int = 12, seed: int = 0) -> pd.DataFrame:
    """Segments follow balance and products; `platinum` has only `rare` rows."""
    frame = churn_frame(n, seed=seed).drop(columns=["churned"])
    rng = np.random.default_rng(seed)
    segment = np.where(frame["num_products"] >= 3, "gold", "silver").astype(object)
    segment[rng.random(n) < 0.3] = "bronze"
    segment[rng.choice(n, rare, replace=False)] = "platinum"
    frame["segment"] = segment
    return frame


Y3 = np.array([0, 1, 2, 2, 1, 0, 1, 2])
P3 = np.array(
    [
        [0.7, 0.2, 0.1],
        [0.2, 0.5, 0.3],
        [0.1, 0.2, 0.7],
        [0.3, 0.3, 0.4],
        [0.3, 0.4, 0.3],
        [0.5, 0.4, 0.1],
        [0.1, 0.8, 0.1],
        [0.2, 0.5, 0.3],
    ]
)


def test_multiclass_metrics_average_over_every_known_class() -> None:
    assert score("f1", Y3, P3) == pytest.approx(
        skm.f1_score(Y3, P3.argmax(1), average="macro", labels=[0, 1, 2])
    )
    # Drop every row of class 2: macro-F1 over the present classes would flatter the model.
    present = Y3 != 2
    with pytest.raises(MetricUndefined, match=r"none of class\(es\) \['platinum'\]"):
        score("f1", Y3[present], P3[present], class_names=["bronze", "gold", "platinum"])
    with pytest.raises(MetricUndefined, match=r"roc_auc averages over every class"):
        score("roc_auc", Y3[present], P3[present])
    # Accuracy and log loss are defined on any rows; log loss still knows all three columns.
    assert score("accuracy", Y3[present], P3[present]) == pytest.approx(
        skm.accuracy_score(Y3[present], P3[present].argmax(1))
    )
    assert score("log_loss", Y3[present], P3[present]) == pytest.approx(
        skm.log_loss(Y3[present], P3[present], labels=[0, 1, 2])
    )
    with pytest.raises(MetricUndefined, match="hold no positive row"):
        score("f1", np.zeros(4, dtype=int), np.array([0.1, 0.7, 0.2, 0.9]))
    with pytest.raises(MetricUndefined):
        score("roc_auc", np.ones(4, dtype=int), np.array([0.1, 0.7, 0.2, 0.9]))


def test_per_class_figures_equal_sklearn_classification_report() -> None:
    spec = segment_spec()
    frame = segment_frame()
    train, holdout = split_holdout(spec, frame)
    X, y = features_and_target(spec, train)
    model = build_estimator(spec, "logistic_regression", {"C": 1.0}, seed=0).fit(X, y)
    X_hold, y_hold = features_and_target(spec, holdout)
    report = per_class_report(
        spec,
        model.classes_,
        encode_target(spec, model, y_hold),
        predictions_for_metric(spec, model, X_hold),
    )
    assert report is not None and report["classes"] == CLASSES
    expected = skm.classification_report(
        y_hold, model.predict(X_hold), labels=CLASSES, output_dict=True, zero_division=np.nan
    )
    for row in report["per_class"]:
        for field, key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            want = expected[row["class"]][key]
            if np.isnan(want):
                assert row[field] is None, (row, field)
            else:
                assert row[field] == pytest.approx(want, abs=1e-6), (row, field)
        assert row["support"] == expected[row["class"]]["support"]
    assert (
        report["confusion_matrix"]
        == skm.confusion_matrix(y_hold, model.predict(X_hold), labels=CLASSES).tolist()
    )
    json.dumps(report, allow_nan=False)  # valid JSON: null, never NaN


def test_a_holdout_missing_a_class_reports_null_with_the_reason() -> None:
    spec = segment_spec()
    frame = segment_frame()
    train, holdout = split_holdout(spec, frame)
    X, y = features_and_target(spec, train)
    model = build_estimator(spec, "logistic_regression", {"C": 1.0}, seed=0).fit(X, y)
    no_platinum = holdout[holdout["segment"] != "platinum"]
    values, problems = evaluate_with_reasons(spec, model, *features_and_target(spec, no_platinum))
    assert set(problems) == {"roc_auc", "f1"}
    assert "['platinum']" in problems["roc_auc"]
    assert {"accuracy", "log_loss"} <= set(values)
    assert all(np.isfinite(v) for v in values.values())


def test_a_random_holdout_is_stratified_and_keeps_every_class() -> None:
    spec = segment_spec(training__holdout={"strategy": "random", "fraction": 0.2})
    frame = segment_frame(rare=6)
    train, holdout = split_holdout(spec, frame)
    assert len(train) + len(holdout) == len(frame)
    assert set(train["customer_id"]).isdisjoint(holdout["customer_id"])
    for label, count in frame["segment"].value_counts().items():
        in_holdout = int((holdout["segment"] == label).sum())
        assert in_holdout == min(count - 1, max(1, round(count * 0.2))), label
    again = split_holdout(spec, frame.sample(frac=1.0, random_state=3))
    assert again[1]["customer_id"].tolist() == holdout["customer_id"].tolist()  # deterministic
    check_class_coverage(spec, frame)  # passes: every class in both parts


def test_a_class_ordered_time_split_is_refused_before_tuning_naming_the_classes() -> None:
    spec = segment_spec()  # time holdout: the latest 20%
    frame = segment_frame()
    # Timestamps follow the class order: every platinum row is among the latest.
    frame = frame.sort_values("segment", key=lambda s: s == "platinum", kind="mergesort")
    frame["event_timestamp"] = pd.date_range("2025-01-01", periods=len(frame), freq="h", tz="UTC")
    with pytest.raises(ClassCoverageError) as refused:
        check_class_coverage(spec, frame)
    message = str(refused.value)
    assert "'platinum': 0 in training, 12 in the holdout" in message
    assert "training.holdout.min_class_rows" in message
    assert "training.holdout.strategy: random" in message
    print(message)  # the closing note quotes it


def test_the_plan_step_refuses_the_split_before_any_tuning(mlaas_home: Any) -> None:
    from mlaas.training.retrain_modes import plan_retrain

    spec = segment_spec()
    frame = segment_frame().sort_values("segment", key=lambda s: s == "platinum", kind="mergesort")
    frame["event_timestamp"] = pd.date_range("2025-01-01", periods=len(frame), freq="h", tz="UTC")
    with pytest.raises(ClassCoverageError, match="'platinum': 0 in training"):
        plan_retrain(spec, store_frame(spec, frame))  # the plan step: nothing tuned yet
    shuffled = spec.model_copy(
        update={
            "training": spec.training.model_copy(
                update={"holdout": spec.training.holdout.model_copy(update={"strategy": "random"})}
            )
        }
    )
    assert plan_retrain(shuffled, store_frame(shuffled, frame)).mode == "full"  # the way out


def test_a_window_without_a_class_is_refused_before_any_tuning(mlaas_home: Any) -> None:
    from mlaas.training.retrain_modes import plan_retrain

    spec = segment_spec(
        training__holdout={"strategy": "random", "fraction": 0.2}, retrain__window_days=10
    )
    # Every platinum row is older than the last ten days.
    frame = segment_frame().sort_values("segment", key=lambda s: s != "platinum", kind="mergesort")
    frame["event_timestamp"] = pd.date_range("2025-01-01", periods=len(frame), freq="h", tz="UTC")
    stored = store_frame(spec, frame)
    assert plan_retrain(spec, stored).mode == "full"  # the whole dataset has every class
    with pytest.raises(ClassCoverageError) as refused:
        plan_retrain(spec, stored, "window")
    message = str(refused.value)
    assert "of the window mode: the last 10 days, retrain.window_days" in message
    assert "'platinum': 0 in training, 0 in the holdout" in message
    assert "retrain in another mode (full)" in message
    print(message)


def test_the_gate_refuses_a_metric_it_cannot_compute() -> None:
    from mlaas.gate import decide
    from mlaas.specs import Gate

    present = Y3 != 2
    decision = decide(
        Gate(),
        metric="roc_auc",
        higher_is_better=True,
        y_true=Y3[present],
        challenger_scores=P3[present],
        champion_scores=None,
        champion_version=None,
        scorer=lambda y, s: score("roc_auc", y, s),
        seed=0,
    )
    assert decision.passed is False and decision.challenger_metric is None
    assert "roc_auc cannot be computed on the 5 evaluation rows" in decision.reason
    assert "training.holdout.strategy: random" in decision.reason
    json.loads(json.dumps(decision.model_dump(), allow_nan=False))
