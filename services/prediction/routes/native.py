"""The native API: predict, batch predict, models, importance."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mlaas.serving.service import MAX_BATCH
from services.common import require_json
from services.prediction.deps import PredictKey, ServiceDep
from services.prediction.responses import json_response, mark, native_body
from services.prediction.schemas import PredictRequest, PredictResponse

router = APIRouter(prefix="/v1", tags=["predictions"], dependencies=[Depends(require_json)])
OK = {200: {"model": PredictResponse, "description": "Predictions"}}


@router.post("/models/{name}/predict", responses=OK)
async def predict(
    name: str, body: PredictRequest, key: PredictKey, service: ServiceDep, request: Request
) -> Response:
    """Predict one record or a few (features inline or entity ids from the feature store)."""
    records = _records(service, name, body)
    outcome = service.predict(
        name,
        records,
        routing_key=body.routing_key,
        explain=body.explain,
        request_id=request.state.request_id,
    )
    mark(request, outcome)
    return json_response(native_body(outcome))


@router.post("/models/{name}/predict/batch", responses=OK)
def predict_batch(
    name: str, body: PredictRequest, key: PredictKey, service: ServiceDep, request: Request
) -> Response:
    """Predict up to 10,000 records in one call (no cache; scored as one matrix)."""
    outcome = service.predict(
        name,
        _records(service, name, body),
        routing_key=body.routing_key,
        explain=body.explain,
        request_id=request.state.request_id,
        max_records=MAX_BATCH,
    )
    mark(request, outcome)
    return json_response(native_body(outcome))


def _records(service: Any, name: str, body: PredictRequest) -> list[dict[str, Any]]:
    if body.entity_ids is not None:
        records: list[dict[str, Any]] = service.records_for_entities(name, list(body.entity_ids))
        return records
    return body.records()
