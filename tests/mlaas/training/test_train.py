"""Training: refit, holdout metrics, artifacts and model in MLflow; idempotent and reproducible."""

from __future__ import annotations

from pathlib import Path

import mlflow
import numpy as np
import pytest
from mlflow import MlflowClient

from mlaas.profiles import load_profile, load_sample
from mlaas.refs import TuneResult
from mlaas.settings import get_settings
from mlaas.storage import get_store
from mlaas.tracking import experiment_name
from mlaas.training.families import build_estimator
from mlaas.training.metrics import score
from mlaas.training.split import features_and_target, load_split
from mlaas.training.train import holdout_predictions, refit_and_score, train_and_evaluate
from mlaas.training.tune import tune
from tests.factories import small_spec
from tests.mlaas.serving.test_predictor import CASES, PARAMS
from tests.mlaas.training import churn_frame, house_frame, store_frame


def _artifacts(client: MlflowClient, run_id: str, path: str | None = None) -> set[str]:
    found: set[str] = set()
    for item in client.list_artifacts(run_id, path):
        found |= _artifacts(client, run_id, item.path) if item.is_dir else {item.path}
    return found


def test_train_and_evaluate_logs_model_metrics_and_artifacts(mlaas_home: Path) -> None:
    spec = small_spec("churn")
    frame = store_frame(spec, churn_frame(500))
    tuned = tune(spec, frame)
    result = train_and_evaluate(spec, frame, tuned, trigger="test")

    client = MlflowClient(get_settings().mlflow_tracking_uri)
    run = client.get_run(result.run_id)
    assert run.info.run_name == f"train-{frame.content_hash[:8]}"
    assert run.info.status == "FINISHED"
    tags = run.data.tags
    assert tags["mlaas.kind"] == "train"
    assert (tags["mlaas.data_hash"], tags["mlaas.spec_hash"]) == (
        frame.content_hash,
        spec.spec_hash,
    )
    assert (tags["mlaas.family"], tags["mlaas.trigger"]) == (tuned.best_family, "test")
    assert tags["mlaas.tune_run_id"] == tuned.parent_run_id
    assert tags["mlaas.seed"] == str(spec.training.seed)
    assert set(result.metrics) == {"roc_auc", "accuracy", "f1", "log_loss"}
    for name, value in result.metrics.items():
        assert run.data.metrics[f"holdout_{name}"] == value
    assert result.metrics["roc_auc"] > 0.7
    assert run.data.params["family"] == tuned.best_family
    assert _artifacts(client, result.run_id) >= {
        "plots/confusion_matrix.png",
        "plots/roc_curve.png",
        "plots/feature_importance.png",
        "feature_importance.json",
        "spec.yaml",
        "reference_profile.json",
    }
    spec_yaml = mlflow.artifacts.load_text(f"runs:/{result.run_id}/spec.yaml")
    assert spec_yaml == spec.to_yaml()

    # The reference profile describes the train part only and is stored with a raw sample.
    train, holdout = load_split(spec, frame.key)
    profile = load_profile(result.profile_key)
    assert profile["rows"] == len(train) == 400
    assert len(load_sample(profile)) == 400
    assert get_store().exists(result.profile_key)

    # The logged model predicts exactly what the same seeded refit predicts in memory.
    X_hold, y_hold = features_and_target(spec, holdout)
    X_train, y_train = features_and_target(spec, train)
    in_memory = build_estimator(spec, result.family, result.params, seed=spec.training.seed)
    in_memory.fit(X_train, y_train)
    via_run = mlflow.sklearn.load_model(f"runs:/{result.run_id}/model")
    np.testing.assert_array_equal(via_run.predict_proba(X_hold), in_memory.predict_proba(X_hold))

    # pyfunc takes the model's own frame as stored: int features are `long` in the signature.
    pyfunc = mlflow.pyfunc.load_model(result.model_uri)
    assert pyfunc.metadata.run_id == result.run_id
    columns = {c.name: c.type.name for c in pyfunc.metadata.get_input_schema().inputs}
    assert columns["age"] == "long" and columns["balance"] == "double"
    assert (columns["has_credit_card"], columns["country"]) == ("boolean", "string")
    assert holdout["age"].dtype == "int64"
    raw_holdout = holdout.drop(columns=[spec.target])
    np.testing.assert_array_equal(pyfunc.predict(raw_holdout), in_memory.predict(X_hold))
    raw = churn_frame(5, seed=9)[spec.feature_names].astype(object)
    raw.loc[1, "country"] = None  # a missing category is fine
    assert len(pyfunc.predict(raw)) == 5
    raw.loc[0, "age"] = None  # an integer column cannot hold one: MLflow names the column
    with pytest.raises(mlflow.exceptions.MlflowException, match="column age"):
        pyfunc.predict(raw)
    example = mlflow.models.Model.load(result.model_uri).load_input_example(result.model_uri)
    assert example is not None and example["age"].dtype == "int64"

    # Reproduction from lineage alone gives the logged holdout metrics.
    rebuilt = refit_and_score(spec, frame.key, result.family, result.params)
    for name, value in rebuilt.items():
        assert abs(value - run.data.metrics[f"holdout_{name}"]) <= 1e-9
    y_true, scores = holdout_predictions(spec, frame.key, result.model_uri)
    assert score("roc_auc", y_true, scores) == pytest.approx(result.metrics["roc_auc"], abs=1e-12)

    # A second call reuses the finished run instead of training again.
    again = train_and_evaluate(spec, frame, tuned)
    assert again == result
    experiment = client.get_experiment_by_name(experiment_name(spec.name))
    assert experiment is not None
    query = "tags.`mlaas.kind` = 'train'"
    assert len(client.search_runs([experiment.experiment_id], query)) == 1


def test_train_and_evaluate_regression_plots_and_metrics(mlaas_home: Path) -> None:
    spec = small_spec("house_prices")
    frame = store_frame(spec, house_frame(300))
    tuned = tune(spec, frame)
    result = train_and_evaluate(spec, frame, tuned)
    assert set(result.metrics) == {"rmse", "mae", "r2"}
    assert result.metrics["r2"] > 0.5
    client = MlflowClient(get_settings().mlflow_tracking_uri)
    assert _artifacts(client, result.run_id) >= {
        "plots/residuals.png",
        "plots/predicted_vs_actual.png",
        "plots/feature_importance.png",
    }
    importances = mlflow.artifacts.load_dict(f"runs:/{result.run_id}/feature_importance.json")
    assert set(importances) == set(spec.feature_names)
    assert max(importances, key=importances.__getitem__) in {"lotsize", "bathrooms"}
    rebuilt = refit_and_score(spec, frame.key, result.family, result.params)
    assert rebuilt == pytest.approx(result.metrics, abs=1e-9)


def test_train_and_evaluate_rejects_foreign_tuning(mlaas_home: Path) -> None:
    spec = small_spec("house_prices")
    frame = store_frame(spec, house_frame(100))
    foreign = TuneResult(
        model="house_prices",
        content_hash="0" * 64,
        spec_hash=spec.spec_hash,
        study_name="x",
        parent_run_id="",
        best_family="ridge",
        best_params={"alpha": 1.0},
        best_value=1.0,
        n_trials=1,
    )
    with pytest.raises(ValueError, match="another model, dataset or spec"):
        train_and_evaluate(spec, frame, foreign)


@pytest.mark.parametrize(("name", "family"), CASES)
def test_every_family_logs_a_model_that_loads_back(
    mlaas_home: Path, name: str, family: str
) -> None:
    # skops must trust each family's types (LightGBM booster, sklearn Tree) to load it back.
    params = PARAMS[family]
    spec = small_spec(name, training__families={family: {}})
    frame = store_frame(spec, churn_frame(300) if name == "churn" else house_frame(300))
    tuned = TuneResult(
        model=spec.name,
        content_hash=frame.content_hash,
        spec_hash=spec.spec_hash,
        study_name="hand-picked",
        parent_run_id="",
        best_family=family,
        best_params=params,
        best_value=0.0,
        n_trials=0,
    )
    result = train_and_evaluate(spec, frame, tuned)
    _, holdout = load_split(spec, frame.key)
    loaded = mlflow.pyfunc.load_model(result.model_uri)  # on the stored frame, as it is
    assert len(loaded.predict(holdout.drop(columns=[spec.target]))) == len(holdout)
    rebuilt = refit_and_score(spec, frame.key, family, params)
    assert rebuilt == pytest.approx(result.metrics, abs=1e-9)
