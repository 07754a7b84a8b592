"""New models built on the champion's fitted one: continued training, recalibration, stacking.

The champion is never refitted: its fitted preprocessing and estimator are reused as they are
(continued training copies them first; recalibration and stacking wrap them in `FrozenEstimator`
so sklearn's meta-estimators cannot refit them). How a family trains further is its own
(`Family.continue_training` in `mlaas.families`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mlaas.families import family_of
from mlaas.specs import ModelSpec
from mlaas.training.selection import RetrainError

# Boosting rounds / trees added by one incremental retrain, as a share of the champion's.
INCREMENTAL_SHARE = 0.25


def _split(spec: ModelSpec, champion: Any) -> tuple[Any, Any]:
    """(fitted preprocessing, fitted estimator) of a `build_estimator` pipeline."""
    from sklearn.pipeline import Pipeline

    if not isinstance(champion, Pipeline) or len(champion.steps) != 2:
        raise RetrainError(
            f"{spec.name}: the champion is a {type(champion).__name__}, not a "
            "Pipeline(preprocess, model); it cannot continue training"
        )
    return champion.steps[0][1], champion.steps[1][1]


def continue_training(
    spec: ModelSpec, champion: Any, X: pd.DataFrame, y: pd.Series
) -> tuple[Any, dict[str, str]]:
    """The champion trained further on (X, y) with its own preprocessing; lineage details."""
    from sklearn.pipeline import Pipeline

    preprocess, model = _split(spec, champion)
    family = family_of(model)
    if family is None or not family.warm_startable:
        raise RetrainError(f"{spec.name}: {type(model).__name__} cannot continue training")
    new, details = family.continue_training(model, preprocess.transform(X), y, INCREMENTAL_SHARE)
    pipeline = Pipeline([("preprocess", preprocess), ("model", new)])
    return pipeline, {"family": family.name} | details


def uncalibrated(model: Any) -> Any:
    """The model under an earlier recalibration, so recalibrating twice does not nest."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    if isinstance(model, CalibratedClassifierCV) and isinstance(model.estimator, FrozenEstimator):
        return model.estimator.estimator
    return model


def recalibrate(champion: Any, X: pd.DataFrame, y: pd.Series) -> Any:
    """Platt scaling of the champion's scores, fitted on (X, y) only.

    Sigmoid rather than isotonic: it is strictly monotone, so the champion's ranking (ROC AUC)
    is kept exactly, and it needs far fewer rows than isotonic regression to be stable.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator

    calibrated = CalibratedClassifierCV(FrozenEstimator(uncalibrated(champion)), method="sigmoid")
    return calibrated.fit(X, y)


def stack(spec: ModelSpec, champion: Any, member: Any, X: pd.DataFrame, y: pd.Series) -> Any:
    """Champion (frozen) + `member` (unfitted), blended by a linear model on out-of-fold scores.

    The blend is fitted on the member's cross-validation predictions (the spec's folds) and the
    champion's predictions on the same rows, which the champion never saw; the member is then
    refitted on all of (X, y).
    """
    from sklearn.ensemble import StackingClassifier, StackingRegressor
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression, RidgeCV

    from mlaas.training.tune import cv_folds

    members = [("champion", FrozenEstimator(champion)), ("new", member)]
    folds = cv_folds(spec, X, y)
    if spec.task == "classification":
        model: Any = StackingClassifier(
            members,
            final_estimator=LogisticRegression(),
            cv=folds,
            stack_method="predict_proba",
            n_jobs=1,
        )
    else:
        model = StackingRegressor(members, final_estimator=RidgeCV(), cv=folds, n_jobs=1)
    return model.fit(X, y)
