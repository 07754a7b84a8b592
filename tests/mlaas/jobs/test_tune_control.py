"""Tuning as jobs steer it: stop between trials, the study's budget shared by several
processes (one slot per trial), and the two-objective search with its Pareto front."""

from __future__ import annotations

import json
from pathlib import Path

import optuna
import pytest
from mlflow import MlflowClient
from optuna.trial import TrialState

from mlaas.settings import get_settings
from mlaas.training.tune import (
    TuneCancelled,
    TuneControl,
    open_study,
    pareto_front,
    tune,
    tune_shard,
)
from tests.factories import small_spec
from tests.mlaas.training import churn_frame, store_frame


def test_stop_request_ends_tuning_between_trials(mlaas_home: Path) -> None:
    spec = small_spec("churn", training__trials=50)
    frame = store_frame(spec, churn_frame(300))
    seen: list[str] = []
    done = lambda: len(open_study(spec, frame.content_hash).trials) >= 2  # noqa: E731
    control = TuneControl(should_stop=done, on_study=lambda s: seen.append(s.study_name))
    with pytest.raises(TuneCancelled, match="after 2 finished trials"):
        tune(spec, frame, control=control)
    study = open_study(spec, frame.content_hash)
    assert seen == [study.study_name]
    assert [t.state for t in study.trials] == [TrialState.COMPLETE] * 2
    parent = study.trials[0].user_attrs["mlflow_run_id"]
    client = MlflowClient(get_settings().mlflow_tracking_uri)
    parent_id = client.get_run(parent).data.tags["mlflow.parentRunId"]
    assert client.get_run(parent_id).info.status == "KILLED"


def test_a_late_shard_adds_nothing(mlaas_home: Path) -> None:
    spec = small_spec("churn", training__trials=3)
    frame = store_frame(spec, churn_frame(300))
    first = tune(spec, frame)
    assert tune_shard(spec, frame) == 0  # the budget is taken
    study = open_study(spec, frame.content_hash)
    assert len(study.trials) == 3 == first.n_trials


def test_trials_beyond_the_budget_claim_no_slot(mlaas_home: Path) -> None:
    """Two processes creating trials at once: the later-numbered one is surplus and fails."""
    from mlaas.training.tune import _claim_slot, _SurplusTrial

    spec = small_spec("churn", training__trials=1)
    frame = store_frame(spec, churn_frame(300))
    assert tune_shard(spec, frame, should_stop=lambda: True) == 0  # stop before any trial
    study = open_study(spec, frame.content_hash)
    study.ask()  # another process holds the only slot

    def objective(trial: optuna.Trial) -> float:
        _claim_slot(trial, 1)
        return 1.0

    study.optimize(objective, n_trials=5, catch=(_SurplusTrial,))
    late = study.trials[1:]
    assert len(late) == 1  # the surplus trial also stopped its process
    assert late[0].state == TrialState.FAIL and late[0].user_attrs["surplus"] is True
    assert tune_shard(spec, frame) == 0  # one running trial already fills the budget


def test_a_trial_killed_before_its_first_heartbeat_frees_its_slot(
    mlaas_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process killed between creating a trial and recording its heartbeat leaves a RUNNING
    trial Optuna never fails; the search fails it once it is old enough and runs its own."""
    import mlaas.training.tune as tuning

    spec = small_spec("churn", training__trials=1)
    frame = store_frame(spec, churn_frame(300))
    assert tune_shard(spec, frame, should_stop=lambda: True) == 0  # the study exists, no trial
    study = open_study(spec, frame.content_hash)
    dead = study.ask()  # created, then the process died: no heartbeat ever
    beating = study.ask()
    study._storage.record_heartbeat(beating._trial_id)  # type: ignore[attr-defined]
    monkeypatch.setattr(tuning, "FIRST_HEARTBEAT_GRACE_S", 0)
    tuning.fail_dead_trials(study)
    states = {t.number: t.state for t in open_study(spec, frame.content_hash).trials}
    assert states == {dead.number: TrialState.FAIL, beating.number: TrialState.RUNNING}
    study.tell(beating, state=TrialState.FAIL)  # free the slot the live one held

    held = open_study(spec, frame.content_hash).ask()  # dies before its heartbeat too
    result = tune(spec, frame)  # waits on the held slot until the trial is seen to be dead
    trials = open_study(spec, frame.content_hash).trials
    assert trials[held.number].state == TrialState.FAIL
    assert [t.state for t in trials].count(TrialState.COMPLETE) == 1 == result.n_trials


def test_secondary_objective_reports_the_pareto_front(mlaas_home: Path) -> None:
    spec = small_spec("churn", training__trials=5, training__secondary_objective="model_size")
    frame = store_frame(spec, churn_frame(300))
    result = tune(spec, frame)
    study = optuna.load_study(study_name=result.study_name, storage=get_settings().database_url)
    assert len(study.directions) == 2
    front = pareto_front(study)
    assert front and all(len(t.values) == 2 and t.values[1] > 0 for t in front)
    assert result.best_value == max(t.values[0] for t in front)
    client = MlflowClient(get_settings().mlflow_tracking_uri)
    parent = client.get_run(result.parent_run_id)
    logged = json.loads(parent.data.tags["mlaas.pareto_front"])
    assert [row["trial"] for row in logged] == sorted(t.number for t in front)
    assert parent.data.metrics["best_model_size"] > 0
