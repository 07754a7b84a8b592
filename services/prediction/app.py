"""The prediction service: `uvicorn services.prediction.app:app --port 8000`."""

from __future__ import annotations

import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlaas.serving.ratelimit import RateLimiter
from mlaas.serving.service import PredictionService
from mlaas.settings import get_settings
from services.common import install_error_handlers, install_request_ids
from services.prediction import errors
from services.prediction.metrics import ERRORS, LATENCY, REQUESTS, ServiceCollector
from services.prediction.routes import compat, jobs, models, native, ops


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings = get_settings()
    service = PredictionService.from_settings(settings)
    service.pool.refresh()  # load every champion before the first request
    service.pool.start(settings.serving_poll_s)
    app.state.service = service
    app.state.limiter = RateLimiter(settings.redis_url or None)
    app.state.metrics_registry = CollectorRegistry()
    app.state.metrics_registry.register(ServiceCollector(service))
    # Everything loaded so far (libraries, models) lives as long as the process: move it out of
    # the collector's reach, or each full collection re-scans millions of objects (~100 ms pauses).
    gc.collect()
    gc.freeze()
    yield
    service.close()  # flushes the prediction log


app = FastAPI(
    title="MLaaS prediction service",
    version="1",
    description="Online, batch and protocol-compatible predictions from the model registry.",
    lifespan=lifespan,
)


class MetricsMiddleware:
    """Pure ASGI: counts and times every request by route, model, version and variant."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            state = scope.get("state", {})
            route = getattr(scope.get("route"), "path", "unmatched")
            model, version, variant = state.get("metric_labels", ("", "", ""))
            REQUESTS.labels(route, model, version, variant, str(status[0])).inc()
            LATENCY.labels(route, model, version, variant).observe(time.perf_counter() - started)
            if status[0] >= 400:
                ERRORS.labels(route, state.get("error_code", str(status[0]))).inc()


app.add_middleware(MetricsMiddleware)
install_request_ids(app)
install_error_handlers(app)
errors.install(app)
for router in (
    native.router,
    jobs.router,
    models.router,
    compat.mlflow_router,
    compat.v2_router,
    ops.router,
):
    app.include_router(router)
