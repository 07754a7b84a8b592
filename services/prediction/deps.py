"""Dependencies: the one PredictionService of this process, and the per-key rate limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from mlaas.auth import ApiKey
from mlaas.serving.service import PredictionService
from mlaas.settings import Settings
from services.common import rate_limited, require_scope


async def get_service(request: Request) -> PredictionService:
    service: PredictionService = request.app.state.service
    return service


ServiceDep = Annotated[PredictionService, Depends(get_service)]


def serving_limits(settings: Settings) -> tuple[float, int]:
    return settings.serving_rate_per_s, settings.serving_burst


predict_key = rate_limited("predict", serving_limits)


PredictKey = Annotated[ApiKey, Depends(predict_key)]
AdminKey = Annotated[ApiKey, Depends(require_scope("admin"))]
