"""Shared fixtures: every test gets its own embedded home folder (SQLite, local lake, MLflow)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import reset_platform_caches


@pytest.fixture
def mlaas_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh MLAAS_HOME with all stores on their embedded defaults."""
    home = tmp_path / "mlaas-home"
    monkeypatch.setenv("MLAAS_HOME", str(home))
    for var in (
        "MLAAS_DATABASE_URL",
        "MLAAS_OBJECT_STORE_URL",
        "MLAAS_MLFLOW_TRACKING_URI",
        "MLAAS_MLFLOW_ARTIFACT_ROOT",
        "MLAAS_REDIS_URL",
    ):
        monkeypatch.delenv(var, raising=False)
    reset_platform_caches()
    yield home
    reset_platform_caches()
