"""Test factories: small specs and frames, and the cache reset that isolates tests."""

from __future__ import annotations

from typing import Any

from mlaas.specs import ModelSpec, load_spec


def reset_platform_caches() -> None:
    """Forget cached settings, stores and engines so a changed environment takes effect."""
    from mlaas import db, storage
    from mlaas.settings import get_settings
    from mlaas.tasks import celery_app

    get_settings.cache_clear()
    storage.get_store.cache_clear()
    db._engine_for.cache_clear()
    celery_app.cache_clear()


def small_spec(name: str = "churn", **overrides: Any) -> ModelSpec:
    """A shipped spec with cheap training settings (few trials, small search) for fast tests."""
    spec = load_spec(name)
    data = spec.model_dump(mode="python")
    training = data["training"]
    training.update({"trials": 3, "cv_folds": 2, "timeout_seconds": 120})
    training["families"] = {
        family: space
        for family, space in training["families"].items()
        if family in ("logistic_regression", "ridge", "lightgbm")
    }
    if "lightgbm" in training["families"]:
        training["families"]["lightgbm"]["n_estimators"] = {"type": "int", "low": 20, "high": 40}
    data["gate"]["bootstrap_samples"] = 200
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        if field:
            data[section][field] = value
        else:
            data[section] = value
    return ModelSpec.model_validate(data)
