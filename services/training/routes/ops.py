"""Health, readiness and metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from mlaas.db import get_engine
from services.common import ApiError
from services.training.metrics import REGISTRY

router = APIRouter(tags=["operations"])


@router.get("/health/live")
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "alive"}


@router.get("/health/ready")
def ready() -> dict[str, Any]:
    """Ready when the platform DB answers (jobs are stored there)."""
    try:
        with get_engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any DB failure means "not ready"
        raise ApiError(503, "not_ready", f"platform DB unavailable: {error}") from None
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    body = generate_latest(REGISTRY) + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
