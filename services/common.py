"""What every service shares: JSON errors with a machine code, API-key auth, request ids,
request metrics and health routes.

Errors always look like {"error": {"code": "...", "message": "...", "fields": [...]}} — and the
Open Inference Protocol and MLflow routes answer in their protocols' own shapes (render_error).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, BeforeValidator, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlaas.auth import ApiKey, AuthError, CachedVerifier
from mlaas.db import new_request_id
from mlaas.errors import PlatformError
from mlaas.logs import LogListener, configure_logging, current_request_id, log_access
from mlaas.settings import get_settings

log = logging.getLogger("mlaas.service")

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]+")


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
    413: "More records than one call may carry",
    415: "The body is not application/json",
    422: "The request is well-formed but invalid; `fields` names each problem",
    429: "Over the key's rate limit; retry after `Retry-After` seconds",
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
    (`@answers`), 400 and 422 for routes that read parameters or a body. The one error schema
    replaces FastAPI's default validation schema, which these services never send."""
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
                statuses |= {400, 422}  # malformed JSON; a body that does not validate
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


def _iso_datetime(value: Any) -> Any:
    """Query datetimes as the schema says (ISO 8601): a bare number is not a time here, though
    pydantic would read it as seconds since 1970."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_datetime)]


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

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        headers = dict(error.headers or {})
        if error.status_code == 405:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed_methods(request))
        return render_error(
            request, ApiError(error.status_code, code, str(error.detail), headers=headers)
        )


class RequestIdMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): a request id in, the same id out.

    A client's X-Request-ID is kept when it is short and plain; otherwise a UUID is made.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        rid = given if 0 < len(given) <= 64 and _SAFE_ID.fullmatch(given) else new_request_id()
        scope.setdefault("state", {})["request_id"] = rid
        header = (REQUEST_ID_HEADER.lower().encode(), rid.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != header[0]]
                message["headers"] = [*headers, header]
            await send(message)

        token = current_request_id.set(rid)  # every log line of this request carries it
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)


def install_request_ids(app: FastAPI) -> None:
    app.add_middleware(RequestIdMiddleware)


@answers(415)
async def require_json(request: Request) -> None:
    """415 for a body that is not JSON (GET and empty bodies pass). On the Open Inference
    Protocol routes a body without a Content-Type is read as JSON, as KServe and Triton do
    (tritonclient sends none)."""
    if request.method in BODY_METHODS:
        content_type = request.headers.get("content-type", "")
        if not content_type and request.url.path.startswith("/v2/"):
            return
        if not content_type.split(";")[0].strip().endswith("json"):
            raise ApiError(
                415,
                "unsupported_media_type",
                f"send the body as application/json (got {content_type or 'no content type'!r})",
            )


_verify = CachedVerifier()


# The two ways to send a key, declared as security schemes: OpenAPI documents them (the docs'
# "Authorize" button) and FastAPI hands them the raw headers, with no per-request validation.
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the key itself")


def require_scope(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """Dependency: the caller's API key (Bearer or X-API-Key header), which must allow `scope`."""

    @answers(401, 403)
    async def dependency(
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        x_api_key: Annotated[str | None, Depends(_api_key_header)],
    ) -> ApiKey:
        token = x_api_key or (bearer.credentials.strip() if bearer else "")
        if not token:
            raise ApiError(
                401,
                "missing_api_key",
                "send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        try:
            key = _verify(token)
        except AuthError as error:
            raise ApiError(
                401, "invalid_api_key", str(error), headers={"WWW-Authenticate": "Bearer"}
            ) from None
        if not key.allows(scope):
            raise ApiError(
                403,
                "insufficient_scope",
                f"this key has scopes {list(key.scopes)}; this call needs '{scope}'",
            )
        return key

    return dependency


# -- metrics and health, shared by the services -----------------------------------------------

RecordRequest = Callable[[Scope, int, float], None]


class RequestMetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): after every HTTP request, calls
    `record(scope, status, seconds)`; the service decides which metrics and labels."""

    def __init__(self, app: ASGIApp, record: RecordRequest) -> None:
        self.app, self.record = app, record

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
            seconds = time.perf_counter() - started
            self.record(scope, status[0], seconds)
            # The access line; for predictions with the model, version and variant that answered.
            labels = scope.get("state", {}).get("metric_labels")
            log_access(scope["method"], scope["path"], status[0], seconds, labels)


def start_logging() -> LogListener:
    """Structured logs for a service process (mlaas.logs), from the settings; returns the
    listener to stop at shutdown (it writes what is still queued)."""
    settings = get_settings()
    return configure_logging(settings.log_level, settings.log_format, access=settings.access_log)


def route_of(scope: Scope) -> str:
    """The matched route template (`/v1/models/{name}`), so labels stay few."""
    return str(getattr(scope.get("route"), "path", "unmatched"))


def metrics_response(request: Request, registry: CollectorRegistry) -> Response:
    """The module registry (counters) plus the app's scrape-time collectors."""
    body = generate_latest(registry) + generate_latest(request.app.state.metrics_registry)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


def platform_ops_router(registry: CollectorRegistry) -> APIRouter:
    """/health/live, /health/ready (the platform DB answers) and /metrics, for services whose
    every answer comes from the platform DB."""
    from sqlalchemy import text

    from mlaas.db import get_engine

    router = APIRouter(tags=["operations"])

    @router.get("/health/live")
    def live() -> dict[str, str]:
        """The process answers."""
        return {"status": "alive"}

    @router.get("/health/ready", responses=errors(503))
    def ready() -> dict[str, Any]:
        """Ready when the platform DB answers (503 otherwise)."""
        try:
            with get_engine().connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any DB failure means "not ready"
            raise ApiError(503, "not_ready", f"platform DB unavailable: {error}") from None
        return {"status": "ready"}

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:
        return metrics_response(request, registry)

    return router
