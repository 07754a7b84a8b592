"""Dependencies: the `monitor` scope every monitoring route needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from mlaas.auth import ApiKey
from services.common import api_limits, rate_limited

MonitorKey = Annotated[ApiKey, Depends(rate_limited("monitor", api_limits))]


def actor(key: ApiKey) -> str:
    return f"api-key:{key.prefix}"
