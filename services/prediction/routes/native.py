"""The native API: predict, batch predict, models, importance."""

from __future__ import annotations

from typing import Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from mlaas.serving.requests import PredictBody, parse_predict_request
from mlaas.serving.service import MAX_BATCH, Outcome, PredictionService
from mlaas.serving.typed import TypedRecords
from services.common import require_json
from services.contract import errors
from services.prediction.deps import PredictKey, ServiceDep
from services.prediction.responses import encode, json_response, mark, native_body, raw_json
from services.prediction.schemas import PredictResponse

router = APIRouter(prefix="/v1", tags=["predictions"], dependencies=[Depends(require_json)])
OK: dict[int | str, dict[str, Any]] = {
    200: {"model": PredictResponse, "description": "Predictions"}
}


# Both routes parse their body with mlaas.serving.requests (documented as PredictRequest).
BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/PredictRequest"}}
        },
    }
}


async def _body(request: Request, service: PredictionService, name: str) -> PredictBody:
    """The parsed body (mlaas.serving.requests raises the 400/422 itself)."""
    return parse_predict_request(await request.body(), service.record_schema(name))


@router.post("/models/{name}/predict", responses={**OK, **errors(404, 413)}, openapi_extra=BODY)
async def predict(name: str, key: PredictKey, service: ServiceDep, request: Request) -> Response:
    """Predict one record or a few (features inline or entity ids from the feature store)."""
    body = await _body(request, service, name)
    options: dict[str, Any] = {
        "routing_key": body.routing_key,
        "explain": body.explains,
        "explain_class": body.explain_class,
        "request_id": request.state.request_id,
    }
    if body.entity_ids is None:
        outcome = await service.predict_async(name, body.records(), **options)
    else:  # the Feast online store is read in a worker thread
        ids = list(body.entity_ids)
        outcome = await service.serve(
            lambda: service.predict(name, service.records_for_entities(name, ids), **options)
        )
    mark(request, outcome)
    return json_response(native_body(outcome))


@router.post(
    "/models/{name}/predict/batch", responses={**OK, **errors(404, 413)}, openapi_extra=BODY
)
async def predict_batch(
    name: str, key: PredictKey, service: ServiceDep, request: Request
) -> Response:
    """Predict up to 10,000 records in one call (no cache; scored as one matrix)."""
    body = await _body(request, service, name)
    rid = request.state.request_id
    await _room_in_the_log(service)
    if body.entity_ids is not None or body.explains:  # feature-store lookups, explanations

        def predict() -> Outcome:
            return service.predict(
                name,
                _records(service, name, body),
                routing_key=body.routing_key,
                explain=body.explains,
                explain_class=body.explain_class,
                request_id=rid,
                max_records=MAX_BATCH,
            )

        outcome = await anyio.to_thread.run_sync(predict)
    else:  # Python steps here, only the model (native code, no GIL) in a worker thread
        scoring = service.begin(
            name,
            body.records(),
            routing_key=body.routing_key,
            request_id=rid,
            max_records=MAX_BATCH,
        )
        scores = await service.scores_off_loop(scoring)
        outcome = service.finish(scoring, scores)
    mark(request, outcome)
    return raw_json(encode(native_body(outcome)))


LOG_WAIT_S = 5.0  # the longest a batch request waits for the prediction log to catch up


async def _room_in_the_log(service: Any) -> None:
    """Backpressure: while the prediction log is further behind than its bound, wait (at most
    LOG_WAIT_S), so a sustained overload runs at the pace the log is written instead of
    queueing rows in memory without limit."""
    if service.prediction_log.has_room:
        return
    deadline = anyio.current_time() + LOG_WAIT_S
    while not service.prediction_log.has_room and anyio.current_time() < deadline:
        await anyio.sleep(0.005)


def _records(service: Any, name: str, body: PredictBody) -> list[dict[str, Any]] | TypedRecords:
    if body.entity_ids is not None:
        records: list[dict[str, Any]] = service.records_for_entities(name, list(body.entity_ids))
        return records
    return body.records()
