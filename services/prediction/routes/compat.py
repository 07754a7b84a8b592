"""Drop-in protocols: MLflow's scoring server and the Open Inference Protocol v2.

Errors follow each protocol (see services.prediction.errors): MLflow's {"error_code",
"message"} and v2's {"error": "..."}.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel

import mlaas
from mlaas.serving.protocols import (
    V2_TYPES,
    mlflow_predictions,
    records_from_csv,
    records_from_mlflow,
    records_from_v2,
    v2_binary_request,
    v2_output_specs,
    v2_outputs,
    v2_requested_outputs,
)
from mlaas.serving.requests import read_json
from mlaas.serving.service import PredictionService
from services.common import check_model, media_type, require_json, require_json_or_csv
from services.contract import ApiError, documented
from services.prediction.deps import PredictKey, ServiceDep
from services.prediction.responses import json_response, mark
from services.prediction.schemas import (
    MlflowPredictions,
    V2InferResponse,
    V2ModelMetadata,
    V2ModelReady,
    V2ServerMetadata,
)

# The bodies these routes read by hand (request.json()), declared for the OpenAPI document.
MLFLOW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "One of MLflow's scoring input formats",
                    "properties": {
                        "dataframe_split": {
                            "type": "object",
                            "properties": {
                                "columns": {"type": "array", "items": {"type": "string"}},
                                "data": {"type": "array", "items": {"type": "array"}},
                            },
                            "required": ["columns", "data"],
                        },
                        "dataframe_records": {"type": "array", "items": {"type": "object"}},
                        "instances": {"type": "array"},
                        "inputs": {"type": ["object", "array"]},
                    },
                    "minProperties": 1,
                }
            },
            "text/csv": {
                "schema": {
                    "type": "string",
                    "description": "A header row of feature names, then one record per line "
                    "(read as MLflow's server reads it: pandas.read_csv)",
                }
            },
        },
    }
}
MODEL_NAME_HEADER = {
    "name": "X-Model-Name",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The model to score when several are served (default: the default model)",
}
BINARY_HEADER = {
    "name": "Inference-Header-Content-Length",
    "in": "header",
    "required": False,
    "schema": {"type": "integer", "minimum": 0},
    "description": (
        "Triton's binary tensor extension: the body is this many bytes of JSON request, then "
        "the raw data of each input whose parameters give a binary_data_size"
    ),
}
V2_DATATYPES = [
    "BOOL",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "UINT8",
    "UINT16",
    "UINT32",
    "UINT64",
    "FP16",
    "FP32",
    "FP64",
    "BYTES",
]
V2_INFER_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "description": "An Open Inference Protocol v2 inference request",
                    "required": ["inputs"],
                    "properties": {
                        "id": {"type": "string"},
                        "parameters": {"type": "object"},
                        "inputs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name", "shape", "datatype", "data"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "shape": {"type": "array", "items": {"type": "integer"}},
                                    "datatype": {"type": "string", "enum": V2_DATATYPES},
                                    "data": {"type": "array"},
                                },
                            },
                        },
                        "outputs": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {"name": {"type": "string"}},
                            },
                        },
                    },
                }
            }
        },
    }
}

mlflow_router = APIRouter(tags=["mlflow protocol"])
v2_router = APIRouter(prefix="/v2", tags=["open inference protocol v2"])


async def _json(request: Request) -> Any:
    """The body as JSON values (`mlaas.serving.requests.read_json`)."""
    return read_json(await request.body())


# -- MLflow scoring server -----------------------------------------------------------------


@mlflow_router.get(
    "/ping",
    response_class=PlainTextResponse,
    responses={503: {"description": "Models are still loading", "content": {"text/plain": {}}}},
)
def ping(service: ServiceDep) -> Response:
    """MLflow's health check: 200 once models are loaded (the body is a newline, as MLflow's)."""
    return PlainTextResponse("\n", 200 if service.pool.ready else 503)


@mlflow_router.get("/version", response_class=PlainTextResponse)
def version() -> Response:
    """The server version, as plain text (as MLflow answers its own)."""
    return PlainTextResponse(mlaas.__version__)


@mlflow_router.post(
    "/invocations",
    dependencies=[Depends(require_json_or_csv)],
    response_model=None,
    responses=documented(MlflowPredictions, 404, 413),
    openapi_extra={**MLFLOW_BODY, "parameters": [MODEL_NAME_HEADER]},
)
async def invocations(request: Request, key: PredictKey, service: ServiceDep) -> Response:
    """Score a model with MLflow's input formats: the one named by `X-Model-Name`, else the
    default (MLAAS_SERVING_DEFAULT_MODEL, or the only model served)."""
    named = request.headers.get("x-model-name")  # read here: no per-request header validation
    model = named or service.default_model()
    check_model(key, model)
    return await _invoke(request, service, model)


@mlflow_router.post(
    "/v1/models/{name}/invocations",
    dependencies=[Depends(require_json_or_csv)],
    response_model=None,
    responses=documented(MlflowPredictions, 404, 413),
    openapi_extra=MLFLOW_BODY,
)
async def model_invocations(
    name: str, request: Request, key: PredictKey, service: ServiceDep
) -> Response:
    """Score a named model with MLflow's input formats."""
    return await _invoke(request, service, name)


async def _invoke(request: Request, service: PredictionService, model: str) -> Response:
    if media_type(request) == "text/csv":
        records = records_from_csv(await request.body())
    else:
        records = records_from_mlflow(await _json(request))
    rid = request.state.request_id
    outcome = await service.predict_async(model, records, request_id=rid)
    mark(request, outcome)
    return json_response(mlflow_predictions(outcome.prediction))


# -- Open Inference Protocol v2 ------------------------------------------------------------


@v2_router.get("", response_model=None, responses=documented(V2ServerMetadata))
async def server_metadata() -> dict[str, Any]:
    """Server metadata."""
    return {"name": "mlaas", "version": mlaas.__version__, "extensions": []}


@v2_router.get("/health/live")
async def v2_live() -> dict[str, bool]:
    """Liveness."""
    return {"live": True}


class V2Ready(BaseModel):
    ready: bool


@v2_router.get(
    "/health/ready",
    response_model=V2Ready,
    responses={503: {"model": V2Ready, "description": "Not every champion is loaded yet"}},
)
async def v2_ready(service: ServiceDep) -> Response:
    """Readiness: every champion loaded."""
    ready = service.pool.ready
    return json_response({"ready": ready}, 200 if ready else 503)


@v2_router.get("/models/{name}", response_model=None, responses=documented(V2ModelMetadata, 404))
@v2_router.get(
    "/models/{name}/versions/{version}",
    response_model=None,
    responses=documented(V2ModelMetadata, 404),
)
async def v2_model_metadata(
    name: str, service: ServiceDep, key: PredictKey, version: str | None = None
) -> Any:
    """Model metadata: inputs (one tensor per feature) and outputs."""
    predictor = service.predictor(name, service.variant_for_version(name, version))
    inputs = [
        {"name": f.name, "datatype": V2_TYPES.get(f.type, "BYTES"), "shape": [-1]}
        for f in predictor.spec.features
    ]
    served = service.pool.served()[name]
    return {
        "name": name,
        "versions": sorted(set(served.values())),
        "platform": "mlaas",
        "inputs": inputs,
        "outputs": v2_output_specs(predictor.labels),
    }


@v2_router.get(
    "/models/{name}/ready", response_model=None, responses=documented(V2ModelReady, 404)
)
@v2_router.get(
    "/models/{name}/versions/{version}/ready",
    response_model=None,
    responses=documented(V2ModelReady, 404),
)
async def v2_model_ready(
    name: str, service: ServiceDep, key: PredictKey, version: str | None = None
) -> Any:
    """Whether that model (version) is loaded."""
    service.variant_for_version(name, version)
    return {"name": name, "ready": True}


@v2_router.post(
    "/models/{name}/infer",
    dependencies=[Depends(require_json)],
    response_model=None,
    responses=documented(V2InferResponse, 404, 413),
    openapi_extra={**V2_INFER_BODY, "parameters": [BINARY_HEADER]},
)
@v2_router.post(
    "/models/{name}/versions/{version}/infer",
    dependencies=[Depends(require_json)],
    response_model=None,
    responses=documented(V2InferResponse, 404, 413),
    openapi_extra={**V2_INFER_BODY, "parameters": [BINARY_HEADER]},
)
async def v2_infer(
    name: str, request: Request, service: ServiceDep, key: PredictKey, version: str | None = None
) -> Any:
    """Inference with v2 tensors (JSON, or Triton's binary tensor extension); the request id
    is echoed."""
    header_length = request.headers.get("inference-header-content-length")
    if header_length is None:
        payload = await _json(request)
    elif header_length.isdigit():
        payload = v2_binary_request(await request.body(), int(header_length))
    else:
        raise ApiError(400, "bad_request", "Inference-Header-Content-Length must be a number")
    variant = service.variant_for_version(name, version)
    predictor = service.predictor(name, variant)
    types = {f.name: f.type for f in predictor.spec.features}
    records = records_from_v2(payload, feature_types=types)
    requested = v2_requested_outputs(payload, predictor.labels)
    request_id = str(payload.get("id") or request.state.request_id)
    outcome = await service.predict_async(name, records, request_id=request_id, variant=variant)
    mark(request, outcome)
    return json_response(
        {
            "model_name": name,
            "model_version": outcome.version,
            "id": request_id,
            "outputs": v2_outputs(
                outcome.prediction, predictor.labels, predictor.classes, requested
            ),
        }
    )
