"""Behavioural tests of a churn model trained end to end (tune + train) on a synthetic frame.

The frame (tests.mlaas.training.churn_frame) makes churn rise with support calls and inactivity
and leaves gender out entirely, so a sound model must reflect exactly that.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mlflow
import numpy as np
import pandas as pd
import pytest

from mlaas.refs import TrainResult
from mlaas.training.split import features_and_target, load_split
from tests.factories import home_env, small_spec
from tests.mlaas.training import churn_frame, store_frame


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One model for the whole module, in its own embedded home (as the mlaas_home fixture)."""
    from mlaas.training.train import train_and_evaluate
    from mlaas.training.tune import tune

    with home_env(tmp_path_factory.mktemp("behaviour") / "mlaas-home"):
        spec = small_spec("churn")
        frame = store_frame(spec, churn_frame(1_000, seed=1))
        result: TrainResult = train_and_evaluate(spec, frame, tune(spec, frame))
        model = mlflow.sklearn.load_model(result.model_uri)
        _, holdout = load_split(spec, frame.key)
        X, y = features_and_target(spec, holdout)
        yield {"result": result, "model": model, "X": X, "y": y}


def _churn_probability(model: Any, X: pd.DataFrame) -> np.ndarray:
    return np.asarray(model.predict_proba(X))[:, 1]


def test_model_reaches_minimum_auc(trained: dict[str, Any]) -> None:
    from sklearn.metrics import roc_auc_score

    assert trained["result"].metrics["roc_auc"] > 0.75
    scores = _churn_probability(trained["model"], trained["X"])
    assert roc_auc_score(trained["y"], scores) == pytest.approx(
        trained["result"].metrics["roc_auc"]
    )


def test_model_is_invariant_to_gender(trained: dict[str, Any]) -> None:
    X: pd.DataFrame = trained["X"]
    swapped = X.assign(gender=X["gender"].map({"Female": "Male", "Male": "Female"}))
    change = np.abs(
        _churn_probability(trained["model"], swapped) - _churn_probability(trained["model"], X)
    )
    assert change.mean() < 0.05  # a tenth of what three more support calls do
    assert np.quantile(change, 0.95) < 0.1


def test_model_predicts_more_churn_with_more_support_calls(trained: dict[str, Any]) -> None:
    X: pd.DataFrame = trained["X"]
    before = _churn_probability(trained["model"], X)
    after = _churn_probability(trained["model"], X.assign(support_calls=X["support_calls"] + 3))
    assert (after >= before).mean() > 0.9
    assert (after - before).mean() > 0.1


def test_model_predicts_more_churn_for_inactive_members(trained: dict[str, Any]) -> None:
    X: pd.DataFrame = trained["X"]
    active = _churn_probability(trained["model"], X.assign(is_active_member=True))
    inactive = _churn_probability(trained["model"], X.assign(is_active_member=False))
    assert (inactive >= active).mean() > 0.9
    assert (inactive - active).mean() > 0.1
