"""Dependencies: the `monitor` scope every monitoring route needs."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from mlaas.auth import ApiKey
from services.common import require_scope

MonitorKey = Annotated[ApiKey, Depends(require_scope("monitor"))]


def actor(key: ApiKey) -> str:
    return f"api-key:{key.prefix}"
