"""Settings: embedded defaults under one home, URLs from the environment, no placeholders."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from mlaas.settings import Settings, get_settings, init_home

PROJECT_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No MLAAS_* variable from the outer environment leaks in; no cached settings leak out."""
    for name in list(os.environ):
        if name.startswith("MLAAS_"):
            monkeypatch.delenv(name)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_put_every_embedded_store_under_home(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    clean_env.setenv("MLAAS_HOME", str(home))
    settings = Settings()
    assert settings.home == home
    assert settings.database_url == f"sqlite:///{home}/platform.db"
    assert settings.object_store_url == f"file://{home}/lake"
    assert settings.mlflow_tracking_uri == f"sqlite:///{home}/mlflow.db"
    assert settings.mlflow_artifact_root == f"file://{home}/mlartifacts"
    assert settings.celery_broker_url == f"sqla+sqlite:///{home}/celery-broker.db"
    assert settings.celery_result_backend == f"db+sqlite:///{home}/celery.db"
    assert settings.airflow_home == home / "airflow"
    assert settings.redis_url == ""
    assert settings.environment == "development"


def test_default_home_and_inputs_to_the_checkout(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings()
    assert settings.project_dir == PROJECT_DIR
    assert settings.home == PROJECT_DIR / ".mlaas"
    assert settings.specs_dir == PROJECT_DIR / "specs"
    assert settings.expectations_dir == PROJECT_DIR / "expectations"
    assert settings.feature_store_yaml == PROJECT_DIR / "feature_repo" / "feature_store.yaml"
    assert settings.dags_dir == PROJECT_DIR / "dags"


def test_resolve_relative_home(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    clean_env.setenv("MLAAS_HOME", "rel-home")
    settings = Settings()
    assert settings.home == tmp_path / "rel-home"
    assert settings.database_url == f"sqlite:///{tmp_path}/rel-home/platform.db"


def test_take_store_urls_from_the_environment(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    urls = {
        "MLAAS_DATABASE_URL": "postgresql+psycopg2://mlaas:pw@db:5432/mlaas",
        "MLAAS_OBJECT_STORE_URL": "s3://lake/prod",
        "MLAAS_S3_ENDPOINT": "minio:9000",
        "MLAAS_MLFLOW_TRACKING_URI": "http://mlflow:5000",
        "MLAAS_MLFLOW_ARTIFACT_ROOT": "s3://mlflow/artifacts",
        "MLAAS_CELERY_BROKER_URL": "amqp://rabbit//",
        "MLAAS_CELERY_RESULT_BACKEND": "db+postgresql://mlaas:pw@db/mlaas",
        "MLAAS_SPECS_DIR": str(tmp_path / "specs"),
        "MLAAS_AIRFLOW_PORT": "8081",
    }
    for name, value in urls.items():
        clean_env.setenv(name, value)
    settings = Settings()
    assert settings.database_url == urls["MLAAS_DATABASE_URL"]
    assert settings.object_store_url == urls["MLAAS_OBJECT_STORE_URL"]
    assert settings.s3_endpoint == "minio:9000"
    assert settings.mlflow_tracking_uri == urls["MLAAS_MLFLOW_TRACKING_URI"]
    assert settings.mlflow_artifact_root == urls["MLAAS_MLFLOW_ARTIFACT_ROOT"]
    assert settings.celery_broker_url == urls["MLAAS_CELERY_BROKER_URL"]
    assert settings.celery_result_backend == urls["MLAAS_CELERY_RESULT_BACKEND"]
    assert settings.specs_dir == tmp_path / "specs"
    assert settings.airflow_port == 8081


def test_use_redis_as_celery_broker_when_set(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("MLAAS_HOME", str(tmp_path))
    clean_env.setenv("MLAAS_REDIS_URL", "redis://redis:6379/0")
    settings = Settings()
    assert settings.celery_broker_url == "redis://redis:6379/0"
    assert settings.celery_result_backend == "redis://redis:6379/0"
    clean_env.setenv("MLAAS_CELERY_RESULT_BACKEND", "redis://redis:6379/1")
    assert Settings().celery_result_backend == "redis://redis:6379/1"


@pytest.mark.parametrize("secret", ["", "changeme", "minioadmin", "MinioAdmin", "password"])
def test_refuse_placeholder_secret_in_production(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, secret: str
) -> None:
    clean_env.setenv("MLAAS_HOME", str(tmp_path))
    clean_env.setenv("MLAAS_ENVIRONMENT", "production")
    clean_env.setenv("MLAAS_OBJECT_STORE_URL", "s3://lake/prod")
    clean_env.setenv("MLAAS_S3_SECRET_KEY", secret)
    with pytest.raises(ValidationError, match="MLAAS_S3_SECRET_KEY is a placeholder"):
        Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MLAAS_DATABASE_URL", "postgresql+psycopg2://mlaas:change-me@postgres:5432/mlaas"),
        ("MLAAS_REDIS_URL", "redis://:changeme@redis:6379/0"),
        ("MLAAS_CELERY_BROKER_URL", "redis://default:password@redis:6379/0"),
        ("MLAAS_MLFLOW_TRACKING_URI", "http://admin:Change-Me@mlflow:5000"),
        ("MLAAS_AIRFLOW_PASSWORD", "change-me"),
    ],
)
def test_refuse_every_placeholder_secret_in_production(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, name: str, value: str
) -> None:
    """Whatever secret the platform is given, production refuses the placeholder of
    infra/.env.example, naming the setting (and never echoing the value)."""
    clean_env.setenv("MLAAS_HOME", str(tmp_path))
    clean_env.setenv(name, value)
    assert Settings().environment == "development"  # a laptop may keep placeholders
    clean_env.setenv("MLAAS_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match=f"{name} .*placeholder") as refused:
        Settings()
    assert value not in str(refused.value)
    real = re.sub("(?i)change-?me|password", "k9-Zq0c4r1Xw", value)
    clean_env.setenv(name, real)
    assert Settings().environment == "production"


def test_accept_real_secret_in_production_and_placeholders_in_development(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("MLAAS_HOME", str(tmp_path))
    clean_env.setenv("MLAAS_OBJECT_STORE_URL", "s3://lake/prod")
    clean_env.setenv("MLAAS_S3_SECRET_KEY", "minioadmin")
    assert Settings().environment == "development"
    clean_env.setenv("MLAAS_ENVIRONMENT", "production")
    clean_env.setenv("MLAAS_S3_SECRET_KEY", "k9-Zq0c4r1Xw")
    assert Settings().s3_secret_key == "k9-Zq0c4r1Xw"
    clean_env.setenv("MLAAS_OBJECT_STORE_URL", (tmp_path / "lake").as_uri())
    clean_env.setenv("MLAAS_S3_SECRET_KEY", "")
    assert Settings().environment == "production"  # no S3, no S3 secret needed


def test_reject_unknown_environment(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("MLAAS_ENVIRONMENT", "staging")
    with pytest.raises(ValidationError, match="environment"):
        Settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [("MLAAS_DB_POOL_SIZE", "0"), ("MLAAS_DB_MAX_OVERFLOW", "-1"), ("MLAAS_DB_POOL_SIZE", "many")],
)
def test_reject_a_pool_size_postgresql_could_not_use(
    clean_env: pytest.MonkeyPatch, name: str, value: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("MLAAS_").lower()):
        Settings()


def test_create_nothing_on_disk_until_init_home(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    clean_env.setenv("MLAAS_HOME", str(home))
    settings = Settings()
    get_settings()
    assert list(tmp_path.iterdir()) == []
    assert init_home(settings) == home
    assert home.is_dir()
    assert init_home(settings) == home  # idempotent
    assert list(home.iterdir()) == []


def test_build_settings_once_until_cache_cleared(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("MLAAS_HOME", str(tmp_path / "a"))
    first = get_settings()
    clean_env.setenv("MLAAS_HOME", str(tmp_path / "b"))
    assert get_settings() is first
    get_settings.cache_clear()
    assert get_settings().home == tmp_path / "b"
