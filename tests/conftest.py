"""Shared fixtures: every test gets its own embedded home folder (SQLite, local lake, MLflow)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.factories import reset_platform_caches

PROJECT_DIR = Path(__file__).resolve().parents[1]

# Airflow reads its configuration when first imported: point it at a throw-away home and our
# dags/ before any test module imports it.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="mlaas-test-airflow-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(PROJECT_DIR / "dags")
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__LOGGING__LOGGING_LEVEL"] = "WARNING"
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")


@pytest.fixture(scope="session")
def airflow_db() -> Path:
    """Airflow's SQLite metadata DB, migrated once per test session (~5 s)."""
    subprocess.run(
        [str(Path(sys.executable).parent / "airflow"), "db", "migrate"],
        check=True,
        capture_output=True,
        env=dict(os.environ),
    )
    return _AIRFLOW_HOME


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
