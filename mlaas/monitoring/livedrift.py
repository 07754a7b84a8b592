"""Drift of one window of live traffic against the served version's reference.

Features: every non-shadow logged request of the window (shadow rows repeat champion inputs)
against the training sample saved with the champion. Prediction drift: the champion's answers
in the window (rows of the champion version only) against that same version scoring the sample.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from pydantic import BaseModel

from mlaas.drift import DriftReport, compute_drift
from mlaas.monitoring.context import ServedVersion, Window
from mlaas.monitoring.live import LiveData, live_data, prediction_values
from mlaas.monitoring.reference import Reference, reference_for
from mlaas.specs import DriftPolicy


class WindowDrift(BaseModel):
    model: str
    version: str
    start: datetime
    end: datetime
    report: DriftReport


def drift_of(
    served: ServedVersion,
    data: LiveData,
    reference: Reference,
    policy: DriftPolicy | None = None,
) -> DriftReport:
    """`policy` defaults to the served version's own (the spec file's may be newer)."""
    spec = served.spec
    if reference.sample is None:
        raise LookupError(f"{served.model} v{served.version} has no reference sample")
    current_predictions = (
        served_predictions(served, data) if reference.predictions is not None else None
    )
    return compute_drift(
        reference.sample,
        data.features,
        # Personal-data features are logged hashed or not at all: nothing to compare.
        numeric=[n for n in spec.numeric_features if n not in spec.pii_features],
        categorical=[n for n in spec.categorical_features if n not in spec.pii_features],
        policy=policy or spec.drift,
        reference_predictions=reference.predictions if current_predictions is not None else None,
        current_predictions=current_predictions,
        prediction_kind="categorical" if reference.prediction_kind == "categorical" else "numeric",
        seed=spec.training.seed,
    )


def served_predictions(served: ServedVersion, data: LiveData) -> np.ndarray:
    """What prediction drift compares (see `prediction_values`), for the rows the served
    version answered as champion."""
    champion = (data.meta["variant"] == "champion") & (data.meta["version"] == served.version)
    return prediction_values(served.spec, data.subset(champion.to_numpy()))[0]


def window_drift(
    served: ServedVersion, window: Window, policy: DriftPolicy | None = None
) -> WindowDrift:
    """The drift report of `window` for the served version."""
    data = live_data(served.spec, window)
    report = drift_of(served, data, reference_for(served), policy)
    return WindowDrift(
        model=served.model,
        version=served.version,
        start=window.start,
        end=window.end,
        report=report,
    )
