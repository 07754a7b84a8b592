"""What is served: models, versions, signatures, lineage, importance, routing."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from mlaas.registry import list_versions
from mlaas.serving.routing import get_routing, set_routing
from services.contract import documented
from services.prediction.deps import AdminKey, PredictKey, ServiceDep
from services.prediction.schemas import (
    Importance,
    ModelDetail,
    Routing,
    RoutingRequest,
    ServedModels,
)

router = APIRouter(prefix="/v1/models", tags=["models"])


@router.get("", response_model=None, responses=documented(ServedModels))
def served_models(key: PredictKey, service: ServiceDep) -> dict[str, Any]:
    """Every served model with the versions its aliases point at."""
    served = service.pool.served()
    return {
        "models": [
            {"name": m, "aliases": a} for m, a in sorted(served.items()) if key.allows_model(m)
        ]
    }


@router.get("/{name}", response_model=None, responses=documented(ModelDetail, 404))
def model_detail(name: str, key: PredictKey, service: ServiceDep) -> dict[str, Any]:
    """Versions (aliases, holdout metrics, lineage) and the champion's input signature."""
    champion = service.predictor(name)
    versions = [
        {
            "version": v.version,
            "aliases": v.aliases,
            "metrics": {k: m for k, m in v.metrics.items() if k.startswith("holdout_")},
            "lineage": v.lineage(),
        }
        for v in list_versions(name)
    ]
    return {
        "name": name,
        "task": champion.task,
        "served": service.pool.served().get(name, {}),
        "signature": champion.signature(),
        "routing": get_routing(name).model_dump(mode="json"),
        "versions": versions,
    }


@router.get("/{name}/importance", response_model=None, responses=documented(Importance, 404))
def importance(name: str, key: PredictKey, service: ServiceDep) -> dict[str, Any]:
    """Global feature importance of the champion (sums to 1)."""
    champion = service.predictor(name)
    return {"model": name, "version": champion.version, "importance": champion.importance()}


@router.put("/{name}/routing", response_model=None, responses=documented(Routing, 404))
def update_routing(
    name: str, body: RoutingRequest, key: AdminKey, service: ServiceDep
) -> dict[str, Any]:
    """Split traffic between champion and challenger, and/or shadow the challenger (admin)."""
    service.predictor(name)  # 404 for a model that is not served
    config = set_routing(
        name,
        challenger_weight=body.challenger_weight,
        shadow=body.shadow,
        actor=f"api-key:{key.prefix}",
        reason=body.reason,
    )
    service.forget_routing(name)
    return config.model_dump(mode="json")
