"""Tuning: an Optuna study in the platform DB, mirrored into MLflow, resumable and prunable."""

from __future__ import annotations

from pathlib import Path

import optuna
from mlflow import MlflowClient
from mlflow.entities import Run
from optuna.trial import TrialState

from mlaas.settings import get_settings
from mlaas.specs import ModelSpec
from mlaas.tracking import experiment_name
from mlaas.training.tune import optuna_storage, study_name, tune
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, house_frame, store_frame

WIDE_RIDGE = {"ridge": {"alpha": {"type": "float", "low": 0.001, "high": 1e6, "log": True}}}


def _child_runs(spec: ModelSpec, parent_run_id: str) -> list[Run]:
    client = MlflowClient(get_settings().mlflow_tracking_uri)
    experiment = client.get_experiment_by_name(experiment_name(spec.name))
    assert experiment is not None
    query = f"tags.`mlflow.parentRunId` = '{parent_run_id}'"
    return list(client.search_runs([experiment.experiment_id], query, max_results=1000))


def test_tune_stores_study_and_trial_runs(mlaas_home: Path) -> None:
    spec = small_spec("churn")
    frame = store_frame(spec, churn_frame(400))
    result = tune(spec, frame, trigger="test")

    study = optuna.load_study(study_name=result.study_name, storage=get_settings().database_url)
    assert result.study_name == f"churn-{frame.content_hash[:12]}-{spec.spec_hash[:12]}"
    assert len(study.trials) == 3 == result.n_trials
    assert study.direction == optuna.study.StudyDirection.MAXIMIZE
    assert result.best_value == study.best_value
    assert result.best_family == study.best_params["family"]
    assert result.best_family in spec.training.families
    assert set(result.best_params) == set(spec.training.families[result.best_family])
    assert 0.5 < result.best_value <= 1.0

    client = MlflowClient(get_settings().mlflow_tracking_uri)
    parent = client.get_run(result.parent_run_id)
    assert parent.info.run_name == f"tune-{frame.content_hash[:8]}"
    assert parent.info.status == "FINISHED"
    assert parent.data.tags["mlaas.kind"] == "tune"
    assert parent.data.tags["mlaas.data_hash"] == frame.content_hash
    assert parent.data.tags["mlaas.spec_hash"] == spec.spec_hash
    assert parent.data.tags["mlaas.study"] == result.study_name
    assert parent.data.tags["mlaas.trigger"] == "test"
    assert parent.data.metrics["best_cv_roc_auc"] == result.best_value
    assert parent.data.params["best_family"] == result.best_family

    children = _child_runs(spec, result.parent_run_id)
    assert len(children) == 3
    for run in children:
        assert run.data.tags["mlaas.state"] == "complete"
        assert run.data.params["family"] in spec.training.families
        assert "cv_roc_auc" in run.data.metrics
    run_ids = {t.user_attrs["mlflow_run_id"] for t in study.trials}
    assert run_ids == {r.info.run_id for r in children}


def test_tune_twice_runs_no_new_trials(mlaas_home: Path) -> None:
    spec = small_spec("house_prices")
    frame = store_frame(spec, house_frame(300))
    first = tune(spec, frame)
    second = tune(spec, frame)
    assert second == first
    study = optuna.load_study(study_name=first.study_name, storage=optuna_storage())
    assert len(study.trials) == spec.training.trials
    assert len(_child_runs(spec, first.parent_run_id)) == spec.training.trials

    bigger = small_spec("house_prices", training__trials=4)  # another spec: another study
    assert tune(bigger, frame).study_name != first.study_name


def test_tune_prunes_hopeless_trials(mlaas_home: Path) -> None:
    spec = small_spec(
        "house_prices", training__families=WIDE_RIDGE, training__cv_folds=3, training__trials=4
    )
    frame = store_frame(spec, house_frame(300))
    # Trials enqueued in the shared study run first: three good ones, then a hopeless one.
    study = optuna.create_study(
        storage=optuna_storage(), study_name=study_name(spec, frame.content_hash)
    )
    for alpha in (0.001, 0.002, 0.003, 1e6):
        study.enqueue_trial({"family": "ridge", "ridge_alpha": alpha})
    result = tune(spec, frame)

    states = [t.state for t in study.trials]
    assert states[:4] == [TrialState.COMPLETE] * 3 + [TrialState.PRUNED]
    assert study.trials[3].last_step == 1  # stopped after the second of three folds
    assert result.n_trials == spec.training.trials
    pruned = [
        r
        for r in _child_runs(spec, result.parent_run_id)
        if r.data.tags["mlaas.state"] == "pruned"
    ]
    assert len(pruned) == 1
    assert result.best_params["alpha"] < 0.01


def test_tune_stops_early_without_improvement(mlaas_home: Path) -> None:
    spec = small_spec(
        "house_prices",
        training__families=WIDE_RIDGE,
        training__trials=10,
        training__early_stopping_trials=2,
    )
    frame = store_frame(spec, house_frame(300))
    study = optuna.create_study(
        storage=optuna_storage(), study_name=study_name(spec, frame.content_hash)
    )
    for alpha in (0.001, 1e4, 1e5):
        study.enqueue_trial({"family": "ridge", "ridge_alpha": alpha})
    result = tune(spec, frame)
    assert result.n_trials == 3
    assert result.best_params == {"alpha": 0.001}
    assert tune(spec, frame).n_trials == 3  # still stalled: the re-run adds nothing
