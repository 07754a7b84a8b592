"""A home with both reference models trained (small specs), a running app and API keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.factories import home_env, small_spec


@dataclass(frozen=True)
class Keys:
    predict: str
    admin: str
    monitor: str


@pytest.fixture(scope="module")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from mlaas.data.churn import generate_churn
    from mlaas.pipeline import run_pipeline

    home = tmp_path_factory.mktemp("serving") / "home"
    with home_env(home):
        source = home.parent / "churn.parquet"
        home.mkdir(parents=True)
        generate_churn(1500, seed=5).to_parquet(source, index=False)
        run_pipeline(small_spec("churn"), source=str(source))
        run_pipeline(small_spec("house_prices"))
        yield home


@pytest.fixture(scope="module")
def keys(trained_home: Path) -> Keys:
    from mlaas.auth import create_key

    return Keys(
        predict=create_key("test-predict", ["predict"])[0],
        admin=create_key("test-admin", ["admin"])[0],
        monitor=create_key("test-monitor", ["monitor"])[0],
    )


@pytest.fixture(scope="module")
def client(trained_home: Path, keys: Keys) -> Iterator[TestClient]:
    from services.prediction.app import app

    with home_env(trained_home), TestClient(app) as test_client:
        yield test_client
