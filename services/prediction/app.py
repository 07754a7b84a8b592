"""The prediction service: `uvicorn services.prediction.app:app --port 8000`."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.types import Scope

from mlaas.serving.pool import fail_fast_registry_reads
from mlaas.serving.ratelimit import RateLimiter
from mlaas.serving.service import PredictionService
from mlaas.settings import get_settings
from services.common import install_request_ids, install_request_metrics, start_logging
from services.contract import document_errors, install_error_handlers
from services.http_metrics import route_of
from services.prediction.metrics import LATENCY, REQUESTS, ServiceCollector
from services.prediction.routes import compat, jobs, models, native, ops


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    logs = start_logging()  # structured, with request ids (mlaas.logs)
    fail_fast_registry_reads()  # MLflow down at start: not ready, but up (and polling)
    service = PredictionService.from_settings(settings)
    service.pool.refresh()  # load every champion before the first request
    service.pool.start(settings.serving_poll_s)
    app.state.service = service
    app.state.limiter = RateLimiter(settings.redis_url or None)
    app.state.metrics_registry = CollectorRegistry()
    app.state.metrics_registry.register(ServiceCollector(service))
    app.state.http_metrics.known_models = service.pool.served  # errors labelled by model
    # Everything loaded so far (libraries, models) lives as long as the process: move it out of
    # the collector's reach, or each full collection re-scans millions of objects (~100 ms pauses).
    gc.collect()
    gc.freeze()
    yield
    service.close()  # flushes the prediction log
    logs.stop()


app = FastAPI(
    title="MLaaS prediction service",
    version="1",
    description="Online, batch and protocol-compatible predictions from the model registry.",
    lifespan=lifespan,
)


def record_request(scope: Scope, status: int, seconds: float) -> None:
    """Requests and latency by model, version and variant, for requests a model answered (the
    shared request metrics count every request, errors by code and model included)."""
    labels = scope.get("state", {}).get("metric_labels")
    if labels is None:
        return
    model, version, variant = labels
    route = route_of(scope)
    REQUESTS.labels(route, model, version, variant, str(status)).inc()
    LATENCY.labels(route, model, version, variant).observe(seconds)


install_request_metrics(app, "prediction", record_request)
install_request_ids(app)
install_error_handlers(app)
for router in (
    native.router,
    jobs.router,
    models.router,
    compat.mlflow_router,
    compat.v2_router,
    ops.router,
):
    app.include_router(router)
document_errors(app)  # after every route is in: each declares the errors it answers
