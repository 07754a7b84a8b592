"""Monitoring errors as HTTP answers ({"error": {"code", "message", "fields"}})."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mlaas.monitoring.alerts import RuleError
from mlaas.monitoring.context import UnknownModel, WindowError
from mlaas.monitoring.feedback import FeedbackError
from mlaas.monitoring.webhooks import WebhookError
from services.common import REQUEST_ID_HEADER, ApiError, error_body


def as_api_error(error: Exception) -> ApiError:
    if isinstance(error, UnknownModel):
        return ApiError(404, "model_not_found", str(error))
    if isinstance(error, WindowError):
        fields = [{"field": error.field, "problem": error.message}]
        return ApiError(422, "invalid_window", str(error), fields=fields)
    if isinstance(error, FeedbackError):
        fields = [{"field": p.location, "problem": p.problem} for p in error.problems]
        return ApiError(422, "invalid_feedback", str(error), fields=fields)
    if isinstance(error, RuleError | WebhookError):
        code = "invalid_rule" if isinstance(error, RuleError) else "invalid_webhook"
        status = 409 if isinstance(error, RuleError) and error.field == "name" else 422
        fields = [{"field": error.field, "problem": error.message}]
        return ApiError(status, code, str(error), fields=fields)
    raise TypeError(f"no HTTP mapping for {type(error).__name__}")


PLATFORM_ERRORS = (UnknownModel, WindowError, FeedbackError, RuleError, WebhookError)


def install(app: FastAPI) -> None:
    for kind in PLATFORM_ERRORS:

        @app.exception_handler(kind)
        async def _platform(request: Request, error: Exception) -> JSONResponse:
            api = as_api_error(error)
            request.state.error_code = api.code
            headers = {REQUEST_ID_HEADER: getattr(request.state, "request_id", "")}
            return JSONResponse(
                error_body(api.code, api.message, api.fields), api.status, headers=headers
            )
