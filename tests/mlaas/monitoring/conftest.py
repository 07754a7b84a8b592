"""Monitoring core tests share one trained home (see helpers.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.mlaas.monitoring.helpers import clean_tables, home, prediction_service

__all__ = ["home"]


@pytest.fixture
def service(home: Path) -> Iterator[Any]:
    """The prediction service on the trained home, with empty monitoring tables and log."""
    svc = prediction_service()
    clean_tables()
    for model in ("churn", "house_prices"):
        svc.forget_routing(model)
    yield svc
