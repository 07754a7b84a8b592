"""Dependencies: the caller's key by scope, and the Airflow client of this process."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from mlaas.auth import ApiKey
from services.common import api_limits, rate_limited, require_scope

TrainKey = Annotated[ApiKey, Depends(rate_limited("train", api_limits))]
AdminKey = Annotated[ApiKey, Depends(require_scope("admin"))]


def actor(key: ApiKey) -> str:
    """How audit rows name the caller."""
    return f"api-key:{key.prefix}"
