"""MLflow set-up: tracking/registry URIs and one experiment per model, explicitly initialised."""

from __future__ import annotations

from mlaas.settings import Settings, get_settings

# Logging a model with an explicit requirement list skips MLflow's slow package inference.
MODEL_PIP_REQUIREMENTS = [
    "scikit-learn==1.9.1",
    "lightgbm==4.7.0",
    "skops",
    "pandas",
    "numpy",
]


def experiment_name(model: str) -> str:
    return f"mlaas/{model}"


def init_mlflow(settings: Settings | None = None) -> None:
    import mlflow

    settings = settings or get_settings()
    if settings.mlflow_tracking_uri.startswith("sqlite:///"):
        settings.home.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    mlflow.set_registry_uri(settings.mlflow_tracking_uri)


def ensure_experiment(model: str, settings: Settings | None = None) -> str:
    """Experiment id for the model, created with artifacts under the configured root."""
    import mlflow

    settings = settings or get_settings()
    init_mlflow(settings)
    name = experiment_name(model)
    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        return str(existing.experiment_id)
    location = f"{settings.mlflow_artifact_root.rstrip('/')}/{model}"
    try:
        return str(mlflow.create_experiment(name, artifact_location=location))
    except Exception:  # created concurrently by another worker
        found = mlflow.get_experiment_by_name(name)
        if found is None:
            raise
        return str(found.experiment_id)
