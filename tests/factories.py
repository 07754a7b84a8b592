"""Test factories: small specs and frames, and the one home isolation every test uses."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mlaas.specs import ModelSpec, load_spec

# Settings a test may point elsewhere; everything else MLAAS_* is dropped by `use_home`.
TEST_KNOBS = ("MLAAS_TEST_",)
# What every test process runs with: a worker a test starts serves its metrics on a free port,
# never on the default 9809 that another test's worker (or a developer's platform) may hold.
# Webhook receivers of the tests listen on loopback, which the platform refuses by default;
# test modules queue many jobs with one key (tests/services/training/test_jobs_api.py checks
# the per-key quotas with their limits set).
TEST_DEFAULTS = {
    "MLAAS_WORKER_METRICS_PORT": "0",
    "MLAAS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "MLAAS_TRAINING_MAX_ACTIVE_JOBS_PER_KEY": "1000",
}


def platform_variables() -> list[str]:
    """Every MLAAS_* variable of this process that is a platform setting (not a test knob)."""
    return [n for n in os.environ if n.startswith("MLAAS_") and not n.startswith(TEST_KNOBS)]


def reset_platform_caches() -> None:
    """Forget every cached value of the library (settings, stores, engines, loaded models,
    the Celery app, Feast stores) so a changed environment takes effect everywhere."""
    for name, module in list(sys.modules.items()):
        if name != "mlaas" and not name.startswith("mlaas."):
            continue
        for value in list(vars(module).values()):
            clear = getattr(value, "cache_clear", None)  # functools.cache / lru_cache
            if callable(clear) and getattr(value, "__module__", None) == name:
                clear()
    feast_config = sys.modules.get("mlaas.feast_config")
    if feast_config is not None:
        feast_config._STORES.clear()
    workers = sys.modules.get("mlaas.jobs.broker_stats")
    if workers is not None:
        workers.forget()


def use_home(patch: pytest.MonkeyPatch, home: Path, **env: str) -> None:
    """This process sees one home on its embedded defaults, plus `env` (MLAAS_* names): every
    other MLAAS_* variable (a developer's exported MLflow URI, say) is removed."""
    for name in platform_variables():
        patch.delenv(name)
    for name, value in TEST_DEFAULTS.items():
        patch.setenv(name, value)
    patch.setenv("MLAAS_HOME", str(home))
    for name, value in env.items():
        patch.setenv(name, value)
    reset_platform_caches()


@contextmanager
def home_env(home: Path, **env: str) -> Iterator[Path]:
    """`use_home` for a block; the environment and the caches are restored afterwards."""
    with pytest.MonkeyPatch.context() as patch:
        use_home(patch, home, **env)
        try:
            yield home
        finally:
            reset_platform_caches()
    reset_platform_caches()


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
