"""A home with two registered churn versions (small specs), the training app and API keys."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.factories import reset_platform_caches, small_spec


@dataclass(frozen=True)
class Keys:
    train: str
    admin: str
    predict: str


@pytest.fixture(scope="package")
def trained_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from mlaas.data.churn import generate_churn
    from mlaas.pipeline import run_pipeline
    from mlaas.tasks import celery_app

    home = tmp_path_factory.mktemp("training") / "home"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLAAS_HOME", str(home))
        patch.setenv("MLAAS_AIRFLOW_API_URL", "http://127.0.0.1:9")  # nothing listens there
        patch.setenv("MLAAS_AIRFLOW_PASSWORD", "test")
        for var in ("MLAAS_DATABASE_URL", "MLAAS_OBJECT_STORE_URL", "MLAAS_REDIS_URL"):
            patch.delenv(var, raising=False)
        reset_platform_caches()
        celery_app.cache_clear()
        source = home.parent / "churn.parquet"
        home.mkdir(parents=True)
        generate_churn(800, seed=5).to_parquet(source, index=False)
        run_pipeline(small_spec("churn"), source=str(source))
        run_pipeline(small_spec("churn", training__trials=2), source=str(source))
        yield home
    reset_platform_caches()
    celery_app.cache_clear()


@pytest.fixture(scope="package")
def keys(trained_home: Path) -> Keys:
    from mlaas.auth import create_key

    return Keys(
        train=create_key("test-train", ["train"])[0],
        admin=create_key("test-admin", ["admin"])[0],
        predict=create_key("test-predict", ["predict"])[0],
    )


@pytest.fixture(scope="package")
def client(trained_home: Path, keys: Keys) -> Iterator[TestClient]:
    from services.training.app import app

    with TestClient(app) as test_client:
        yield test_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
