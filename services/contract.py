"""The services' error contract: every platform error (mlaas.errors) and every framework error
rendered by one handler in the shape of the route's protocol, and each route's OpenAPI entry
listing every error status it can answer with that shape's schema.

Native routes: {"error": {"code", "message", "fields"}}; the Open Inference Protocol (/v2):
{"error": "<message>"}; MLflow's scoring protocol (/invocations): {"error_code", "message"}.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from mlaas.db import new_request_id
from mlaas.errors import DatabaseUnavailable, PlatformError

REQUEST_ID_HEADER = "X-Request-ID"
log = logging.getLogger("mlaas.services")


class ApiError(PlatformError):
    """An error a route or dependency raises itself (auth, a missing file, a bad body) where no
    library error applies; rendered by the same handler as every platform error."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code = status, code
        self._fields = fields or []
        self._headers = headers or {}

    def field_problems(self) -> list[dict[str, str]]:
        return self._fields

    def headers(self) -> dict[str, str]:
        return self._headers


def error_body(
    code: str, message: str, fields: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields:
        error["fields"] = fields
    return {"error": error}


def request_id(request: Request) -> str:
    rid: str = getattr(request.state, "request_id", "") or new_request_id()
    return rid


# MLflow's scoring server answers errors as {"error_code", "message"} with these codes.
MLFLOW_CODES = {400: "BAD_REQUEST", 404: "RESOURCE_DOES_NOT_EXIST", 413: "BAD_REQUEST"}


def render_error(request: Request, error: PlatformError) -> JSONResponse:
    """Any platform error as JSON, in the body format of the protocol the client speaks:
    native routes {"error": {"code", "message", "fields"}}; the Open Inference Protocol (/v2)
    {"error": "<message>"}; MLflow's scoring protocol (/invocations) {"error_code", "message"}
    (plus our code as "error")."""
    headers = {REQUEST_ID_HEADER: request_id(request), **error.headers()}
    message = error.describe()
    path = request.url.path
    body: dict[str, Any]
    if path.startswith("/v2"):
        body = {"error": message}
    elif path.endswith("/invocations"):
        mlflow_code = MLFLOW_CODES.get(error.status, "INVALID_PARAMETER_VALUE")
        body = {"error_code": mlflow_code, "message": message, "error": error.code}
    else:
        body = error_body(error.code, message, error.field_problems())
    request.state.error_code = error.code
    return JSONResponse(body, error.status, headers=headers)


# -- the error contract: schemas and the statuses each route documents --------------------------


class FieldProblemBody(BaseModel):
    field: str = Field(description="Where: a body path (records[3].age), a query parameter")
    problem: str


class ErrorDetail(BaseModel):
    code: str = Field(description="Machine code, e.g. invalid_features, model_not_found")
    message: str = Field(description="What is wrong, for people")
    fields: list[FieldProblemBody] | None = Field(None, description="Each field at fault")


class ErrorBody(BaseModel):
    """Every error of the native routes."""

    error: ErrorDetail


class OipErrorBody(BaseModel):
    """Errors of the Open Inference Protocol routes (/v2), as the protocol defines them."""

    error: str


class MlflowErrorBody(BaseModel):
    """Errors of MLflow's scoring protocol (/invocations): its code and message, plus ours."""

    error_code: str
    message: str
    error: str


BODY_METHODS = ("POST", "PUT", "PATCH")
STATUS_MEANING = {
    400: "Malformed request (not JSON, or not the protocol's shape)",
    401: "No API key, or an unknown or revoked one",
    403: "The API key lacks the scope this route needs",
    404: "What the path names does not exist",
    409: "Conflicts with what is stored",
    413: "The body is larger than MLAAS_MAX_BODY_BYTES, or carries more records than one call may",
    415: "The body is not application/json",
    422: "The request is well-formed but invalid; `fields` names each problem",
    429: "Over the key's rate limit (retry after `Retry-After` seconds) or quota",
    503: "Not ready, or a server it depends on is down",
}

Handler = TypeVar("Handler", bound=Callable[..., Any])


def answers(*statuses: int) -> Callable[[Handler], Handler]:
    """Mark a dependency with the error statuses it answers; every route that uses it documents
    them (document_errors), so a status is declared where it is raised."""

    def mark(function: Handler) -> Handler:
        function.error_statuses = statuses  # type: ignore[attr-defined]
        return function

    return mark


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for the error statuses a route raises itself (its dependencies add theirs)."""
    return {status: {"description": STATUS_MEANING[status]} for status in statuses}


def documented(
    model: type[BaseModel], *error_statuses: int, status: int = 200, description: str = "OK"
) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route that builds its JSON itself (with `response_model=None`): the
    schema of its answer, and the error statuses it raises itself."""
    return {status: {"model": model, "description": description}, **errors(*error_statuses)}


def _dependency_statuses(dependant: Any) -> set[int]:
    found: set[int] = set()
    for sub in dependant.dependencies:
        found |= set(getattr(sub.call, "error_statuses", ()))
        found |= _dependency_statuses(sub)
    return found


def _error_schema(path: str) -> type[BaseModel]:
    if path.startswith("/v2"):
        return OipErrorBody
    if path.endswith("/invocations"):
        return MlflowErrorBody
    return ErrorBody


def document_errors(app: FastAPI) -> None:
    """Every route's OpenAPI entry lists each error status it can answer, with the body schema
    of its protocol: those it declares (`responses=errors(...)`), those its dependencies raise
    (`@answers`), 400, 413 and 422 for routes that read a body, 422 for parameters. The one
    error schema replaces FastAPI's default validation schema, which these services never
    send."""
    from fastapi.routing import APIRoute

    plan: dict[tuple[str, str], tuple[list[int], type[BaseModel]]] = {}
    for route in app.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        declared = _dependency_statuses(route.dependant)
        declared |= {
            status
            for status, entry in route.responses.items()
            if isinstance(status, int) and status >= 400 and not {"model", "content"} & set(entry)
        }
        if route.dependant.path_params or route.dependant.query_params:
            declared.add(422)
        for method in route.methods:
            statuses = set(declared)
            if method not in BODY_METHODS:  # require_json lets bodiless methods through
                statuses.discard(415)
            elif route.body_field is not None or 415 in statuses:
                # malformed JSON; a body over MLAAS_MAX_BODY_BYTES; one that does not validate
                statuses |= {400, 413, 422}
            plan[(route.path_format, method.lower())] = (
                sorted(statuses),
                _error_schema(route.path_format),
            )
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        bodies: tuple[type[BaseModel], ...] = (ErrorBody, OipErrorBody, MlflowErrorBody)
        for body_model in bodies:
            body = body_model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(body.pop("$defs", {}))
            components[body_model.__name__] = body
        for (path, method), (statuses, model) in plan.items():
            responses = schema["paths"][path][method]["responses"]
            for status in statuses:
                responses[str(status)] = {
                    "description": STATUS_MEANING.get(status, "Error"),
                    "content": {
                        "application/json": {
                            "schema": {"$ref": f"#/components/schemas/{model.__name__}"}
                        }
                    },
                }
        text = json.dumps(schema)
        for unused in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{unused}" not in text:
                components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def allowed_methods(request: Request) -> list[str]:
    """The methods some route of the app serves on this request's path."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "GET"})
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def install_error_handlers(app: FastAPI) -> None:
    """The one place errors become HTTP answers: every platform error (mlaas.errors) by its own
    code and status, and the framework's validation and routing errors in the same shape."""

    @app.exception_handler(PlatformError)
    async def _platform(request: Request, error: PlatformError) -> JSONResponse:
        return render_error(request, error)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> JSONResponse:
        if any(item.get("type") == "json_invalid" for item in error.errors()):
            return render_error(
                request, ApiError(400, "malformed_json", "the request body is not valid JSON")
            )
        fields = []
        for item in error.errors():
            loc = [str(p) for p in item.get("loc", ()) if p != "body"]
            fields.append({"field": ".".join(loc) or "body", "problem": str(item.get("msg"))})
        invalid = ApiError(422, "invalid_request", "the request is invalid", fields=fields)
        return render_error(request, invalid)

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_down(request: Request, error: DBAPIError) -> JSONResponse:
        # Connection-level DB errors only (a constraint or a bad value stays a 500: a bug).
        # The driver's message names host and port, so it is logged, never answered.
        log.warning("platform DB unavailable on %s: %s", request.url.path, error.orig)
        down = DatabaseUnavailable("the platform database does not answer; try again shortly")
        return render_error(request, down)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}
        code = codes.get(error.status_code, "http_error")
        headers = dict(error.headers or {})
        if error.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed_methods(request))
        return render_error(
            request, ApiError(error.status_code, code, str(error.detail), headers=headers)
        )
