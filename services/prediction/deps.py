"""Dependencies: the one PredictionService of this process, and the per-key rate limit."""

from __future__ import annotations

from functools import partial
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Request

from mlaas.auth import ApiKey
from mlaas.serving.ratelimit import RateLimiter, ceil_seconds
from mlaas.serving.service import PredictionService
from mlaas.settings import get_settings
from services.common import require_scope
from services.contract import ApiError, answers


async def get_service(request: Request) -> PredictionService:
    service: PredictionService = request.app.state.service
    return service


async def get_limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.limiter
    return limiter


ServiceDep = Annotated[PredictionService, Depends(get_service)]


@answers(429)
async def predict_key(
    key: Annotated[ApiKey, Depends(require_scope("predict"))],
    limiter: Annotated[RateLimiter, Depends(get_limiter)],
) -> ApiKey:
    """A `predict` key that is within its rate limit (429 with Retry-After otherwise)."""
    settings = get_settings()
    check = partial(
        limiter.allow, key.id, rate_per_s=settings.serving_rate_per_s, burst=settings.serving_burst
    )
    # The Redis token bucket is a network round trip: off the event loop (memory: inline).
    remote = limiter.backend != "memory"
    allowed, retry_after = await anyio.to_thread.run_sync(check) if remote else check()
    if not allowed:
        seconds = ceil_seconds(retry_after)
        raise ApiError(
            429,
            "rate_limited",
            f"rate limit of {settings.serving_rate_per_s:g}/s (burst {settings.serving_burst}) "
            f"exceeded for key {key.prefix}; retry in {seconds}s",
            headers={"Retry-After": str(seconds)},
        )
    return key


PredictKey = Annotated[ApiKey, Depends(predict_key)]
AdminKey = Annotated[ApiKey, Depends(require_scope("admin"))]
