"""Model families: each builds, fits, predicts, and is bit-for-bit reproducible for a seed."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna
import pytest

from mlaas.families import model_size
from mlaas.specs import ModelSpec
from mlaas.training.families import build_estimator, suggest_params, unprefix_params
from mlaas.training.split import features_and_target
from tests.factories import small_spec
from tests.mlaas.serving.test_predictor import CASES as REGISTERED
from tests.mlaas.serving.test_predictor import FAMILIES, PARAMS
from tests.mlaas.training import churn_frame, house_frame

ALL_CHURN, ALL_HOUSE = FAMILIES["churn"], FAMILIES["house_prices"]  # every registered family

CASES: list[tuple[str, str, dict[str, Any]]] = [
    *((name, family, PARAMS[family]) for name, family in REGISTERED),
    ("churn", "logistic_regression", {"C": 0.5}),
    ("churn", "logistic_regression", {"C": 0.5, "l1_ratio": 0.5, "class_weight": "balanced"}),
    ("churn", "random_forest", {"n_estimators": 15, "max_depth": 4, "max_features": "sqrt"}),
    ("churn", "lightgbm", {"n_estimators": 20, "num_leaves": 8, "subsample": 0.8}),
    ("house_prices", "ridge", {"alpha": 1.0}),
    ("house_prices", "random_forest", {"n_estimators": 15, "min_samples_leaf": 3}),
    ("house_prices", "lightgbm", {"n_estimators": 20, "learning_rate": 0.1}),
]


def _spec(name: str) -> ModelSpec:
    return small_spec(name, training__families=ALL_CHURN if name == "churn" else ALL_HOUSE)


def _fit_predict(spec: ModelSpec, family: str, params: dict[str, Any], seed: int) -> np.ndarray:
    frame = churn_frame(300) if spec.task == "classification" else house_frame(300)
    X, y = features_and_target(spec, frame)
    estimator = build_estimator(spec, family, params, seed=seed).fit(X, y)
    if spec.task == "classification":
        return np.asarray(estimator.predict_proba(X))
    return np.asarray(estimator.predict(X))


@pytest.mark.parametrize(("name", "family", "params"), CASES)
def test_build_estimator_fits_deterministically(
    name: str, family: str, params: dict[str, Any]
) -> None:
    spec = _spec(name)
    first = _fit_predict(spec, family, params, seed=7)
    second = _fit_predict(spec, family, params, seed=7)
    assert first.shape[0] == 300
    assert np.isfinite(first).all()
    np.testing.assert_array_equal(first, second)


def test_build_estimator_seed_changes_random_forest() -> None:
    spec = _spec("churn")
    params = {"n_estimators": 10}
    assert not np.array_equal(
        _fit_predict(spec, "random_forest", params, seed=1),
        _fit_predict(spec, "random_forest", params, seed=2),
    )


def test_build_estimator_uses_elasticnet_solver_for_l1_ratio() -> None:
    spec = _spec("churn")
    plain = build_estimator(spec, "logistic_regression", {"C": 1.0}, seed=0)
    elastic = build_estimator(spec, "logistic_regression", {"C": 1.0, "l1_ratio": 0.3}, seed=0)
    assert plain.named_steps["model"].solver == "lbfgs"
    assert elastic.named_steps["model"].solver == "saga"
    assert elastic.named_steps["model"].max_iter == 2000


def test_build_estimator_rejects_family_outside_spec() -> None:
    with pytest.raises(ValueError, match="random_forest"):
        build_estimator(small_spec("churn"), "random_forest", {}, seed=0)


def test_build_estimator_ignores_unknown_categories() -> None:
    spec = _spec("churn")
    X, y = features_and_target(spec, churn_frame(200))
    estimator = build_estimator(spec, "lightgbm", {"n_estimators": 10}, seed=0).fit(X, y)
    unseen = X.head(3).assign(country="Atlantis", gender=np.nan, age=np.nan)
    proba = estimator.predict_proba(unseen)
    assert proba.shape == (3, 2)
    assert np.isfinite(proba).all()


def test_suggest_params_prefixes_trial_names_and_stays_in_range() -> None:
    spec = small_spec("churn")
    space = spec.training.families["lightgbm"]
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    trial = study.ask()
    params = suggest_params(trial, "lightgbm", space)
    assert set(params) == set(space)
    assert set(trial.params) == {f"lightgbm_{name}" for name in space}
    assert 20 <= params["n_estimators"] <= 40
    assert 0.01 <= params["learning_rate"] <= 0.3
    assert unprefix_params("lightgbm", {"family": "lightgbm", **trial.params}) == params


def test_suggest_params_handles_categorical_choices() -> None:
    spec = small_spec(
        "churn",
        training__families={
            "logistic_regression": {"class_weight": {"type": "categorical", "choices": [None]}}
        },
    )
    trial = optuna.create_study().ask()
    space = spec.training.families["logistic_regression"]
    assert suggest_params(trial, "logistic_regression", space) == {"class_weight": None}


def test_model_size_grows_with_trees() -> None:
    spec = _spec("house_prices")
    X, y = features_and_target(spec, house_frame(200))
    small = build_estimator(spec, "random_forest", {"n_estimators": 2}, seed=0).fit(X, y)
    large = build_estimator(spec, "random_forest", {"n_estimators": 20}, seed=0).fit(X, y)
    assert 0 < model_size(small) < model_size(large)
