"""The Celery app and its tasks: long work off the request path.

Broker and result backend come from settings: Redis on the full stack; without a server, kombu's
SQLAlchemy transport on a SQLite file (polled every 100 ms instead of kombu's default second).
Start a worker with `mlaas worker`. Training jobs (`mlaas.train_job`) and the tuning shards they
fan out (`mlaas.tune_shard`) run here too; a starting worker first reaps jobs whose worker died.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from celery import Celery

from mlaas.settings import get_settings


@lru_cache(maxsize=1)
def celery_app() -> Celery:
    """Built on first use (no settings are read when this module is imported)."""
    settings = get_settings()
    if settings.celery_broker_url.startswith("sqla+"):
        import kombu.transport.sqlalchemy as sqla

        settings.home.mkdir(parents=True, exist_ok=True)
        # broker_transport_options={"polling_interval": ...} crashes the worker (FACTS.md).
        sqla.Transport.polling_interval = 0.1
    app = Celery(
        "mlaas", broker=settings.celery_broker_url, backend=settings.celery_result_backend
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_track_started=True,
        result_extended=True,
        broker_connection_retry_on_startup=True,
    )
    app.task(name="mlaas.score_records")(score_records)
    app.task(name="mlaas.score_file")(score_file)
    app.task(name="mlaas.train_job", bind=True)(train_job)
    app.task(name="mlaas.tune_shard")(tune_shard)
    from celery.signals import worker_init, worker_ready

    worker_init.connect(_preload, weak=False)
    worker_ready.connect(_reap_on_start, weak=False)
    return app


def _preload(**_: Any) -> None:
    """Import the training stack before the pool forks: a tuning shard starts trials at once
    instead of spending its first seconds importing (the children share the pages)."""
    import lightgbm  # noqa: F401
    import mlflow  # noqa: F401
    import optuna  # noqa: F401
    import sklearn.ensemble  # noqa: F401
    import sklearn.linear_model  # noqa: F401


def _reap_on_start(**_: Any) -> None:
    """Jobs of a worker that died (this host's previous run, say) are picked up again now:
    training jobs and async prediction jobs."""
    import threading

    from mlaas.jobs.reaper import reap
    from mlaas.serving.batch import recover_lost_jobs

    threading.Thread(target=reap, name="reap-training-jobs", daemon=True).start()
    threading.Thread(target=recover_lost_jobs, name="recover-prediction-jobs", daemon=True).start()


def score_records(model: str, records: list[dict[str, Any]], request_id: str) -> dict[str, Any]:
    """Score records with the current champion (an async prediction); logged like online ones."""
    from mlaas.serving.batch import score_records as score

    return score(model, records, request_id=request_id)


def score_file(model: str, key: str) -> dict[str, Any]:
    """Score a parquet/csv file in the object store; the scored parquet is written next to it."""
    from mlaas.serving.batch import score_file as score

    return score(model, key)


def train_job(task: Any, job_id: str) -> dict[str, Any]:
    """Run a training job (mlaas.jobs.runner); safe to deliver twice."""
    from mlaas.jobs.runner import run_job

    return run_job(job_id, task_id=task.request.id)


def tune_shard(job_id: str, spec: dict[str, Any], frame: dict[str, Any]) -> dict[str, Any]:
    """Search a running job's Optuna study from this worker too."""
    from mlaas.jobs.runner import run_shard

    return run_shard(job_id, spec, frame)
