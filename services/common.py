"""What every service shares: API-key auth, request ids, request metrics and health routes
(the error contract is services/contract.py).

Errors always look like {"error": {"code": "...", "message": "...", "fields": [...]}} — and the
Open Inference Protocol and MLflow routes answer in their protocols' own shapes (render_error).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.responses import Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BeforeValidator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mlaas.auth import ApiKey, AuthError, CachedVerifier
from mlaas.db import new_request_id
from mlaas.logs import LogListener, configure_logging, current_request_id, log_access
from mlaas.observability import runtime_registry
from mlaas.serving.ratelimit import RateLimiter, ceil_seconds
from mlaas.settings import Settings, get_settings
from services.contract import (
    BODY_METHODS,
    REQUEST_ID_HEADER,
    ApiError,
    answers,
    errors,
)
from services.http_metrics import HttpMetrics
from services.summary import Caller, RequestSummary, RequestWindow

log = logging.getLogger("mlaas.service")

_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]+")


def _iso_datetime(value: Any) -> Any:
    """Query datetimes as the schema says (ISO 8601): a bare number is not a time here, though
    pydantic would read it as seconds since 1970."""
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError("expected an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z")
    return value


IsoDatetime = Annotated[datetime, BeforeValidator(_iso_datetime)]


# On every answer of every service: no MIME sniffing, never framed (clickjacking), no referrer
# sent on. (No script policy: the services' /docs pages load Swagger UI.)
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"referrer-policy", b"no-referrer"),
)


class RequestIdMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): a request id in, the same id out, and the
    security headers on every answer.

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
                message["headers"] = [*headers, header, *SECURITY_HEADERS]
            await send(message)

        token = current_request_id.set(rid)  # every log line of this request carries it
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)


class BodyLimitMiddleware:
    """Pure ASGI: a request body larger than `max_bytes` is refused while it streams in, never
    read whole. A declared Content-Length over the limit fails at the first read, before a
    byte is taken; a body without one fails as soon as the bytes received pass the limit. The
    413 is raised inside the route's read, so each protocol's error shape applies."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    def _too_large(self) -> HTTPException:
        return HTTPException(
            413,
            f"the request body is larger than {self.max_bytes} bytes (MLAAS_MAX_BODY_BYTES); "
            "send large data as a file (score-file) or in several requests",
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:

            async def refuse() -> Message:
                raise self._too_large()

            await self.app(scope, refuse, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        await self.app(scope, counted, send)


def install_request_ids(app: FastAPI) -> None:
    """Request ids on every request and answer, and the body size limit."""
    app.add_middleware(BodyLimitMiddleware, max_bytes=get_settings().max_body_bytes)
    app.add_middleware(RequestIdMiddleware)


def media_type(request: Request) -> str:
    """The body's media type without parameters (`text/csv; charset=utf-8` -> `text/csv`)."""
    return request.headers.get("content-type", "").split(";")[0].strip()


@answers(415)
async def require_json(request: Request) -> None:
    """415 for a body that is not JSON (GET and empty bodies pass). On the Open Inference
    Protocol routes a body without a Content-Type is read as JSON, as KServe and Triton do
    (tritonclient sends none), and so is a body in Triton's binary tensor extension."""
    if request.method in BODY_METHODS:
        content_type = request.headers.get("content-type", "")
        binary = "inference-header-content-length" in request.headers
        if (binary or not content_type) and request.url.path.startswith("/v2/"):
            return
        if not content_type.split(";")[0].strip().endswith("json"):
            raise ApiError(
                415,
                "unsupported_media_type",
                f"send the body as application/json (got {content_type or 'no content type'!r})",
            )


@answers(415)
async def require_json_or_csv(request: Request) -> None:
    """415 unless the body is JSON or `text/csv` (MLflow's scoring protocol takes both)."""
    if request.method in BODY_METHODS and media_type(request) != "text/csv":
        await require_json(request)


_verify = CachedVerifier()


def forget_cached_keys() -> None:
    """After a revoke: this process checks every key against the DB again."""
    _verify.clear()


# The two ways to send a key, declared as security schemes: OpenAPI documents them (the docs'
# "Authorize" button) and FastAPI hands them the raw headers, with no per-request validation.
_bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer <key>`")
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="the key itself")


# Path parameters that name a model (or its spec, which has the model's name).
MODEL_PARAMS = ("name", "spec")


def check_model(key: ApiKey, model: str) -> None:
    """403 `model_not_allowed` when the key is limited to other models."""
    if not key.allows_model(model):
        raise ApiError(
            403,
            "model_not_allowed",
            f"this key is limited to models {list(key.models or ())}; not {model!r}",
        )


def require_scope(scope: str | None) -> Callable[..., Awaitable[ApiKey]]:
    """Dependency: the caller's API key (Bearer or X-API-Key header), which must allow `scope`
    (None: any valid key)."""

    @answers(401, 403, 503)
    async def dependency(
        request: Request,
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
        try:  # a key not remembered is read from the DB in a worker thread
            key = await _verify.verify_async(token)
        except AuthError as error:
            raise ApiError(
                401, "invalid_api_key", str(error), headers={"WWW-Authenticate": "Bearer"}
            ) from None
        if scope is not None and not key.allows(scope):
            raise ApiError(
                403,
                "insufficient_scope",
                f"this key has scopes {list(key.scopes)}; this call needs '{scope}'",
            )
        model = next(
            (request.path_params[p] for p in MODEL_PARAMS if p in request.path_params), ""
        )
        if model:
            check_model(key, str(model))
        return key

    dependency.required_scope = scope or "any key"  # type: ignore[attr-defined]

    return dependency


# -- metrics and health, shared by the services -----------------------------------------------

RecordRequest = Callable[[Scope, int, float], None]


class RequestMetricsMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware overhead): after every HTTP request, records the
    uniform request metrics (services/http_metrics.py), the service's own (`record`, if any)
    and the recent-traffic window, and writes the access line."""

    def __init__(
        self,
        app: ASGIApp,
        http: HttpMetrics,
        record: RecordRequest | None,
        window: RequestWindow,
    ) -> None:
        self.app, self.http, self.record, self.window = app, http, record, window

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.http.watch_event_loop()
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
            self.http.record(scope, status[0], seconds)
            if self.record is not None:
                self.record(scope, status[0], seconds)
            self.window.record(scope["path"], status[0], seconds)
            # The access line; for predictions with the model, version and variant that answered.
            labels = scope.get("state", {}).get("metric_labels")
            log_access(scope["method"], scope["path"], status[0], seconds, labels)


def install_request_metrics(
    app: FastAPI, service: str, record: RecordRequest | None = None
) -> None:
    """Request metrics under the names every service shares, the process/runtime collectors and
    build info (`app.state.http_registry`), the service's own metrics (`record`), the
    recent-traffic window behind `/v1/summary`, and the routes every service answers to any
    valid key (`/v1/me`, `/v1/summary`)."""
    window = RequestWindow()
    app.state.http_registry = runtime_registry(service)
    http = app.state.http_metrics = HttpMetrics(service, app.state.http_registry)
    app.add_middleware(RequestMetricsMiddleware, http=http, record=record, window=window)
    app.include_router(_caller_and_summary_router(service, window))


AnyKey = Annotated[ApiKey, Depends(require_scope(None))]


def _caller_and_summary_router(service: str, window: RequestWindow) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/v1/me")
    def me(key: AnyKey) -> Caller:
        """Who the key is and what it may do (the dashboard shows pages by its scopes)."""
        return Caller(
            name=key.name, prefix=key.prefix, scopes=list(key.scopes), created_at=key.created_at
        )

    @router.get("/v1/summary")
    def summary(key: AnyKey) -> RequestSummary:
        """Request rate, error rates and p50/p99 latency over the last minute."""
        return window.summary(service)

    return router


def start_logging() -> LogListener:
    """Structured logs for a service process (mlaas.logs), from the settings; returns the
    listener to stop at shutdown (it writes what is still queued)."""
    settings = get_settings()
    return configure_logging(settings.log_level, settings.log_format, access=settings.access_log)


def metrics_response(request: Request, registry: CollectorRegistry) -> Response:
    """The service's module registry (its counters), the shared request metrics with the
    process collectors and build info, and the app's scrape-time collectors."""
    state = request.app.state
    body = b"".join(
        generate_latest(r) for r in (state.http_registry, registry, state.metrics_registry)
    )
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


def _limiter(app: Any) -> RateLimiter:
    """The app's per-key token buckets (in Redis when MLAAS_REDIS_URL is set), made once."""
    limiter: RateLimiter | None = getattr(app.state, "limiter", None)
    if limiter is None:
        limiter = app.state.limiter = RateLimiter(get_settings().redis_url or None)
    return limiter


def rate_limited(
    scope: str, limits: Callable[[Settings], tuple[float, int]]
) -> Callable[..., Awaitable[ApiKey]]:
    """Dependency: a key with `scope` (require_scope) that is within its rate limit,
    `limits(settings)` = (requests per second, burst); 429 with Retry-After otherwise."""

    scoped = Depends(require_scope(scope))  # a default, not Annotated: a postponed (string)
    # annotation could not name this local dependency

    @answers(429)
    async def dependency(request: Request, key: ApiKey = scoped) -> ApiKey:
        limiter = _limiter(request.app)
        rate, burst = limits(get_settings())
        allowed, retry_after = await limiter.allow_async(key.id, rate_per_s=rate, burst=burst)
        if not allowed:
            seconds = ceil_seconds(retry_after)
            raise ApiError(
                429,
                "rate_limited",
                f"rate limit of {rate:g}/s (burst {burst}) exceeded for key {key.prefix}; "
                f"retry in {seconds}s",
                headers={"Retry-After": str(seconds)},
            )
        return key

    return dependency


def api_limits(settings: Settings) -> tuple[float, int]:
    """The training and monitoring services' per-key limit."""
    return settings.api_rate_per_s, settings.api_burst


def route_scopes(app: FastAPI) -> list[tuple[str, str, str]]:
    """(method, path, scope) of every documented route: the scope its key dependency requires,
    "any key", or "none" (no key: health probes, metrics, the OpenAPI document)."""
    from fastapi.routing import APIRoute

    def required(dependant: Any) -> str | None:
        for sub in dependant.dependencies:
            scope = getattr(sub.call, "required_scope", None) or required(sub)
            if scope:
                return str(scope)
        return None

    rows = []
    for route in app.routes:
        if isinstance(route, APIRoute) and route.include_in_schema:
            scope = required(route.dependant) or "none"
            rows += [(method, route.path, scope) for method in sorted(route.methods)]
    return sorted(rows, key=lambda row: (row[1], row[0]))
