"""Metrics: the platform's definitions agree with scikit-learn on fixed arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from sklearn import metrics as skm

from mlaas.training.families import build_estimator
from mlaas.training.metrics import (
    encode_target,
    evaluate,
    is_better,
    predictions_for_metric,
    score,
)
from mlaas.training.split import features_and_target
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, house_frame

Y_BIN = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 0])
P_BIN = np.array([0.1, 0.8, 0.45, 0.3, 0.9, 0.6, 0.2, 0.55, 0.7, 0.4])
Y_REG = np.array([3.0, -0.5, 2.0, 7.0, 4.2])
P_REG = np.array([2.5, 0.0, 2.0, 8.0, 3.9])
HARD = (P_BIN >= 0.5).astype(int)

EXPECTED: list[tuple[str, Any, Any, float]] = [
    ("roc_auc", Y_BIN, P_BIN, skm.roc_auc_score(Y_BIN, P_BIN)),
    ("accuracy", Y_BIN, P_BIN, skm.accuracy_score(Y_BIN, HARD)),
    ("f1", Y_BIN, P_BIN, skm.f1_score(Y_BIN, HARD)),
    ("log_loss", Y_BIN, P_BIN, skm.log_loss(Y_BIN, P_BIN)),
    ("rmse", Y_REG, P_REG, float(np.sqrt(skm.mean_squared_error(Y_REG, P_REG)))),
    ("mae", Y_REG, P_REG, skm.mean_absolute_error(Y_REG, P_REG)),
    ("r2", Y_REG, P_REG, skm.r2_score(Y_REG, P_REG)),
]


@pytest.mark.parametrize(("metric", "y_true", "y_pred", "expected"), EXPECTED)
def test_score_matches_sklearn(metric: str, y_true: Any, y_pred: Any, expected: float) -> None:
    assert score(metric, y_true, y_pred) == pytest.approx(expected, abs=1e-12)


def test_score_known_values() -> None:
    assert score("accuracy", Y_BIN, P_BIN) == pytest.approx(0.8)
    assert score("mae", Y_REG, P_REG) == pytest.approx(0.46)
    assert score("roc_auc", [0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0


def test_score_multiclass_uses_one_vs_rest() -> None:
    y = np.array([0, 1, 2, 2, 1, 0])
    proba = np.array(
        [
            [0.7, 0.2, 0.1],
            [0.2, 0.5, 0.3],
            [0.1, 0.2, 0.7],
            [0.3, 0.3, 0.4],
            [0.3, 0.4, 0.3],
            [0.5, 0.4, 0.1],
        ]
    )
    assert score("roc_auc", y, proba) == pytest.approx(
        skm.roc_auc_score(y, proba, multi_class="ovr")
    )
    assert score("accuracy", y, proba) == pytest.approx(1.0)
    assert score("f1", y, proba) == pytest.approx(
        skm.f1_score(y, proba.argmax(1), average="macro")
    )


def test_score_rejects_unknown_metric() -> None:
    with pytest.raises(ValueError, match="unknown metric"):
        score("gini", Y_BIN, P_BIN)


def test_is_better_follows_metric_direction() -> None:
    churn, house = small_spec("churn"), small_spec("house_prices")
    assert is_better(churn, 0.81, 0.80) and not is_better(churn, 0.80, 0.80)
    assert is_better(house, 900.0, 1000.0) and not is_better(house, 1000.0, 900.0)


def test_evaluate_classification_uses_probabilities() -> None:
    spec = small_spec("churn")
    X, y = features_and_target(spec, churn_frame(400))
    model = build_estimator(spec, "logistic_regression", {"C": 1.0}, seed=0).fit(X, y)
    result = evaluate(spec, model, X, y)
    proba = model.predict_proba(X)[:, 1]
    assert set(result) == {"roc_auc", "accuracy", "f1", "log_loss"}
    np.testing.assert_array_equal(predictions_for_metric(spec, model, X), proba)
    assert result["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba))
    assert result["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    assert result["accuracy"] == pytest.approx(skm.accuracy_score(y, model.predict(X)))


def test_evaluate_regression_returns_task_metrics() -> None:
    spec = small_spec("house_prices")
    X, y = features_and_target(spec, house_frame(300))
    model = build_estimator(spec, "ridge", {"alpha": 1.0}, seed=0).fit(X, y)
    result = evaluate(spec, model, X, y)
    assert set(result) == {"rmse", "mae", "r2"}
    assert result["rmse"] == pytest.approx(
        float(np.sqrt(skm.mean_squared_error(y, model.predict(X))))
    )
    assert 0.5 < result["r2"] <= 1.0


def test_encode_target_maps_labels_to_class_order() -> None:
    spec = small_spec("churn")
    frame = churn_frame(200)
    frame["churned"] = frame["churned"].map({0: "stay", 1: "leave"})
    X, y = features_and_target(spec, frame)
    model = build_estimator(spec, "logistic_regression", {"C": 1.0}, seed=0).fit(X, y)
    encoded = encode_target(spec, model, y)
    assert list(model.classes_) == ["leave", "stay"]
    np.testing.assert_array_equal(encoded, (y == "stay").astype(int).to_numpy())
    with pytest.raises(ValueError, match="not seen in training"):
        encode_target(spec, model, np.array(["stay", "maybe"]))
