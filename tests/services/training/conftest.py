"""A home with two registered churn versions (small specs), the training app and API keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.factories import home_env, small_spec


@dataclass(frozen=True)
class Keys:
    train: str
    admin: str
    predict: str


AIRFLOW_DOWN = {
    "MLAAS_AIRFLOW_API_URL": "http://127.0.0.1:9",  # nothing listens there
    "MLAAS_AIRFLOW_PASSWORD": "test",
}
_TRAINED: list[Path] = []


def _trained(factory: pytest.TempPathFactory) -> Path:
    """Train once per test process; the package's modules may run apart in a random order."""
    if _TRAINED:
        return _TRAINED[0]
    from mlaas.data.churn import generate_churn
    from mlaas.pipeline import run_pipeline

    home = factory.mktemp("training") / "home"
    with home_env(home, **AIRFLOW_DOWN):
        source = home.parent / "churn.parquet"
        home.mkdir(parents=True)
        generate_churn(800, seed=5).to_parquet(source, index=False)
        run_pipeline(small_spec("churn"), source=str(source))
        run_pipeline(small_spec("churn", training__trials=2), source=str(source))
    _TRAINED.append(home)
    return home


@pytest.fixture(scope="module")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with home_env(_trained(tmp_path_factory), **AIRFLOW_DOWN) as home:
        yield home


@pytest.fixture(scope="module")
def keys(trained_home: Path) -> Keys:
    from mlaas.auth import create_key

    return Keys(
        train=create_key("test-train", ["train"])[0],
        admin=create_key("test-admin", ["admin"])[0],
        predict=create_key("test-predict", ["predict"])[0],
    )


@pytest.fixture(scope="module")
def client(trained_home: Path, keys: Keys) -> Iterator[TestClient]:
    from services.training.app import app

    with TestClient(app) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
