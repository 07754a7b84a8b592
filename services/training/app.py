"""The training service: `uvicorn services.training.app:app --port 8001`.

Jobs run on Celery workers (`mlaas worker`); this process only stores, queues, reads and
streams them, and reaps jobs whose worker died.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from services.common import (
    install_request_ids,
    install_request_metrics,
    platform_ops_router,
    start_logging,
)
from services.contract import document_errors, install_error_handlers
from services.training.metrics import REGISTRY, TrainingCollector
from services.training.routes import jobs, keys, pipelines, registry, specs

log = logging.getLogger("mlaas.training")


def _reap_forever(stop: threading.Event) -> None:
    from mlaas.jobs.reaper import reap
    from mlaas.settings import get_settings

    while not stop.wait(get_settings().training_reap_every_s):
        try:
            reap()
        except Exception:  # the next round retries; never kill the service
            log.warning("reaping training jobs failed", exc_info=True)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from mlaas.db import get_engine

    logs = start_logging()  # structured, with request ids (mlaas.logs)
    get_engine()  # create the tables before the first request
    app.state.metrics_registry = CollectorRegistry()
    app.state.metrics_registry.register(TrainingCollector())
    stop = threading.Event()
    reaper = threading.Thread(target=_reap_forever, args=(stop,), name="reaper", daemon=True)
    reaper.start()
    yield
    stop.set()
    logs.stop()


app = FastAPI(
    title="MLaaS training service",
    version="1",
    description=(
        "Training jobs on Celery workers (submit, watch live, cancel), pipeline runs through "
        "Airflow, the model registry (compare, promote, roll back) and the audit trail. "
        "Scopes: `train` for everything but alias moves, which need `admin`."
    ),
    lifespan=lifespan,
)


install_request_metrics(app, "training")
install_request_ids(app)
install_error_handlers(app)


for router in (
    jobs.router,
    pipelines.router,
    registry.router,
    keys.router,
    specs.router,
    platform_ops_router(REGISTRY),
):
    app.include_router(router)
document_errors(app)  # after every route is in: each declares the errors it answers
