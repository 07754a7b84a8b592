"""The Celery app and its tasks: long work off the request path.

Broker and result backend come from settings: Redis on the full stack; without a server, kombu's
SQLAlchemy transport on a SQLite file (polled every 100 ms instead of kombu's default second).
Start a worker with `mlaas worker`.
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
    return app


def score_records(model: str, records: list[dict[str, Any]], request_id: str) -> dict[str, Any]:
    """Score records with the current champion (an async prediction); logged like online ones."""
    from mlaas.serving.batch import score_records as score

    return score(model, records, request_id=request_id)


def score_file(model: str, key: str) -> dict[str, Any]:
    """Score a parquet/csv file in the object store; the scored parquet is written next to it."""
    from mlaas.serving.batch import score_file as score

    return score(model, key)
