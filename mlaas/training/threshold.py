"""The decision threshold of a binary classifier: fixed by the spec or tuned on out-of-fold
predictions.

A probability of 0.5 is the right cut only when both kinds of error cost the same and the
classes are balanced. On a table with 3% positives a model can rank well (high ROC AUC) and
still find a third of them at 0.5. `decision.tune_threshold` picks the cut after the model is
tuned: on predictions for the training part made by models that did not train on those rows
(the tuning folds, refit with the best configuration), so the holdout stays untouched for the
honest estimate. "f1" maximises F1; "recall" takes the highest threshold whose recall is at
least `decision.min_recall`, i.e. the most precise model that still finds enough positives.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlaas.specs import ModelSpec


def is_binary(spec: ModelSpec, y: pd.Series) -> bool:
    return spec.task == "classification" and y.nunique() == 2


def choose_threshold(
    truth: np.ndarray, scores: np.ndarray, how: str, min_recall: float = 0.8
) -> float:
    """The cut on P(positive) (`truth` 1 = positive) that `how` asks for."""
    from sklearn.metrics import precision_recall_curve

    precision, recall, thresholds = precision_recall_curve(truth, scores)
    precision, recall = precision[:-1], recall[:-1]  # the last point has no threshold
    if how == "f1":
        denominator = precision + recall
        f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(denominator),
                       where=denominator > 0)  # fmt: skip
        best = int(np.argmax(f1))
        return float(thresholds[best])
    if how == "recall":
        enough = np.flatnonzero(recall >= min_recall)
        if enough.size == 0:  # cannot happen: the lowest threshold has recall 1
            return float(thresholds[0])
        return float(thresholds[enough[-1]])
    raise ValueError(f"unknown threshold tuning {how!r}; known: f1, recall")


def out_of_fold_scores(
    spec: ModelSpec, family: str, params: dict[str, Any], X: pd.DataFrame, y: pd.Series
) -> tuple[np.ndarray, np.ndarray]:
    """(truth, P(positive)) for every training row from a model fit on the other folds (the
    tuning's folds, the tuned configuration)."""
    from mlaas.training.families import build_estimator
    from mlaas.training.metrics import encode_target, predictions_for_metric
    from mlaas.training.tune import cv_folds

    truth = np.zeros(len(y), dtype=int)
    scores = np.zeros(len(y), dtype=float)
    for fit_rows, val_rows in cv_folds(spec, X, y):
        model = build_estimator(spec, family, params, seed=spec.training.seed)
        model.fit(X.iloc[fit_rows], y.iloc[fit_rows])
        truth[val_rows] = encode_target(spec, model, y.iloc[val_rows])
        scores[val_rows] = predictions_for_metric(spec, model, X.iloc[val_rows])
    return truth, scores


def decision_threshold(
    spec: ModelSpec,
    family: str | None,
    params: dict[str, Any],
    X: pd.DataFrame,
    y: pd.Series,
) -> tuple[float, str]:
    """(threshold, how it was chosen) for a binary model of `family` with `params` trained on
    (X, y); the spec's fixed threshold when it tunes none or the model is built on a champion
    (`family` None: no configuration to refit on the folds)."""
    decision = spec.decision
    how = decision.tune_threshold
    if how is None:
        return decision.threshold, "fixed by the spec"
    if family is None:
        return decision.threshold, f"fixed by the spec (a {how} tuning needs a tuned model)"
    truth, scores = out_of_fold_scores(spec, family, params, X, y)
    chosen = choose_threshold(truth, scores, how, decision.min_recall)
    target = f"recall >= {decision.min_recall}" if how == "recall" else "the best F1"
    return round(chosen, 6), f"tuned for {target} on out-of-fold predictions"
