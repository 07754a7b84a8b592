"""The monitoring service: `uvicorn services.monitoring.app:app --port 8002`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlaas.db import get_engine
from services.common import install_error_handlers, install_request_ids
from services.monitoring import errors
from services.monitoring.metrics import LATENCY, REQUESTS, SnapshotCollector
from services.monitoring.routes import alerts, feedback, models, ops


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    get_engine()  # create the monitoring tables before the first request
    app.state.metrics_registry = CollectorRegistry()
    app.state.metrics_registry.register(SnapshotCollector())
    yield


app = FastAPI(
    title="MLaaS monitoring service",
    version="1",
    description=(
        "Data and prediction drift against each model's training reference, live performance "
        "from late ground truth, alert rules with webhooks, and the retrain decisions of the "
        "monitoring DAG. Every route needs an API key with the `monitor` scope."
    ),
    lifespan=lifespan,
)


class MetricsMiddleware:
    """Pure ASGI: counts and times every request by route template and status."""

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
            route = getattr(scope.get("route"), "path", "unmatched")
            REQUESTS.labels(route, str(status[0])).inc()
            LATENCY.labels(route).observe(time.perf_counter() - started)


app.add_middleware(MetricsMiddleware)
install_request_ids(app)
install_error_handlers(app)
errors.install(app)
for router in (feedback.router, models.router, alerts.router, ops.router):
    app.include_router(router)
