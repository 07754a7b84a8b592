"""The monitoring service: `uvicorn services.monitoring.app:app --port 8002`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from mlaas.db import get_engine
from services.common import (
    install_request_ids,
    install_request_metrics,
    platform_ops_router,
    start_logging,
)
from services.contract import document_errors, install_error_handlers
from services.monitoring.metrics import REGISTRY, SnapshotCollector
from services.monitoring.routes import alerts, feedback, models


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    logs = start_logging()  # structured, with request ids (mlaas.logs)
    get_engine()  # create the monitoring tables before the first request
    app.state.metrics_registry = CollectorRegistry()
    snapshots = SnapshotCollector()
    app.state.metrics_registry.register(snapshots)
    app.state.http_metrics.known_models = snapshots.champions  # errors labelled by model
    yield
    logs.stop()


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


install_request_metrics(app, "monitoring")
install_request_ids(app)
install_error_handlers(app)
for router in (feedback.router, models.router, alerts.router, platform_ops_router(REGISTRY)):
    app.include_router(router)
document_errors(app)  # after every route is in: each declares the errors it answers
