"""Health, readiness, metrics and reload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.common import metrics_response
from services.contract import ApiError, documented, errors
from services.prediction.deps import AdminKey, ServiceDep
from services.prediction.metrics import REGISTRY
from services.prediction.schemas import Reloaded

router = APIRouter(tags=["operations"])


@router.get("/health/live")
def live() -> dict[str, str]:
    """The process answers."""
    return {"status": "alive"}


@router.get("/health/ready", responses=errors(503))
def ready(service: ServiceDep) -> dict[str, Any]:
    """Ready once every champion is loaded (503 before)."""
    if not service.pool.ready:
        raise ApiError(503, "not_ready", "models are still loading")
    return {"status": "ready", "models": service.pool.served()}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    return metrics_response(request, REGISTRY)


@router.post("/admin/reload", tags=["admin"], response_model=None, responses=documented(Reloaded))
def reload(key: AdminKey, service: ServiceDep) -> dict[str, Any]:
    """Re-read the registry aliases now and swap in what changed (admin)."""
    changes = service.pool.refresh()
    return {"changes": changes, "served": service.pool.served()}
