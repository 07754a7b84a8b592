"""Platform errors as HTTP answers, in the body format of the protocol the client speaks.

Native routes: {"error": {"code", "message", "fields"}}; Open Inference Protocol (/v2):
{"error": "<message>"}; MLflow scoring protocol (/invocations): {"error_code", "message"}.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mlaas.registry import RegistryError
from mlaas.serving.explain import ExplanationUnavailable
from mlaas.serving.protocols import ProtocolError
from mlaas.serving.schema import InputError
from mlaas.serving.service import BatchTooLarge, ModelNotServed, NoDefaultModel, UnknownEntity
from services.common import REQUEST_ID_HEADER, ApiError, error_body

MLFLOW_CODES = {400: "BAD_REQUEST", 404: "RESOURCE_DOES_NOT_EXIST", 413: "BAD_REQUEST"}


def render(request: Request, error: ApiError) -> JSONResponse:
    headers = {REQUEST_ID_HEADER: getattr(request.state, "request_id", ""), **error.headers}
    path = request.url.path
    if path.startswith("/v2"):
        body: dict[str, object] = {"error": error.message}
    elif path.endswith("/invocations"):
        code = MLFLOW_CODES.get(error.status, "INVALID_PARAMETER_VALUE")
        body = {"error_code": code, "message": error.message, "error": error.code}
    else:
        body = error_body(error.code, error.message, error.fields)
    request.state.error_code = error.code
    return JSONResponse(body, error.status, headers=headers)


def as_api_error(error: Exception) -> ApiError:
    """The HTTP status and machine code of each platform error."""
    if isinstance(error, InputError):
        fields = [{"field": p.field, "problem": p.problem} for p in error.problems]
        return ApiError(422, "invalid_features", str(error), fields=fields)
    if isinstance(error, ModelNotServed | RegistryError):
        return ApiError(404, "model_not_found", str(error).strip("'\""))
    if isinstance(error, UnknownEntity):
        return ApiError(404, "unknown_entity", str(error).strip("'\""))
    if isinstance(error, BatchTooLarge):
        status = 422 if "at least one" in str(error) else 413
        return ApiError(status, "batch_size", str(error))
    if isinstance(error, ExplanationUnavailable):
        return ApiError(422, "explanation_unavailable", str(error))
    if isinstance(error, NoDefaultModel):
        return ApiError(400, "no_default_model", str(error))
    if isinstance(error, ProtocolError):
        return ApiError(400, "bad_request", str(error))
    raise TypeError(f"no HTTP mapping for {type(error).__name__}")


PLATFORM_ERRORS = (
    InputError,
    ModelNotServed,
    RegistryError,
    UnknownEntity,
    BatchTooLarge,
    ExplanationUnavailable,
    ProtocolError,
    NoDefaultModel,
)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, error: ApiError) -> JSONResponse:
        return render(request, error)

    for kind in PLATFORM_ERRORS:

        @app.exception_handler(kind)
        async def _platform(request: Request, error: Exception) -> JSONResponse:
            return render(request, as_api_error(error))
