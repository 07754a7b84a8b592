"""Training jobs on the full-stack stores: Redis as the Celery broker, PostgreSQL as the platform
DB and Optuna storage; two real worker processes search one study and finish its budget once."""

from __future__ import annotations

from pathlib import Path

import optuna
from optuna.trial import TrialState

from mlaas.jobs import store
from mlaas.jobs.overrides import JobOverrides
from tests.mlaas.jobs.platform import platform_env, wait_until, write_platform


def test_two_workers_on_redis_and_postgres(
    tmp_path: Path, redis_database: str, postgres_database_url: str
) -> None:
    from mlaas.jobs.progress import job_progress
    from mlaas.training.tune import optuna_storage

    platform = write_platform(
        tmp_path,
        MLAAS_DATABASE_URL=postgres_database_url,
        MLAAS_CELERY_BROKER_URL=redis_database,
        MLAAS_CELERY_RESULT_BACKEND=redis_database,
    )
    with platform_env(platform):
        from mlaas.db import get_engine

        get_engine()
        try:
            platform.start_worker("worker-1")
            platform.start_worker("worker-2")
            from mlaas.jobs.broker_stats import worker_count

            assert worker_count(timeout_s=3.0) == 2  # Redis broadcasts: both answer a ping
            job, _ = store.submit("churn", JobOverrides(trials=10, parallelism=2), actor="it")
            wait_until(lambda: store.get_job(job.id).terminal, 240)
            done = store.get_job(job.id)
            assert done.state == "succeeded", done.error
            assert done.registered_version == "1"
            assert job_progress(done)["trials_done"] == 10
            assert done.study_name
            trials = optuna.load_study(study_name=done.study_name, storage=optuna_storage()).trials
            ran = [t for t in trials if t.state in (TrialState.COMPLETE, TrialState.PRUNED)]
            assert len(ran) == 10
            assert len({t.user_attrs["worker"] for t in ran}) == 2
            assert get_engine().dialect.name == "postgresql"
        finally:
            platform.stop_workers()
