"""The monitoring app on the shared trained home (tests/mlaas/monitoring/helpers.py), with keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.mlaas.monitoring.helpers import clean_tables, home, prediction_service

__all__ = ["home"]


@dataclass(frozen=True)
class Keys:
    monitor: str
    predict: str


@pytest.fixture(scope="module")
def keys(home: Path) -> Keys:
    from mlaas.auth import create_key

    return Keys(
        monitor=create_key("test-monitor", ["monitor"])[0],
        predict=create_key("test-predict", ["predict"])[0],
    )


@pytest.fixture(scope="module")
def client(home: Path, keys: Keys) -> Iterator[TestClient]:
    from services.monitoring.app import app

    with TestClient(app) as test_client:
        test_client.headers["Authorization"] = f"Bearer {keys.monitor}"
        yield test_client


@pytest.fixture
def service(home: Path) -> Any:
    """The prediction service that writes the log, with empty monitoring tables and log."""
    svc = prediction_service()
    clean_tables()
    for model in ("churn", "house_prices"):
        svc.forget_routing(model)
    return svc
