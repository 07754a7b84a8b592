"""The reference a served version is compared with: its training profile, the raw sample saved
with it, and the model's own predictions on that sample (for prediction drift).

Scoring the sample loads the model once per version; the result is cached per version (and per
store, so two homes in one process never share an entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from mlaas.monitoring.context import ServedVersion
from mlaas.specs import ModelSpec
from mlaas.training.metrics import positive_index


@dataclass(frozen=True)
class Reference:
    profile: dict[str, Any]
    sample: pd.DataFrame | None  # spec features (typed as live data) of the training sample
    predictions: np.ndarray | None  # the version's predictions on the sample
    prediction_kind: str  # numeric | categorical


def reference_for(served: ServedVersion) -> Reference:
    from mlaas.settings import get_settings

    settings = get_settings()
    key = (settings.object_store_url, settings.mlflow_tracking_uri, settings.database_url)
    return _reference(*key, served.model, served.version, served.profile_key)


@lru_cache(maxsize=32)
def _reference(
    _store: str, _registry: str, _database: str, model: str, version: str, profile_key: str
) -> Reference:
    from mlaas.monitoring.context import version_spec
    from mlaas.monitoring.live import typed_features
    from mlaas.profiles import load_profile, load_sample

    spec = version_spec(model, version)
    profile = load_profile(profile_key)
    try:
        raw = load_sample(profile)
    except (KeyError, FileNotFoundError):
        return Reference(profile, None, None, "numeric")
    sample = typed_features(spec, raw.to_dict("records"))
    predictions, kind = _score_sample(spec, model, version, raw)
    return Reference(profile, sample, predictions, kind)


def _score_sample(
    spec: ModelSpec, model: str, version: str, raw: pd.DataFrame
) -> tuple[np.ndarray, str]:
    """What `live.prediction_values` gives for live rows, computed on the reference sample."""
    from mlaas.serving.predictor import load_predictor
    from mlaas.training.split import features_frame

    pipeline = load_predictor(model, version=version).pipeline
    X = features_frame(spec, raw)
    if spec.task == "regression":
        return np.asarray(pipeline.predict(X), dtype="float64"), "numeric"
    proba = np.asarray(pipeline.predict_proba(X), dtype="float64")
    if proba.shape[1] == 2:
        return proba[:, positive_index(spec, pipeline.classes_)], "numeric"
    return np.asarray(pipeline.predict(X)).astype(str).astype(object), "categorical"
