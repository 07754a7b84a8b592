"""Training jobs on real Celery worker processes (embedded SQLite broker): success, a dataset
that fails validation, cancellation between trials, a worker killed mid-job, two workers
sharing one study."""

from __future__ import annotations

import os
from collections.abc import Iterator

import optuna
import pytest
from optuna.trial import TrialState

from mlaas.jobs import store
from mlaas.jobs.overrides import JobOverrides
from tests.mlaas.jobs.platform import Platform, platform_env, wait_until, write_platform


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    platform = write_platform(tmp_path_factory.mktemp("jobs"))
    with platform_env(platform):
        from mlaas.db import get_engine

        get_engine()  # tables first: two processes creating them at once race on SQLite
        platform.start_worker("worker-a")
        try:
            yield platform
        finally:
            platform.stop_workers()


def finished(job_id: str, timeout_s: float = 120) -> store.Job:
    wait_until(lambda: store.get_job(job_id).terminal, timeout_s)
    return store.get_job(job_id)


def study_trials(job: store.Job) -> list[optuna.trial.FrozenTrial]:
    from mlaas.training.tune import optuna_storage

    assert job.study_name
    return optuna.load_study(study_name=job.study_name, storage=optuna_storage()).trials


def counted(trials: list[optuna.trial.FrozenTrial]) -> int:
    return sum(t.state in (TrialState.COMPLETE, TrialState.PRUNED) for t in trials)


def registered_versions() -> int:
    from mlaas.registry import RegistryError, list_versions

    try:
        return len(list_versions("churn"))
    except RegistryError:
        return 0


def test_invalid_dataset_fails_the_job_and_registers_nothing(platform: Platform) -> None:
    from mlaas.data.churn import ChurnDrift, generate_churn

    before = registered_versions()
    bad = platform.root / "churn-bad.parquet"
    drift = ChurnDrift(missing_rate=0.4)
    generate_churn(300, seed=4, drift=drift).to_parquet(bad, index=False)
    job, _ = store.submit("churn", JobOverrides(dataset_path=str(bad)), actor="test")
    done = finished(job.id)
    assert done.state == "failed"
    assert done.error and done.error.startswith("DataValidationError")
    assert "expect" in done.error  # names the failed expectations
    assert done.registered_version is None and done.study_name is None
    assert registered_versions() == before


def test_cancel_stops_between_trials_and_keeps_finished_ones(platform: Platform) -> None:
    from mlaas.jobs.progress import job_progress

    job, _ = store.submit("churn", JobOverrides(trials=300), actor="test")
    wait_until(lambda: job_progress(store.get_job(job.id))["trials_done"] >= 2, 120)
    store.request_cancel(job.id, actor="test")
    done = finished(job.id)
    assert done.state == "cancelled" and done.cancel_requested
    assert done.registered_version is None
    trials = study_trials(done)
    assert 2 <= counted(trials) < 300  # partial results are kept in the study
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    with pytest.raises(store.JobConflict, match="already cancelled"):
        store.request_cancel(job.id, actor="test")


def test_two_workers_share_one_study_and_finish_the_budget_once(platform: Platform) -> None:
    from mlaas.jobs.progress import job_progress
    from mlaas.registry import CHAMPION, get_version, version_for_alias

    before = registered_versions()  # other tests of the module may have registered some
    platform.start_worker("worker-c")
    job, created = store.submit("churn", JobOverrides(trials=12, parallelism=2), actor="test")
    assert created and job.state == "queued"
    done = finished(job.id, 180)
    assert done.state == "succeeded", done.error
    assert done.attempts == 1 and done.registered_version == str(before + 1)
    champion = version_for_alias("churn", CHAMPION)
    assert champion is not None
    assert done.champion == (champion.version == done.registered_version)
    assert done.champion or before  # the first version of a model always becomes champion
    assert done.started_at and done.finished_at and done.finished_at >= done.started_at
    progress = job_progress(done)
    assert progress["trials_done"] == 12 == progress["trials_total"]
    assert progress["best_value"] is not None and 0.5 < progress["best_value"] <= 1.0
    version = get_version("churn", done.registered_version)
    assert version.tags["mlaas.trigger"] == f"job:{job.id}"
    assert version.run_id == done.mlflow_run_id
    trials = study_trials(done)
    assert counted(trials) == 12
    assert not [t for t in trials if t.state == TrialState.RUNNING]
    ran = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
    workers = {t.user_attrs.get("worker") for t in ran}
    assert len(workers) == 2, workers  # both processes ran trials of the one study


def test_worker_killed_mid_job_resumes_the_study(platform: Platform) -> None:
    """SIGKILL the whole worker during tuning: the next worker reaps and resumes the job."""
    from mlaas.jobs.progress import job_progress

    job, _ = store.submit("churn", JobOverrides(trials=6), actor="test")
    wait_until(lambda: job_progress(store.get_job(job.id))["trials_done"] >= 2, 120)
    victim = store.get_job(job.id)
    assert victim.state == "running" and victim.attempts == 1 and victim.worker_process
    group = os.getpgid(int(victim.worker_process.split(":")[0]))
    worker = next(w for w in platform.workers if w.pid == group)  # the one running the job
    platform.workers.remove(worker)
    platform.kill_worker(worker)
    assert store.get_job(job.id).state == "running"  # nobody has noticed yet
    platform.start_worker("worker-b")  # reaps on start: the dead attempt's job is requeued
    done = finished(job.id, 180)
    assert done.state == "succeeded", done.error
    assert done.attempts == 2 and done.study_name == victim.study_name
    trials = study_trials(done)
    assert counted(trials) == 6  # the budget, exactly: finished trials were not redone
    assert not [t for t in trials if t.state == TrialState.RUNNING]
