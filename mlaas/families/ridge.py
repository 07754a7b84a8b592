"""Ridge regression (scikit-learn)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mlaas.families.linear import LinearFamily


class RidgeFamily(LinearFamily):
    name = "ridge"
    tasks = ("regression",)
    params = frozenset({"alpha"})
    estimator_types = ("Ridge",)

    def build(self, classification: bool, params: dict[str, Any], seed: int) -> Any:
        from sklearn.linear_model import Ridge

        return Ridge(random_state=seed, **params)

    def check_fitted(self, model: Any) -> str | None:
        return "multi-output regression is not supported" if np.ndim(model.coef_) != 1 else None

    def scores(
        self, model: Any, X: np.ndarray, classification: bool, cache: dict[str, Any]
    ) -> np.ndarray:
        return self.margin(model, X, classification)


FAMILY = RidgeFamily()
