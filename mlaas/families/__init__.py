"""The registry of model families: one module per family in this package, listed here once.

Everything that depends on the family reads this registry: the spec validator (names, tasks,
hyper-parameters), training (`build`), loading (skops trusted types), serving (compiled
scoring, native code, explanations, importance) and incremental retraining. A family missing
a method fails loudly where it is needed; nothing falls back silently.
"""

from __future__ import annotations

import pickle
from typing import Any

from mlaas.families import extra_trees, lightgbm, logistic_regression, random_forest, ridge
from mlaas.families.base import CannotContinueTraining, ExplanationUnavailable, Family

FAMILIES: dict[str, Family] = {
    module.FAMILY.name: module.FAMILY
    for module in (logistic_regression, ridge, random_forest, extra_trees, lightgbm)
}

# Types skops must trust to load our pipelines back: every family's, plus what the platform
# wraps models in (recalibrated and stacked champions) and sklearn/numpy helpers.
SKOPS_TRUSTED_TYPES = sorted(
    {
        "collections.OrderedDict",
        "numpy.dtype",
        "sklearn.calibration._CalibratedClassifier",  # recalibrated champions
        "sklearn.calibration._SigmoidCalibration",
        "sklearn.utils._bunch.Bunch",  # stacked models' named estimators
        *(name for family in FAMILIES.values() for name in family.trusted_types),
    }
)

__all__ = [
    "FAMILIES",
    "SKOPS_TRUSTED_TYPES",
    "CannotContinueTraining",
    "ExplanationUnavailable",
    "Family",
    "family_of",
    "model_size",
]


def family_of(estimator: Any) -> Family | None:
    """The family that built a fitted estimator (by its class name), None for any other."""
    kind = type(estimator).__name__
    return next((f for f in FAMILIES.values() if kind in f.estimator_types), None)


def model_size(estimator: Any) -> int:
    """Bytes of the pickled estimator: the logged size and the tuning objective alike."""
    return len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))
