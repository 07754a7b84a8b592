"""The one place that reads the environment.

Every store is a URL. Left unset, each falls back to an embedded default under one home folder
(`MLAAS_HOME`, default `<project>/.mlaas`), so a single machine runs the whole platform with no
servers; pointing the URLs at PostgreSQL, MinIO, Redis and an MLflow server runs the same code on
the full stack (see infra/.env.example).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "password", "minioadmin"}
# Settings that are URLs and may carry a password.
URL_SETTINGS = (
    "database_url",
    "redis_url",
    "celery_broker_url",
    "celery_result_backend",
    "mlflow_tracking_uri",
)


def default_project_dir() -> Path:
    """The checkout that holds specs/, expectations/, feature_repo/ and dags/."""
    candidate = PACKAGE_DIR.parent
    if (candidate / "specs").is_dir():
        return candidate
    return Path.cwd()


class Settings(BaseSettings):
    """Platform configuration; env vars are `MLAAS_<FIELD>` (e.g. `MLAAS_DATABASE_URL`)."""

    # hide_input_in_errors: a refused setting is named, its value (maybe a secret) never shown.
    model_config = SettingsConfigDict(
        env_prefix="MLAAS_", extra="ignore", hide_input_in_errors=True
    )

    environment: Literal["development", "production"] = "development"
    project_dir: Path = Field(default_factory=default_project_dir)
    home: Path = Path()  # filled in below: <project_dir>/.mlaas

    # Where declarative inputs live (versioned with the code).
    specs_dir: Path = Path()
    expectations_dir: Path = Path()
    feature_repo_dir: Path = Path()
    feast_config: str = "feature_store.yaml"  # file name inside feature_repo_dir

    # Stores, chosen by URL.
    database_url: str = ""  # platform DB: sqlite:///... or postgresql+psycopg2://...
    object_store_url: str = ""  # file:///abs/path or s3://bucket[/prefix]
    s3_endpoint: str = ""  # host:port of MinIO / any S3 API
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_secure: bool = False
    mlflow_tracking_uri: str = ""
    mlflow_artifact_root: str = ""  # where new experiments put artifacts
    redis_url: str = ""  # empty: in-process cache and limits
    celery_broker_url: str = ""
    celery_result_backend: str = ""
    # Each process's PostgreSQL connections (SQLAlchemy's pool): kept open, and opened beyond
    # them for a burst and closed after. The sum over every process must stay under the
    # server's max_connections (docs/scaling.md counts them).
    db_pool_size: int = Field(5, ge=1, le=100)
    db_max_overflow: int = Field(10, ge=0, le=1000)

    # Folders (and s3://bucket/prefix roots) a caller may name a data file in (a training job's
    # `dataset_path`, a pipeline run's): comma-separated; empty means <project_dir>/data.
    data_roots: str = ""

    # Airflow (standalone on the embedded defaults).
    airflow_home: Path = Path()
    airflow_port: int = 8080
    mlflow_ui_port: int = 5000

    # How long a service remembers an API key's lookup: a revoked key stops working on every
    # service within this many seconds (at once on the service that revoked it).
    key_cache_s: float = Field(5.0, ge=0.0, le=300.0)

    # The training and monitoring services' per-key token bucket (prediction has its own).
    api_rate_per_s: float = Field(100.0, gt=0)
    api_burst: int = Field(200, ge=1)

    # Every service: a request body larger than this is refused (413) while it streams in.
    max_body_bytes: int = Field(16 * 1024 * 1024, ge=1024)

    # Services' logs (mlaas.logs): JSON lines on stderr, or text for a terminal.
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    access_log: bool = True  # one line per request (method, path, status, duration, model)

    # Prediction service.
    prediction_port: int = 8000
    serving_default_model: str = ""  # what /invocations scores (MLflow protocol: one model)
    serving_poll_s: float = 5.0  # how often the service re-reads the registry aliases
    serving_rate_per_s: float = 1000.0  # per API key (token bucket; Redis-backed when set)
    serving_burst: int = 2000
    serving_native_trees: bool = True  # compile LightGBM trees to machine code for batches
    # A model whose single-record scoring takes less than this (measured as it serves) keeps its
    # cache in each replica only: fetching an answer from Redis would cost more than computing
    # it. 0: every model shares its cache through Redis (when MLAAS_REDIS_URL is set).
    serving_shared_cache_min_ms: float = Field(1.0, ge=0.0)

    # Training service (jobs API) and Airflow's REST API (the embedded `airflow standalone`).
    training_port: int = 8001
    airflow_api_url: str = ""  # default http://127.0.0.1:<airflow_port>
    airflow_username: str = "admin"
    airflow_password: str = ""  # default: the password `mlaas up` generated under airflow_home
    training_heartbeat_s: float = 5.0  # how often a running job's worker proves it is alive
    training_stale_after_s: float = 60.0  # no heartbeat this long (other host): attempt is dead
    training_max_attempts: int = 3  # deliveries that may start a job before a lost worker fails it
    training_reap_every_s: float = 30.0  # how often the training service looks for dead attempts
    # Per API key (admin keys exempt): jobs queued or running at once, trials per 24 hours.
    training_max_active_jobs_per_key: int = Field(2, ge=1)
    training_max_trials_per_day_per_key: int = Field(2_000, ge=1)

    # Monitoring service.
    monitoring_port: int = 8002
    webhook_timeout_s: float = 5.0
    # Webhook receivers inside private networks or on loopback (refused otherwise): comma-
    # separated host names, addresses or networks, e.g. "alerts.internal,10.20.0.0/16".
    webhook_allowed_hosts: str = ""
    # Alert delivery: one attempt in the monitoring run, then the outbox retries after
    # backoff * 2**(attempts - 1) until delivered or `webhook_expiry_hours` have passed.
    webhook_backoff_s: float = 60.0
    monitoring_public_url: str = ""  # how alert payloads link to the report (default: local)
    webhook_expiry_hours: float = 24.0

    # Personal data (mlaas.pii): the key of the keyed hash the prediction log keeps of a spec's
    # `pii: hash` features. Empty: a random key made once under the home folder (pii.key).
    pii_hash_key: str = ""

    # Retention (mlaas.retention, applied daily by the `mlaas_retention` DAG and by `mlaas
    # retention apply`): days to keep each kind of record; 0 keeps it forever.
    retention_prediction_log_days: int = Field(90, ge=0)
    retention_feedback_days: int = Field(365, ge=0)
    retention_spool_days: int = Field(7, ge=0)  # spool files that could not be replayed
    retention_quarantine_days: int = Field(30, ge=0)  # quarantined batches (the lake copy stays)

    # Web dashboard (dashboard/): `mlaas up` serves its build here, proxying /api/<service>.
    dashboard_port: int = 8003

    # Observability (docs/metrics.md): the worker's own /metrics, and the Prometheus server
    # `mlaas up` starts when the `prometheus` binary is on the PATH.
    # The worker serves /metrics (prometheus_client, multiprocess): `mlaas up` and the compose
    # stack turn it on; a bare `mlaas worker` serves none unless this is true.
    worker_metrics: bool = False
    worker_metrics_port: int = 9809  # 0: any free port (logged)
    worker_metrics_host: str = "127.0.0.1"  # 0.0.0.0 in a container, for Prometheus to reach
    prometheus_port: int = 9095  # not 9090: a packaged Prometheus under systemd holds that one
    prometheus_scrape_interval: str = "15s"

    # Identity written into lineage and audit rows.
    actor: str = "mlaas"
    code_revision: str = ""  # set in images without git (build arg); else read from the checkout

    @model_validator(mode="after")
    def _fill_embedded_defaults(self) -> Settings:
        project = self.project_dir.resolve()
        self.project_dir = project
        if self.home == Path():
            self.home = project / ".mlaas"
        self.home = self.home.resolve()
        home = self.home
        if self.specs_dir == Path():
            self.specs_dir = project / "specs"
        if self.expectations_dir == Path():
            self.expectations_dir = project / "expectations"
        if self.feature_repo_dir == Path():
            self.feature_repo_dir = project / "feature_repo"
        if self.airflow_home == Path():
            self.airflow_home = home / "airflow"
        self.database_url = self.database_url or f"sqlite:///{home / 'platform.db'}"
        self.object_store_url = self.object_store_url or (home / "lake").as_uri()
        self.mlflow_tracking_uri = self.mlflow_tracking_uri or f"sqlite:///{home / 'mlflow.db'}"
        self.mlflow_artifact_root = self.mlflow_artifact_root or (home / "mlartifacts").as_uri()
        self.celery_broker_url = self.celery_broker_url or (
            self.redis_url or f"sqla+sqlite:///{home / 'celery-broker.db'}"
        )
        self.celery_result_backend = self.celery_result_backend or (
            self.celery_broker_url if self.redis_url else f"db+sqlite:///{home / 'celery.db'}"
        )
        self.airflow_api_url = self.airflow_api_url or f"http://127.0.0.1:{self.airflow_port}"
        self.monitoring_public_url = (
            self.monitoring_public_url or f"http://127.0.0.1:{self.monitoring_port}"
        )
        if self.environment == "production":
            self._refuse_placeholders()
        return self

    def _refuse_placeholders(self) -> None:
        """In production, every secret the platform uses must be real: the S3 secret (with an
        s3:// lake), Airflow's password when one is given, and any password inside a store URL
        (`postgresql://mlaas:change-me@...`, `redis://:change-me@...`)."""
        if self.object_store_url.startswith("s3://"):
            if self.s3_secret_key.lower() in PLACEHOLDER_SECRETS:
                raise ValueError("MLAAS_S3_SECRET_KEY is a placeholder; set a real secret")
        if self.airflow_password and self.airflow_password.lower() in PLACEHOLDER_SECRETS:
            raise ValueError("MLAAS_AIRFLOW_PASSWORD is a placeholder; set a real secret")
        for name in URL_SETTINGS:
            password = urlsplit(getattr(self, name)).password
            if password is not None and password.lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"MLAAS_{name.upper()} holds a placeholder password; set a real secret"
                )

    @property
    def feature_store_yaml(self) -> Path:
        return self.feature_repo_dir / self.feast_config

    @property
    def dags_dir(self) -> Path:
        return self.project_dir / "dags"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings built once per process (tests clear the cache after changing the env)."""
    return Settings()


def init_home(settings: Settings | None = None) -> Path:
    """Create the embedded home folder (explicit, never at import time)."""
    settings = settings or get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    return settings.home
