"""What linear families share: the decision is X @ coef + intercept on the encoded columns."""

from __future__ import annotations

from typing import Any

import numpy as np

from mlaas.families.base import Family, picked


class LinearFamily(Family):
    """Margin, exact contributions (coef * scaled value, `_base` = intercept) and importance
    of a fitted linear model with `coef_` and `intercept_`."""

    def margin(self, model: Any, X: np.ndarray, classification: bool) -> np.ndarray:
        coef = model.coef_
        scores = np.asarray(X @ (coef.T if coef.ndim == 2 else coef) + model.intercept_)
        return scores.reshape(-1) if scores.ndim == 2 and scores.shape[1] == 1 else scores

    def contributions(
        self, model: Any, X: np.ndarray, margin: np.ndarray, cache: dict[str, Any]
    ) -> tuple[np.ndarray, np.ndarray]:
        coef, intercept = np.atleast_2d(model.coef_), np.atleast_1d(model.intercept_)
        if coef.shape[0] == 1:
            return X * coef[0], np.full(X.shape[0], float(intercept[0]))
        pick = picked(margin)
        return X * coef[pick], intercept[pick]

    def importance(self, model: Any, categorical_columns: list[list[int]]) -> np.ndarray:
        """Spread of each column's contribution. A scaled numeric column has std 1 on the
        training rows, so |coef|; a category's spread is the std of its one-hot coefficients
        (equal category weights: the pipeline keeps no category frequencies). Classes averaged."""
        signed = np.atleast_2d(model.coef_)
        spread = np.abs(signed).mean(axis=0)
        for index in categorical_columns:
            spread[index] = 0.0
            if index:
                spread[index[0]] = float(np.std(signed[:, index], axis=1).mean())
        return np.asarray(spread)
